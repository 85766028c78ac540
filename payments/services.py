"""Payment writes. Payments tell orders "paid" via orders.services; orders ask for refunds here.

A payment attempt belongs to an order or to a wallet deposit (wallet.deposits); both go through
the same functions below, which tell whichever it belongs to (`_tell_paid`, `_tell_closed`).

Every Payment status change is a conditional update, so a repeated notification, a reload or
two workers at once change nothing twice. Provider calls raise only payments.errors.
"""

import json
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from orders import services as order_services
from orders.models import Order
from wallet.models import Deposit

from .errors import PaymentError, PaymentRefused, PaymentUnavailable
from .models import Payment
from .providers import (
    RemoteStatus,
    get_provider,
    parse_amount,
    refund_key,
    signature_is_valid,
    wallet_purchase_cause,
    wallet_refund_cause,
)

logger = logging.getLogger(__name__)
P = Payment.Status
# A refund is sent at most this many times (same refund key) before it is left to a person.
REFUND_TRIES = 2


class NotificationRejected(Exception):
    """A webhook we must not act on; the message says why (no secret in it).

    `unsigned` when it failed the signature check: only those count against the rate limit.
    """

    def __init__(self, message: str, *, status: int = 400, unsigned: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.unsigned = unsigned


class AmountMismatch(Exception):
    """The provider reports a payment of another amount than the attempt's."""


def _set(payment_id: int, *, from_: str | tuple[str, ...], **fields) -> bool:
    """Payment's one conditional UPDATE (from one status, or any of several)."""
    from_ = (from_,) if isinstance(from_, str) else from_
    return bool(
        Payment.objects.filter(pk=payment_id, status__in=from_).update(
            updated_at=timezone.now(), **fields
        )
    )


def start_payment(*, order: Order) -> Payment:
    """Open a payment attempt; a reload reuses the open one instead of starting a second.

    The attempt is recorded under the order's row lock before the provider is called, with
    the amount read under that lock: a promo code applied meanwhile (promotions' apply_promo
    takes the same lock) sees it and is refused, so the amount sent is the order's total.
    Raises PaymentUnavailable or PaymentRefused when the provider cannot start it.
    """
    from orders.cache import order_changed

    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",)).select_related("variant").get(pk=order.pk)
        )
        open_payment = order.payments.filter(status=P.PENDING).first()
        if open_payment:
            return open_payment
        payment = _record_attempt(
            owner={"order": order},
            provider_name=order.payment_provider,
            reference=f"{order.number}-{order.payments.count() + 1}",
            amount=order.price + order.payment_fee,  # the total the customer was shown
        )
    payment = _send_attempt(
        payment,
        item=order.variant_name,
        method=order.payment_method,
        finish_path=reverse("orders:detail", args=[order.number]),
        opened_at=order.created_at,  # payable until the order expires, not from now
    )
    if payment.pay_code or payment.qr_string:
        order_changed(order.number)  # the live status part now shows the QRIS or pay code
    return payment


class DepositClosed(Exception):
    """The deposit is no longer waiting for a payment (paid, expired or failed)."""


def start_deposit_payment(*, deposit: Deposit) -> Payment:
    """Open the payment attempt of a pending wallet deposit, as start_payment does for an order
    (a reload reuses the open attempt: its Snap token and page). Raises PaymentUnavailable or
    PaymentRefused when the provider cannot start it, DepositClosed when it is not pending."""
    open_payment = deposit.payments.filter(status=P.PENDING).first()
    if open_payment:
        return open_payment
    still_open = Deposit.objects.filter(
        pk=deposit.pk, status=Deposit.Status.PENDING, expires_at__gt=timezone.now()
    )
    if not still_open.exists():  # paid, closed, or past its expiry (the beat closes it)
        raise DepositClosed(deposit.reference)
    return _open_attempt(
        owner={"deposit": deposit},
        provider_name=deposit.provider,
        reference=f"{deposit.reference}-{deposit.payments.count() + 1}",
        amount=deposit.amount,
        item=f"Top-up {deposit.reference}",
        finish_path=reverse("wallet:deposit", args=[deposit.reference]),
        opened_at=deposit.created_at,  # payable until the deposit expires, not from now
    )


def _record_attempt(*, owner: dict, provider_name: str, reference: str, amount: int) -> Payment:
    """The attempt's row, before the provider hears of it (its token and page come after)."""
    provider = get_provider(provider_name)
    if provider.name == "sandbox":
        # The sandbox page acts on its reference alone: make it impossible to guess, so that
        # nobody can pay, fail or expire another customer's attempt by counting.
        reference = f"{reference}-{secrets.token_urlsafe(24)}"
    return Payment.objects.create(
        **owner, provider=provider.name, amount=amount, reference=reference
    )


def _send_attempt(
    payment: Payment, *, item: str, finish_path: str, opened_at: datetime, method: str = ""
) -> Payment:
    """Start the recorded attempt at its provider; when the provider cannot, the attempt is
    removed again (nothing was started) and the error raised."""
    try:
        started = get_provider(payment.provider).start(
            reference=payment.reference,
            amount=payment.amount,
            item=item,
            finish_url=settings.SITE_URL.rstrip("/") + finish_path,
            opened_at=opened_at,
            method=method,
        )
    except PaymentError:  # the only kind a provider raises
        Payment.objects.filter(pk=payment.pk, status=P.PENDING).delete()
        raise
    payment.redirect_url = started.redirect_url
    payment.provider_token = started.token
    payment.pay_code = started.pay_code
    payment.qr_string = started.qr_string
    payment.save(update_fields=["redirect_url", "provider_token", "pay_code", "qr_string"])
    return payment


def _open_attempt(
    *,
    owner: dict,
    provider_name: str,
    reference: str,
    amount: int,
    item: str,
    finish_path: str,
    opened_at: datetime,
    method: str = "",
) -> Payment:
    payment = _record_attempt(
        owner=owner, provider_name=provider_name, reference=reference, amount=amount
    )
    return _send_attempt(
        payment, item=item, finish_path=finish_path, opened_at=opened_at, method=method
    )


class NotYourOrder(Exception):
    """Only the order's own customer may pay it with their balance."""


class PromoNotForBalance(Exception):
    """The order's promo code is limited to payment methods the balance is not among."""


def pay_with_wallet(*, order_id: int, user) -> bool:
    """Pay an order at once from its customer's balance; True when this call paid it.

    ONE transaction: the debit (once per order), a paid Payment and orders' mark_paid, so a
    failure anywhere leaves nothing half done. The order row is locked first: a repeated POST
    waits, then finds the order paid and does nothing. Raises NotYourOrder,
    PromoNotForBalance (its promo code is for other payment methods) and
    wallet.services.InsufficientBalance (nothing changed).

    A gateway attempt the customer had opened for the order is cancelled afterwards (at the
    provider, outside the transaction): it cannot take money any more, and if it was paid
    meanwhile, or its notification comes late, that payment takes the late-payment path
    (recorded, and refunded to its method).
    """
    from promotions.selectors import promo_allows_method
    from wallet import services as wallet_services
    from wallet.models import LedgerEntry

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.customer_id is None or order.customer_id != getattr(user, "pk", None):
            raise NotYourOrder(order.number)
        if order.status != Order.Status.AWAITING_PAYMENT:
            return False
        if not promo_allows_method(order, provider="wallet"):
            # Its discount is only for the method chosen: nothing is taken off or charged.
            raise PromoNotForBalance(order.promo_code)
        reference = f"{order.number}-wallet"
        wallet_services.debit(
            user=user,
            amount=order.price,
            kind=LedgerEntry.Kind.PURCHASE,
            cause=wallet_purchase_cause(order.number),
            note=f"{order.product_name} {order.variant_name}"[:500],
            actor=f"customer {user.pk}",
        )
        Payment.objects.create(
            order=order, provider="wallet", status=P.PAID, amount=order.price, reference=reference
        )
        if not order_services.mark_paid(
            order_id=order.pk,
            payment_reference=reference,
            actor="wallet",
            payment_provider="wallet",
        ):
            raise RuntimeError(f"order {order.number} could not be marked paid")  # undoes it all
    cancel_open_payments(order=order)
    return True


def confirm_paid(*, payment: Payment, actor: str = "payment") -> bool:
    """The money arrived: record it once and hand the order to fulfilment.

    An attempt we closed (expired, failed) that the provider nevertheless reports paid is money
    received too: it is recorded, and refunded when its order has closed meanwhile.
    """
    with transaction.atomic():
        if not _set(payment.pk, from_=(P.PENDING, P.EXPIRED, P.FAILED), status=P.PAID):
            return False
        if _tell_paid(payment, actor=actor):
            return True
    _refund_late(payment)
    return False


def _tell_paid(payment: Payment, *, actor: str) -> bool:
    """Hand the money to what it paid for: the order (on to fulfilment) or the deposit (credited
    to the balance, even after it expired: see wallet.deposits.deposit_paid)."""
    if payment.deposit_id is not None:
        from wallet import deposits

        return deposits.deposit_paid(deposit_id=payment.deposit_id, actor=actor)
    return order_services.mark_paid(
        order_id=_order_id(payment), payment_reference=payment.reference, actor=actor
    )


def _tell_closed(payment: Payment, *, state: str, message: str, actor: str) -> None:
    """An attempt failed or expired at the provider: its order expires, or its deposit closes,
    once no other attempt of it is still open."""
    if Payment.objects.filter(status=P.PENDING, **_owner_of(payment)).exists():
        return
    if payment.deposit_id is not None:
        from wallet import deposits

        deposits.deposit_closed(
            deposit_id=payment.deposit_id, status="expired" if state == "expired" else "failed"
        )
        return
    order_services.expire_order(order_id=_order_id(payment), actor=actor, message=message)


def _order_id(payment: Payment) -> int:
    """The order an attempt pays for (set whenever its deposit is not: a CHECK)."""
    if payment.order_id is None:
        raise ValueError(f"payment {payment.reference} is a deposit's, not an order's")
    return payment.order_id


def _owner_of(payment: Payment) -> dict:
    if payment.deposit_id is not None:
        return {"deposit_id": payment.deposit_id}
    return {"order_id": payment.order_id}


def _refund_late(payment: Payment) -> bool:
    """Paid after the order expired (or after another attempt paid it), or for a deposit whose
    account is gone: give the money back."""
    if payment.deposit_id is not None:
        logger.warning(
            "payment %s for a deposit of a deleted account; refunding it", payment.reference
        )
        return _refund_payment(payment, reason="the account to credit was deleted")
    number, status = (
        Order.objects.filter(pk=_order_id(payment)).values_list("number", "status").get()
    )
    after = "expired" if status == Order.Status.EXPIRED else f"was already {status}"
    logger.warning(
        "payment %s arrived after order %s %s; refunding it", payment.reference, number, after
    )
    order_services.note_late_payment(
        order_id=_order_id(payment),
        message=f"Payment {payment.reference} arrived after the order {after}: refunding it.",
    )
    return _refund_payment(payment, reason=f"payment arrived after the order {after}")


def close_payment(*, payment: Payment, status: str) -> bool:
    """A pending attempt failed or expired at the provider."""
    return _set(payment.pk, from_=P.PENDING, status=status)


def cancel_open_payments(*, order: Order | None = None, deposit: Deposit | None = None) -> int:
    """Close the open attempts of an order (or of a deposit), at the provider first; returns
    how many closed.

    One the provider cannot be reached about stays pending: check_pending_payments tries again.
    """
    closed = 0
    for payment in _attempts_of(order=order, deposit=deposit).filter(status=P.PENDING):
        closed += _cancel_at_provider(payment)
    return closed


def _cancel_at_provider(payment: Payment) -> bool:
    try:
        get_provider(payment.provider).cancel(reference=payment.reference)
    except PaymentUnavailable as exc:
        logger.warning("could not cancel payment %s yet: %s", payment.reference, exc)
        return False
    except PaymentRefused as exc:
        # Most often: paid a moment ago. Its real status decides.
        logger.info("provider would not cancel payment %s: %s", payment.reference, exc)
        try:
            remote = get_provider(payment.provider).status(reference=payment.reference)
            apply_remote_status(payment=payment, remote=remote, actor=payment.provider)
        except (PaymentError, AmountMismatch) as again:
            logger.warning(
                "payment %s: status after a refused cancel unknown: %s", payment.reference, again
            )
        return False
    return close_payment(payment=payment, status=P.EXPIRED)


def refund(*, order: Order, reason: str) -> bool:
    """Refund the payment the order was paid with, once; True when it is refunded.

    Only that payment (order.payment_reference): another attempt paid late is refunded on its
    own path (_refund_late), and must neither stand in for it nor count as its refund.
    """
    payment = order.payments.filter(reference=order.payment_reference).first()
    if not order.payment_reference or payment is None:
        return False
    if payment.status != P.PAID:
        return payment.status == P.REFUNDED
    return _refund_payment(payment, reason=reason)


def refund_to_wallet(*, order: Order, user) -> bool:
    """The customer chose to have a failed order's gateway payment back as balance: the payment
    is claimed (paid → refunded, one conditional UPDATE) and the balance credited, in one
    transaction; True when this call did it.

    The automatic refund claims the same row (paid → refunding) in _refund_payment: whichever
    comes first wins and the other finds nothing to claim, so the money never goes back twice.
    The credit's cause is the order's refund cause, unique: a double click credits once.
    """
    from wallet import services as wallet_services
    from wallet.models import LedgerEntry

    from .selectors import refund_choice

    payment = refund_choice(order)
    if payment is None or order.customer_id != getattr(user, "pk", None):
        return False
    with transaction.atomic():
        if not _set(
            payment.pk,
            from_=P.PAID,
            status=P.REFUNDED,
            refunded_to_wallet=True,
            refund_reason="the customer chose a refund to their balance",
        ):
            return False
        entry = wallet_services.credit(
            user=user,
            amount=payment.amount,
            kind=LedgerEntry.Kind.REFUND,
            cause=wallet_refund_cause(order.number),
            note=f"{order.product_name} {order.variant_name}"[:500],
            actor=f"customer {user.pk}",
        )
        Payment.objects.filter(pk=payment.pk).update(refund_reference=f"ledger:{entry.pk}")
    logger.info("payment %s refunded to the customer's balance", payment.reference)
    return True


def _refund_payment(payment: Payment, *, reason: str) -> bool:
    # Claim it first, so two workers can never both send the refund.
    if not _set(
        payment.pk,
        from_=P.PAID,
        status=P.REFUNDING,
        refund_reason=reason[:200],
        refund_attempts=F("refund_attempts") + 1,
    ):
        return Payment.objects.filter(pk=payment.pk, status=P.REFUNDED).exists()
    return _send_refund(payment.pk)


def _send_refund(payment_id: int) -> bool:
    """Send a claimed (refunding) payment's refund and record the answer.

    No answer leaves it refunding: sweep_refunds asks the provider later, and a retry uses the
    same refund key.
    """
    payment = Payment.objects.get(pk=payment_id)
    try:
        result = get_provider(payment.provider).refund(
            reference=payment.reference, amount=payment.amount, reason=payment.refund_reason
        )
    except PaymentUnavailable as exc:
        logger.warning(
            "refund of payment %s got no answer, left for the sweeper: %s", payment.reference, exc
        )
        return False
    if result.ok:
        return _refund_done(payment, reference=result.reference)
    _refund_due(payment, reason=f"{payment.provider} refused the refund: {result.message}")
    return False


def _refund_done(payment: Payment, *, reference: str) -> bool:
    if not _set(payment.pk, from_=P.REFUNDING, status=P.REFUNDED, refund_reference=reference):
        return False
    _tell_order(payment, "refunded")
    return True


def _refund_due(payment: Payment, *, reason: str) -> None:
    if _set(payment.pk, from_=P.REFUNDING, status=P.REFUND_DUE, refund_due_reason=reason[:500]):
        logger.warning("refund of payment %s is due by hand: %s", payment.reference, reason)
        _tell_order(payment, f"refund due: {reason}")


def mark_refunded_by_hand(*, order_id: int, actor: str) -> bool:
    """A person refunded the order's payment by hand (orders.services.refunded_by_hand): from
    refund due (or refunding) to refunded, so that no sweeper sends it again."""
    reference = Order.objects.values_list("payment_reference", flat=True).get(pk=order_id)
    payment = Payment.objects.filter(order_id=order_id, reference=reference).first()
    if not reference or payment is None:
        return False
    done = _set(
        payment.pk,
        from_=(P.REFUND_DUE, P.REFUNDING),
        status=P.REFUNDED,
        refund_reference=f"by hand: {actor}"[:100],
    )
    if done:
        logger.info("payment %s refunded by hand (%s)", payment.reference, actor)
    return done


def _tell_order(payment: Payment, outcome: str) -> None:
    """A late payment's refund ended: noted on its order, whose page then says so."""
    if payment.order_id is None:
        return
    status, paid_by = (
        Order.objects.filter(pk=payment.order_id).values_list("status", "payment_reference").get()
    )
    if status == Order.Status.EXPIRED or paid_by not in ("", payment.reference):
        order_services.note_late_payment(
            order_id=payment.order_id,
            message=f"Payment {payment.reference} arrived after the order closed: {outcome}.",
        )


# --- what the provider says: notifications, status checks ----------------------------------


def apply_remote_status(*, payment: Payment, remote: RemoteStatus, actor: str) -> str:
    """Act on the provider's own word about an attempt; the one place notifications and status
    checks both go through. Returns what it did. Raises AmountMismatch for a paid amount that
    is not the attempt's."""
    if remote.state == "paid":
        if remote.amount != payment.amount:
            _flag_amount_mismatch(payment)
            raise AmountMismatch(payment.reference)
        return "paid" if confirm_paid(payment=payment, actor=actor) else "no-op"
    if remote.state == "refunded":
        return "refunded" if _refunded_at_provider(payment, remote=remote, actor=actor) else "no-op"
    if remote.state in ("failed", "expired"):
        closed = close_payment(
            payment=payment, status=P.EXPIRED if remote.state == "expired" else P.FAILED
        )
        if closed:
            _tell_closed(
                payment,
                state=remote.state,
                message=f"Payment {remote.raw_status} at {payment.provider}.",
                actor=actor,
            )
        return remote.state if closed else "no-op"
    return "pending"


def _flag_amount_mismatch(payment: Payment) -> None:
    """Money the provider took for another amount than the attempt's (or with the gateway's
    own customer fee on top) is never accepted; the order says so, once, for support."""
    if payment.order_id is None:
        return
    order_services.note_late_payment(
        order_id=payment.order_id,
        once=True,
        message=f"{payment.provider} reports payment {payment.reference} paid, but not for its "
        f"amount of Rp {payment.amount} (another amount, or the gateway's own fee charged to the "
        "customer on top): not accepted. Check it at the provider and refund the customer by "
        "hand.",
    )


def _refunded_at_provider(payment: Payment, *, remote: RemoteStatus, actor: str) -> bool:
    """The provider says it gave the money back (Tripay's REFUND): recorded once, and noted on
    the order for support (the order itself does not move: it may have been delivered). A
    refund of ours being confirmed (refunding) ends as every refund of ours does."""
    reference = f"{payment.provider}: {remote.raw_status or 'refunded'}"[:100]
    if payment.status == P.REFUNDING:  # our own refund, confirmed: its usual path
        return _refund_done(payment, reference=reference)
    if not _set(
        payment.pk,
        from_=(P.PENDING, P.PAID, P.EXPIRED, P.FAILED, P.REFUND_DUE),
        status=P.REFUNDED,
        refund_reference=reference,
    ):
        return False
    logger.warning("payment %s was refunded at %s", payment.reference, payment.provider)
    if payment.order_id is not None:
        order_services.note_late_payment(
            order_id=payment.order_id,
            actor=actor,
            message=f"{payment.provider} reports payment {payment.reference} (Rp "
            f"{payment.amount}) refunded ({remote.raw_status}): the money went back to the "
            "customer there. Check the order before acting on it.",
        )
    return True


def handle_midtrans_notification(payload: dict) -> str:
    """Verify a Midtrans notification, confirm it with Midtrans, then act; returns what it did.

    Trust order: signature over the fields as received, then Midtrans' own status API, then
    the amount against the order's price. A repeated notification changes nothing.
    """
    if not isinstance(payload, dict) or not signature_is_valid(
        payload, settings.MIDTRANS_SERVER_KEY
    ):
        raise NotificationRejected("invalid signature", status=403, unsigned=True)
    payment = Payment.objects.filter(
        reference=str(payload["order_id"]), provider="midtrans"
    ).first()
    if payment is None:
        raise NotificationRejected("unknown payment", status=404)
    try:
        remote = get_provider("midtrans").status(reference=payment.reference)
    except PaymentError as exc:  # Midtrans down: answer non-2xx so that it notifies again later
        logger.warning("Midtrans status check for %s failed: %s", payment.reference, exc)
        raise NotificationRejected("could not confirm with Midtrans", status=503) from exc
    if parse_amount(payload.get("gross_amount")) != payment.amount:
        logger.warning("Midtrans amount for %s does not match the order", payment.reference)
        raise NotificationRejected("amount does not match the order")
    try:
        return apply_remote_status(payment=payment, remote=remote, actor="midtrans")
    except AmountMismatch:
        logger.warning("Midtrans amount for %s does not match the order", payment.reference)
        raise NotificationRejected("amount does not match the order") from None


def handle_tripay_callback(*, body: bytes, signature: str, event: str) -> str:
    """Verify a Tripay callback on its raw body, confirm it with Tripay's transaction detail,
    then act; returns what it did. The same trust order as Midtrans' notifications: signature,
    then Tripay's own word, then the amount against the attempt's. A repeat changes nothing.
    """
    from .tripay.client import CALLBACK_EVENT, callback_signature_is_valid
    from .tripay.provider import paid_amount

    if not callback_signature_is_valid(
        private_key=settings.TRIPAY_PRIVATE_KEY, body=body, given=signature
    ):
        raise NotificationRejected("invalid signature", status=403, unsigned=True)
    if event != CALLBACK_EVENT:
        raise NotificationRejected(f"unexpected callback event {event[:40]!r}")
    try:
        payload = json.loads(body)
    except ValueError:
        raise NotificationRejected("body is not JSON") from None
    if not isinstance(payload, dict):
        raise NotificationRejected("body is not a JSON object")
    payment = Payment.objects.filter(
        reference=str(payload.get("merchant_ref")),
        provider="tripay",
        provider_token=str(payload.get("reference")),
    ).first()
    if payment is None:
        raise NotificationRejected("unknown payment", status=404)
    try:
        remote = get_provider("tripay").status(reference=payment.reference)
    except PaymentError as exc:  # Tripay down: answer non-success so that it calls back again
        logger.warning("Tripay status check for %s failed: %s", payment.reference, exc)
        raise NotificationRejected("could not confirm with Tripay", status=503) from exc
    if paid_amount(payload, "total_amount") != payment.amount:
        if remote.state == "paid" and remote.amount != payment.amount:  # Tripay's own word
            _flag_amount_mismatch(payment)
        logger.warning(
            "Tripay amount for %s does not match the order (total %r, Tripay's customer fee "
            "%r): not acted on",
            payment.reference,
            payload.get("total_amount"),
            payload.get("fee_customer"),
        )
        raise NotificationRejected("amount does not match the order")
    try:
        return apply_remote_status(payment=payment, remote=remote, actor="tripay")
    except AmountMismatch:
        logger.warning("Tripay amount for %s does not match the order", payment.reference)
        raise NotificationRejected("amount does not match the order") from None


def refresh_tripay_channels() -> int:
    """Copy the merchant's channels and fees from Tripay's channel list; returns how many it
    listed. Who pays each fee and whether the shop offers the channel (fee_paid_by, active)
    are the shop's settings and are kept. A channel Tripay no longer lists as active is not
    offered; nothing changes when Tripay does not answer."""
    from decimal import Decimal, InvalidOperation

    from .models import TripayChannel
    from .tripay.client import TripayError
    from .tripay.provider import client

    if "tripay" not in settings.PAYMENT_PROVIDERS:
        return 0
    try:
        listed = client().channels()
    except TripayError as exc:
        logger.warning("Tripay channel list not refreshed: %s", exc)
        return 0
    groups = {choice.value.lower(): choice.value for choice in TripayChannel.Group}
    before = _channel_snapshot()
    seen = []
    for entry in listed:
        code, group = str(entry.get("code") or ""), groups.get(str(entry.get("group")).lower())
        # The merchant's fee is what our fees follow; the customer's is Tripay's own, on top.
        merchant_fee, customer_fee = entry.get("fee_merchant"), entry.get("fee_customer")
        merchant = merchant_fee if isinstance(merchant_fee, dict) else {}
        customer = customer_fee if isinstance(customer_fee, dict) else {}
        try:
            defaults = {
                "name": str(entry.get("name") or code)[:100],
                "group": group,
                "direct": str(entry.get("type")).lower() == "direct",
                "fee_flat": int(merchant.get("flat") or 0),
                "fee_percent": Decimal(str(merchant.get("percent") or 0)),
                "tripay_customer_fee_flat": int(customer.get("flat") or 0),
                "tripay_customer_fee_percent": Decimal(str(customer.get("percent") or 0)),
                "minimum_fee": _fee_limit(entry.get("minimum_fee")),
                "maximum_fee": _fee_limit(entry.get("maximum_fee")),
                "minimum_amount": int(entry.get("minimum_amount") or 0),
                "maximum_amount": int(entry.get("maximum_amount") or 0),
                "offered_by_tripay": entry.get("active") is True,
            }
        except (TypeError, ValueError, InvalidOperation):
            logger.warning("Tripay channel %r has an unreadable fee; skipped", code)
            continue
        if defaults["tripay_customer_fee_flat"] or defaults["tripay_customer_fee_percent"]:
            logger.warning(
                "Tripay channel %r charges its fee to the customer on top of our total: not "
                "offered; set its fee to the merchant at Tripay (who pays is set in our admin)",
                code,
            )
        if not code or group is None:
            continue
        TripayChannel.objects.update_or_create(code=code[:32], defaults=defaults)
        seen.append(code[:32])
    TripayChannel.objects.exclude(code__in=seen).update(offered_by_tripay=False)
    if _channel_snapshot() != before:
        tripay_channels_changed()
    return len(seen)


def _channel_snapshot() -> list[tuple]:
    from .models import TripayChannel

    fields = [f.attname for f in TripayChannel._meta.concrete_fields if f.name != "updated_at"]
    return list(TripayChannel.objects.order_by("code").values_list(*fields))


def tripay_channels_changed() -> None:
    """Channels or fees changed (a refresh, the admin): the cached game pages, whose method
    picker shows them, are built again (the catalog version moves)."""
    from catalog.cache import bump_catalog_version

    transaction.on_commit(bump_catalog_version)


def _fee_limit(value) -> int | None:
    """A channel's minimum_fee or maximum_fee: whole rupiah, or None (null: no limit)."""
    return None if value is None or value == "" else int(value)


def check_pending_payments() -> int:
    """Ask the provider about pending attempts that have heard nothing for a while (a lost
    notification), and act as the notification would have; returns how many were asked.

    An attempt whose order closed meanwhile is cancelled at the provider instead of waiting.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.PAYMENT_STATUS_CHECK_AFTER)
    overdue = Payment.objects.filter(status=P.PENDING).filter(
        Q(checked_at__lt=cutoff) | Q(checked_at__isnull=True, created_at__lt=cutoff)
    )
    asked = 0
    for payment in overdue.order_by("created_at")[: settings.PAYMENT_STATUS_CHECK_BATCH]:
        # Lease it: another tick (or another beat by mistake) skips it.
        lease = Payment.objects.filter(
            pk=payment.pk, status=P.PENDING, checked_at=payment.checked_at
        )
        if not lease.update(checked_at=now):
            continue
        asked += 1
        ask_provider(payment=payment, actor=f"{payment.provider} status check")
    return asked


def ask_provider(*, payment: Payment, actor: str) -> str:
    """One status question about a pending attempt, acted on; "unavailable" when unanswered."""
    try:
        remote = get_provider(payment.provider).status(reference=payment.reference)
        outcome = apply_remote_status(payment=payment, remote=remote, actor=actor)
    except PaymentError as exc:
        logger.warning("status check of payment %s failed: %s", payment.reference, exc)
        return "unavailable"
    except AmountMismatch:
        logger.warning(
            "payment %s: the provider reports another amount; not acted on", payment.reference
        )
        return "amount-mismatch"
    if outcome == "pending" and not _still_payable(payment) and _cancel_at_provider(payment):
        return "expired"
    return outcome


def check_payment_now(*, order: Order) -> str:
    """The customer's "Cek status pembayaran" on an unpaid order: ask the provider about each
    open attempt now, and act as its notification would have (a paid order whose callback never
    came is paid at once). Returns "paid", "pending", "unavailable" (no answer) or "closed"
    (the order is not waiting for a payment), or "refunded" (a payment arrived and the provider
    gave it back)."""
    if order.status != Order.Status.AWAITING_PAYMENT:
        return "closed"
    outcomes = []
    for payment in order.payments.filter(status=P.PENDING):
        Payment.objects.filter(pk=payment.pk).update(checked_at=timezone.now())
        outcomes.append(ask_provider(payment=payment, actor="customer status check"))
    if "paid" in outcomes:
        return "paid"
    if "unavailable" in outcomes:
        return "unavailable"
    if "refunded" in outcomes or order.payments.filter(status=P.REFUNDED).exists():
        return "refunded"  # paid, then given back by the provider: not "no payment yet"
    return "pending"


def _still_payable(payment: Payment) -> bool:
    """Is what the attempt pays for still waiting for money (order unpaid, deposit pending)?"""
    if payment.deposit_id is not None:
        return Deposit.objects.filter(pk=payment.deposit_id, status=Deposit.Status.PENDING).exists()
    return Order.objects.filter(
        pk=_order_id(payment), status=Order.Status.AWAITING_PAYMENT
    ).exists()


def _attempts_of(*, order: Order | None = None, deposit: Deposit | None = None):
    if order is not None and deposit is None:
        return order.payments.all()
    if deposit is not None and order is None:
        return deposit.payments.all()
    raise TypeError("give an order or a deposit")


def paid_at_provider(*, order: Order | None = None, deposit: Deposit | None = None) -> bool:
    """Before an unpaid order (or a pending deposit) expires: ask the provider once about each
    open attempt (a lost notification must not expire what was paid). True when it turned out
    paid."""
    for payment in _attempts_of(order=order, deposit=deposit).filter(status=P.PENDING):
        Payment.objects.filter(pk=payment.pk).update(checked_at=timezone.now())
        if ask_provider(payment=payment, actor=f"{payment.provider} check before expiry") == "paid":
            return True
    return False


# --- the refund sweeper --------------------------------------------------------------------


def sweep_refunds() -> int:
    """Finish refunds a dead process left behind; returns how many payments it looked at.

    The payment side of the one refund flow (orders.services.refund_order tells it whole):
    while a payment is refunding only this sweeper acts on it, and its order follows.

    - refunding for longer than PAYMENT_REFUND_STUCK_AFTER (the process died, or the provider
      did not answer): ask the provider. Refunded there → refunded here. Otherwise send the
      refund again, once, with the same refund key; after that, refund due with the reason.
    - paid, but not the payment its order was paid with (a late payment whose refund never
      started): refund it.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.PAYMENT_REFUND_STUCK_AFTER)
    looked = 0
    stuck = Payment.objects.filter(status=P.REFUNDING, updated_at__lt=cutoff)
    for payment in stuck.order_by("updated_at")[: settings.PAYMENT_STATUS_CHECK_BATCH]:
        if not Payment.objects.filter(
            pk=payment.pk, status=P.REFUNDING, updated_at__lt=cutoff
        ).update(updated_at=now):
            continue  # another sweeper has it
        looked += 1
        _resume_refund(payment)
        # The failed order whose refund this was follows at once: refunded, refund due, or
        # still in progress (a no-op for any other order).
        if payment.order_id is not None:
            order_services.refund_order(order_id=payment.order_id, actor="refund sweeper")
    # Orders' payments only: a deposit's late payment is credited, not refunded (wallet.deposits).
    orphans = Payment.objects.filter(status=P.PAID, updated_at__lt=cutoff, order__isnull=False)
    orphans = orphans.filter(
        Q(order__status=Order.Status.EXPIRED)
        | (~Q(order__payment_reference="") & ~Q(order__payment_reference=F("reference")))
    )
    for payment in orphans[: settings.PAYMENT_STATUS_CHECK_BATCH]:
        looked += 1
        _refund_late(payment)
    return looked


def _resume_refund(payment: Payment) -> bool:
    """True when the payment is now refunded."""
    try:
        remote = get_provider(payment.provider).status(reference=payment.reference)
    except PaymentError as exc:
        logger.warning("refund sweeper: status of payment %s unknown: %s", payment.reference, exc)
        return False  # asked again on the next sweep
    if remote.state == "refunded":
        logger.info(
            "refund sweeper: payment %s was refunded at %s", payment.reference, payment.provider
        )
        return _refund_done(payment, reference=refund_key(payment.reference))
    if payment.refund_attempts < REFUND_TRIES:
        Payment.objects.filter(pk=payment.pk, status=P.REFUNDING).update(
            refund_attempts=F("refund_attempts") + 1
        )
        logger.info(
            "refund sweeper: sending the refund of payment %s again (same key)", payment.reference
        )
        return _send_refund(payment.pk)
    _refund_due(
        payment,
        reason=f"{payment.provider} did not confirm the refund after {payment.refund_attempts}"
        f" tries (its status: {remote.raw_status or remote.state}); check and refund by hand",
    )
    return False
