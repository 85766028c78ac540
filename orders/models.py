"""Orders, their event log, and the submission queue's pause switch.

Status changes happen only in orders/services/ (transitions._transition), as conditional
UPDATEs, and only along Order.TRANSITIONS.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Crockford's base32 without I, L, O, U: easy to read aloud, hard to guess (32^8 ≈ 10^12).
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_order_number() -> str:
    return "GR-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def new_reference_number() -> str:
    return "GRR" + secrets.token_hex(8).upper()


class Order(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")
        PAID = "paid", _("paid")
        SUBMITTING = "submitting", _("submitting")
        PROCESSING = "processing", _("processing")
        SUCCESS = "success", _("success")
        FAILED = "failed", _("failed")
        REFUNDED = "refunded", _("refunded")
        EXPIRED = "expired", _("expired")
        NEEDS_REVIEW = "needs_review", _("needs review")

    FINAL = (Status.SUCCESS, Status.REFUNDED, Status.EXPIRED)

    # The state machine: from → the statuses an order may move to (as django-oscar's
    # OSCAR_ORDER_STATUS_PIPELINE). orders.services.transitions._transition refuses anything
    # else; the README's diagram is drawn from this table (orders/diagram.py).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        # paid (payments.confirm_paid → mark_paid); expired or changed by the customer
        Status.AWAITING_PAYMENT: (Status.PAID, Status.EXPIRED),
        # claimed by a submit worker
        Status.PAID: (Status.SUBMITTING,),
        # placed (or adopted); back to wait (no answer, balance, cost unread, sweeper);
        # refused by isipay; doubtful (review)
        Status.SUBMITTING: (Status.PROCESSING, Status.PAID, Status.FAILED, Status.NEEDS_REVIEW),
        # isipay's final word from polling; not final for too long or unknown word (review)
        Status.PROCESSING: (Status.SUCCESS, Status.FAILED, Status.NEEDS_REVIEW),
        # resolved by hand
        Status.NEEDS_REVIEW: (Status.SUCCESS, Status.FAILED),
        # refunded by the provider, or by hand (refunded_by_hand)
        Status.FAILED: (Status.REFUNDED,),
        Status.SUCCESS: (),
        Status.REFUNDED: (),
        Status.EXPIRED: (),
    }

    number = models.CharField(max_length=20, unique=True, default=new_order_number, editable=False)
    reference_number = models.CharField(
        max_length=40, unique=True, default=new_reference_number, editable=False
    )
    invoice_number = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT, db_index=True
    )

    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="orders")
    # Frozen at creation: later catalog changes never alter an order.
    product_code = models.CharField(max_length=100)
    product_name = models.CharField(max_length=200)
    variant_code = models.CharField(max_length=100)
    variant_name = models.CharField(max_length=300)
    price = models.PositiveBigIntegerField(help_text="What the customer pays, in rupiah.")
    cost = models.PositiveBigIntegerField(help_text="Supplier cost when ordered, in rupiah.")
    # The price's breakdown, frozen with it (promotions.quote.Quote): price = (sale_price or
    # base_price) - promo_discount; the payment fee is on top of it (payment_fee, below).
    # subsidy_cost: how far a subsidised sale or code took it below cost + the minimum margin
    # (a cost in profit).
    tier_name = models.CharField(max_length=60, blank=True)
    base_price = models.PositiveBigIntegerField(
        default=0, help_text="Cost plus the customer's tier markup, in rupiah."
    )
    sale_price = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The flash-sale price, when there was one."
    )
    promo_code = models.CharField(max_length=40, blank=True)
    promo_discount = models.PositiveBigIntegerField(default=0)
    subsidy_cost = models.PositiveBigIntegerField(default=0)
    margin_floor = models.PositiveBigIntegerField(
        default=0, help_text="Cost plus the minimum margin: no unsubsidised price goes below it."
    )
    # What isipay charges: the cost read (at most SUPPLIER_COST_MAX_AGE old) just before the
    # order was placed. Profit and reconciliation use it when set (ACTUAL_COST).
    placed_cost = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Supplier cost when placed at isipay, in rupiah."
    )

    account = models.JSONField(default=dict, help_text="The game account fields as typed.")
    data = models.CharField(max_length=300, help_text="The data string sent to isipay.")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    # The buyer asked for order news on WhatsApp at checkout (notifications app).
    whatsapp_opt_in = models.BooleanField(default=False)
    # The logged-in customer who placed it, or whose verified email a guest order carried.
    customer = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    buyer_ip = models.GenericIPAddressField(null=True, blank=True)
    language = models.CharField(max_length=10, default="id")

    payment_provider = models.CharField(max_length=20, default="sandbox")
    # The gateway's channel (Tripay: QRIS, BRIVA, ...; "" for a provider without channels), the
    # fee the customer pays on top of the price, and the gateway's fee the shop bears.
    payment_method = models.CharField(max_length=32, blank=True)
    payment_fee = models.PositiveBigIntegerField(default=0)
    payment_gateway_fee = models.PositiveBigIntegerField(default=0)
    payment_reference = models.CharField(max_length=100, blank=True)

    supplier_status = models.CharField(max_length=50, blank=True)
    supplier_status_since = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    # Set when a failed order could not be refunded automatically: what a person has to do.
    refund_due_reason = models.TextField(blank=True)
    # When isipay first said our reference was used: its invoice is looked up until then
    # + ORDER_ADOPT_RETRY_FOR, and the order is not sent again meanwhile.
    duplicate_seen_at = models.DateTimeField(null=True, blank=True)
    # When an attempt first found isipay's current price unreadable (nothing was sent): such
    # attempts are retried until then + ORDER_COST_RETRY_FOR without counting as submissions.
    cost_unread_since = models.DateTimeField(null=True, blank=True)
    submit_attempts = models.PositiveIntegerField(default=0)
    next_submit_at = models.DateTimeField(null=True, blank=True)
    poll_count = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The beat tick's "due for polling" query reads only processing orders.
            models.Index(
                fields=["next_poll_at"], name="order_due_poll", condition=Q(status="processing")
            ),
            models.Index(
                fields=["next_submit_at"], name="order_waiting_submit", condition=Q(status="paid")
            ),
            models.Index(fields=["status", "created_at"], name="order_status_created"),
            # A customer's history, newest first.
            models.Index(fields=["customer", "created_at"], name="order_customer_created"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def price_before_code(self) -> int:
        """The item's price before any promo code: the flash-sale price when there was one."""
        return self.sale_price if self.sale_price is not None else self.base_price

    @property
    def actual_cost(self) -> int:
        """The cost that counts: what isipay charged at placement, else the quoted cost."""
        return self.cost if self.placed_cost is None else self.placed_cost

    @property
    def is_refund_due(self) -> bool:
        return self.status == self.Status.FAILED and bool(self.refund_due_reason)


TRANSITIONS = Order.TRANSITIONS


class IllegalTransition(Exception):
    """A status change Order.TRANSITIONS does not allow; refused before the database is touched."""

    def __init__(self, from_: str, to: str):
        super().__init__(f"an order cannot go from {from_} to {to}")
        self.from_ = from_
        self.to = to


# ACTUAL_COST in queries: Sum(ACTUAL_COST), annotate(profit=F("price") - ACTUAL_COST).
ACTUAL_COST = Coalesce("placed_cost", "cost")


def actual_cost_of(relation: str) -> Coalesce:
    """ACTUAL_COST through a relation, e.g. actual_cost_of("order__")."""
    return Coalesce(f"{relation}placed_cost", f"{relation}cost")


class OrderEvent(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.CharField(max_length=100, help_text="system, customer, payment, or a user")
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} → {self.to_status}"


class SubmissionQueue(models.Model):
    """One row: whether placing orders at isipay is paused (e.g. supplier balance too low)."""

    paused_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "submission queue"

    def __str__(self) -> str:
        return f"Paused since {self.paused_at:%Y-%m-%d %H:%M}" if self.paused_at else "Running"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @classmethod
    def get(cls) -> "SubmissionQueue":
        return cls.objects.get_or_create(pk=1)[0]
