from django.db import models
from django.db.models import Q
from django.utils import timezone


class Payment(models.Model):
    """One payment attempt at one provider, for an order or for a wallet deposit (exactly one
    of the two): both go through the same notification, status check, expiry and refund code."""

    class Status(models.TextChoices):
        PENDING = "pending"
        PAID = "paid"
        FAILED = "failed"
        EXPIRED = "expired"
        REFUNDING = "refunding"
        REFUNDED = "refunded"
        REFUND_DUE = "refund_due", "refund due"

    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    deposit = models.ForeignKey(
        "wallet.Deposit", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    amount = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=100, unique=True)
    redirect_url = models.URLField(max_length=500, blank=True)
    provider_token = models.CharField(max_length=200, blank=True)
    # A DIRECT channel's pay code or virtual account number, or its QRIS string: shown on the
    # shop's own page instead of sending the customer to the gateway's.
    pay_code = models.CharField(max_length=64, blank=True)
    qr_string = models.TextField(blank=True)
    refund_reference = models.CharField(max_length=100, blank=True)
    # Why the money goes back, as sent to the provider; how often the refund was sent.
    refund_reason = models.CharField(max_length=200, blank=True)
    refund_attempts = models.PositiveSmallIntegerField(default=0)
    # The customer chose to have it back as balance (instant) instead of through the provider.
    refunded_to_wallet = models.BooleanField(default=False)
    # Why a person has to refund it (the provider refused, or never confirmed).
    refund_due_reason = models.CharField(max_length=500, blank=True)
    # Last time the provider was asked about this attempt (lost notifications).
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(order__isnull=False) & Q(deposit__isnull=True))
                | (Q(order__isnull=True) & Q(deposit__isnull=False)),
                name="payment_for_an_order_or_a_deposit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference} ({self.status})"


class TripayChannel(models.Model):
    """One of the merchant's Tripay channels, refreshed from Tripay's channel list by a beat
    task. Tripay's fee (flat + percent of the amount) is paid by the customer on top of the
    price, or borne by the shop: `fee_paid_by`, set per channel in the admin and kept across
    refreshes."""

    class Group(models.TextChoices):
        QRIS = "QRIS", "QRIS"
        EWALLET = "E-Wallet", "E-Wallet"
        VIRTUAL_ACCOUNT = "Virtual Account", "Virtual Account"
        CONVENIENCE_STORE = "Convenience Store", "Minimarket"

    class Payer(models.TextChoices):
        CUSTOMER = "customer"
        SHOP = "shop"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    group = models.CharField(max_length=32, choices=Group.choices)
    direct = models.BooleanField(default=True, help_text="Paid on the shop's own page.")
    # Tripay's fee on the merchant (its channel list's fee_merchant): what our fees follow.
    fee_flat = models.PositiveIntegerField(default=0)
    fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # Tripay's own fee on the customer (fee_customer), set at Tripay ("fee charged to the
    # customer"): Tripay adds it on top of the amount we ask, so the customer would pay more
    # than our pages show. A channel with one is not offered (set the fee to the merchant at
    # Tripay, and choose who pays here with fee_paid_by).
    tripay_customer_fee_flat = models.PositiveIntegerField(default=0)
    tripay_customer_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    fee_paid_by = models.CharField(max_length=10, choices=Payer.choices, default=Payer.CUSTOMER)
    # Tripay's floor and ceiling of the fee (flat + percent is clamped to them); None: none.
    minimum_fee = models.PositiveIntegerField(null=True, blank=True)
    maximum_fee = models.PositiveIntegerField(null=True, blank=True)
    minimum_amount = models.PositiveBigIntegerField(default=0)
    maximum_amount = models.PositiveBigIntegerField(default=0)
    active = models.BooleanField(default=True)
    # Set by the refresh: False once Tripay no longer lists it as active for the merchant.
    offered_by_tripay = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def tripay_charges_the_customer(self) -> bool:
        return bool(self.tripay_customer_fee_flat or self.tripay_customer_fee_percent)
