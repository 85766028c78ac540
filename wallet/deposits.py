"""Deposits: a customer tops up their balance through a payment provider.

A deposit's payment attempt is a payments.Payment (its `deposit` set instead of its `order`),
so it goes through the very code an order's payment does: the provider's page, the signed
notification confirmed with the provider's status API, the amount check against the attempt,
repeats changing nothing, Snap token reuse, the beat task's checks of pending attempts.
payments.services tells this module what happened, as it tells orders.services for an order:

- paid → deposit_paid: the deposit is paid and the balance credited, ONCE (ledger kind deposit,
  cause "deposit:<reference>", unique), in the transaction that records the payment;
- failed / expired at the provider → deposit_closed;
- unpaid past its expiry → expire_deposits closes it, and its attempt at the provider.

Every status change is one conditional UPDATE (`… WHERE status IN expected`).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefront.templatetags.money import rupiah

from .models import Deposit, LedgerEntry
from .services import WalletError, credit

logger = logging.getLogger(__name__)
D = Deposit.Status


class DepositRefused(WalletError):
    """The amount or the method cannot be used; the message says why. Nothing was created."""


def deposit_limits() -> tuple[int, int]:
    return settings.WALLET_DEPOSIT_MIN, settings.WALLET_DEPOSIT_MAX


def create_deposit(*, user, amount: int, provider: str) -> Deposit:
    """A pending deposit of `amount` rupiah, payable through `provider` until it expires
    (PAYMENT_TIMEOUT, like an order). Raises DepositRefused for an amount out of range or a
    provider the shop does not offer."""
    low, high = deposit_limits()
    if type(amount) is not int or not low <= amount <= high:
        raise DepositRefused(
            _("Choose an amount from %(low)s to %(high)s.")
            % {"low": rupiah(low), "high": rupiah(high)}
        )
    if provider not in settings.PAYMENT_PROVIDERS:
        raise DepositRefused(_("Choose a payment method."))
    if not getattr(user, "pk", None):
        raise DepositRefused(_("Log in to top up your balance."))
    now = timezone.now()
    return Deposit.objects.create(
        user=user,
        amount=amount,
        provider=provider,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(seconds=settings.PAYMENT_TIMEOUT),
    )


def _move(deposit_id: int, *, from_: tuple[str, ...], to: str, **fields) -> bool:
    """The deposit's one conditional UPDATE."""
    return bool(
        Deposit.objects.filter(pk=deposit_id, status__in=from_).update(
            status=to, updated_at=timezone.now(), **fields
        )
    )


def deposit_paid(*, deposit_id: int, actor: str) -> bool:
    """The money of the deposit arrived: paid, and the balance credited once; True when this
    call did it (a repeat finds it paid and changes nothing).

    Called by payments.services.confirm_paid inside the transaction that marks the payment
    paid, so the payment, the deposit and the ledger entry commit together.

    A payment that arrives after the deposit expired (or failed at the provider) is credited
    too, unlike an order's late payment, which is refunded: an expired order cannot be
    fulfilled any more (its price and item were for then), but a deposit has nothing left to
    do except add the money to the balance, which is what the customer paid for. Crediting is
    instant and free; a refund through the provider takes days and may cost a fee. The customer
    sees the balance at once and can spend it or ask for a payout.

    False (nothing credited) only when the account is gone: the money has nowhere to go here,
    and payments.services refunds it through the provider instead.
    """
    deposit = Deposit.objects.select_related("user").get(pk=deposit_id)
    if deposit.user is None:
        logger.warning("deposit %s was paid after its account was deleted", deposit.reference)
        return False
    with transaction.atomic():
        if not _move(
            deposit_id,
            from_=(D.PENDING, D.EXPIRED, D.FAILED),
            to=D.PAID,
            paid_at=timezone.now(),
        ):
            return False
        if deposit.status != D.PENDING:
            logger.info(
                "deposit %s was paid after it %s: credited all the same",
                deposit.reference,
                deposit.status,
            )
        entry = credit(
            user=deposit.user,
            amount=deposit.amount,
            kind=LedgerEntry.Kind.DEPOSIT,
            cause=deposit.ledger_cause,
            note=_("Top-up %(reference)s") % {"reference": deposit.reference},
            actor=actor,
        )
        _tell_customer(deposit, balance=entry.balance_after)
    return True


def _tell_customer(deposit: Deposit, *, balance: int) -> None:
    """The deposit-received message, written to the outbox in the crediting transaction: by
    e-mail, and by WhatsApp to the number the customer keeps on their profile."""
    from notifications.services import notify_deposit_received

    user = deposit.user
    profile = getattr(user, "profile", None)
    notify_deposit_received(
        deposit_id=deposit.pk,
        amount=deposit.amount,
        balance=balance,
        email=user.email,
        phone=profile.whatsapp if profile else "",
        whatsapp_opt_in=bool(profile and profile.whatsapp),
        language=profile.language if profile and profile.language else "id",
    )


def deposit_closed(*, deposit_id: int, status: str) -> bool:
    """Its payment failed or expired at the provider: the deposit closes (still credited if the
    money arrives after all: see deposit_paid)."""
    if status not in (D.EXPIRED, D.FAILED):
        raise ValueError(f"a deposit closes as expired or failed, not {status!r}")
    return _move(deposit_id, from_=(D.PENDING,), to=status)


def expire_deposits(*, time_budget: float = 40.0) -> int:
    """Pending deposits past their expiry close, and their open attempts at the provider with
    them; returns how many closed. As orders.services.expire_unpaid: each open attempt is asked
    about first (a lost notification must not expire a paid deposit), and the time budget is
    checked before each one."""
    from payments import services as payments

    deadline = timezone.now() + timedelta(seconds=time_budget)
    expired = 0
    due = Deposit.objects.filter(status=D.PENDING, expires_at__lt=timezone.now())
    for deposit in due.order_by("expires_at"):
        if timezone.now() >= deadline:
            break
        if payments.paid_at_provider(deposit=deposit):
            continue
        if _move(deposit.pk, from_=(D.PENDING,), to=D.EXPIRED):
            payments.cancel_open_payments(deposit=deposit)
            expired += 1
    return expired
