"""Running the outbox in a test, as the notify queue's worker would: the real send_message on
every row that is due, until none is left."""

from django.utils import timezone

from notifications import services
from notifications.models import Message


def deliver_outbox(*, rounds: int = 5) -> int:
    """Send every due outbox row now (e-mails land in django.core.mail.outbox); returns how
    many went out."""
    sent = 0
    for _ in range(rounds):
        due = list(
            Message.objects.filter(status=Message.Status.QUEUED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not due:
            break
        Message.objects.filter(pk__in=due).update(next_attempt_at=timezone.now())
        for message_id in due:
            sent += services.send_message(message_id=message_id) == services.SendOutcome.SENT
    return sent
