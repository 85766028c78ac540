"""Notes on orders for Support: a customer's complaint sent from the order page (anyone with
the order's link may send one), or a note written by staff."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrderNote(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Customer complaint")
        STAFF = "staff", _("Staff note")

    class Topic(models.TextChoices):
        NOT_RECEIVED = "not_received", _("I have not received my top-up")
        WRONG_ACCOUNT = "wrong_account", _("It went to a wrong account")
        PAYMENT = "payment", _("A problem with my payment or refund")
        OTHER = "other", _("Something else")

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="notes", verbose_name=_("order")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STAFF)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    text = models.TextField(_("text"))
    contact = models.CharField(
        _("contact"), max_length=254, blank=True, help_text=_("How the customer wants an answer.")
    )
    author = models.CharField(
        _("written by"), max_length=150, blank=True, help_text=_("Empty: the customer.")
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order note")
        verbose_name_plural = _("order notes")
        indexes = [models.Index(fields=["kind", "handled_at"], name="note_open_by_kind")]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_kind_display()}"
