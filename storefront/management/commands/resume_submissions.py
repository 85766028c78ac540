"""Unpause the submission queue and send every waiting paid order to isipay again.

Beat's balance check resumes the queue by itself once the isipay deposit covers a waiting
order; this is the operator's way to do it now (e.g. after fixing the token or the IP
whitelist). Orders keep their reference numbers: nothing is ever placed twice.
"""

from django.core.management.base import BaseCommand

from orders import services
from orders.models import SubmissionQueue


class Command(BaseCommand):
    help = "Resume order submission to isipay and re-send every paid order that is waiting."

    def handle(self, *args, **options):
        queue = SubmissionQueue.get()
        if queue.is_paused:
            self.stdout.write(
                f"The queue was paused since {queue.paused_at:%Y-%m-%d %H:%M %Z}: {queue.reason}"
            )
        else:
            self.stdout.write("The queue was not paused.")
        waiting = services.resume_submissions(actor="operator (resume_submissions)")
        self.stdout.write(
            self.style.SUCCESS(f"Submission resumed: {waiting} paid order(s) sent to the workers.")
        )
