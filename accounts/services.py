"""Writes for customer accounts: profiles, saved game accounts, guest orders attached."""

import logging

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from orders.models import Order

from .models import Profile, SavedGameAccount

logger = logging.getLogger(__name__)


def account_key(account: dict) -> str:
    """The game account's fields as one string, the same for the same fields in any order."""
    return "&".join(f"{name}={str(value).strip()}" for name, value in sorted(account.items()))[:400]


def ensure_profile(user) -> Profile:
    return Profile.objects.get_or_create(user=user)[0]


def update_profile(*, user, whatsapp: str, language: str) -> Profile:
    profile = ensure_profile(user)
    Profile.objects.filter(pk=profile.pk).update(whatsapp=whatsapp, language=language)
    profile.refresh_from_db()
    return profile


def attach_guest_orders(*, user, email: str) -> int:
    """Guest orders placed with this (now verified) email become the customer's; how many."""
    if not email:
        return 0
    attached = Order.objects.filter(customer__isnull=True, contact_email__iexact=email).update(
        customer=user
    )
    if attached:
        logger.info("attached %s guest orders to customer %s", attached, user.pk)
    return attached


def remember_game_account(*, order_id: int) -> SavedGameAccount | None:
    """After a customer's order succeeds: its game account is saved (or counted once more).

    An order of a guest, or with no account fields, saves nothing.
    """
    orders = _successes_to_remember([order_id])
    return _remember(orders[0]) if orders else None


def remember_game_accounts(*, order_ids: list[int]) -> None:
    """remember_game_account for each of these orders, called once their success commits
    (orders.services.transitions.on_success_many); the guests' orders among them cost one
    query in all. One order's failure is logged and never stops the others."""
    try:
        orders = _successes_to_remember(order_ids)
    except DatabaseError:
        logger.exception("orders %s: saving the game accounts failed", order_ids)
        return
    for order in orders:
        try:
            _remember(order)
        except DatabaseError:
            logger.exception("order %s: saving the game account failed", order.pk)


def _successes_to_remember(order_ids: list[int]) -> list[Order]:
    """The logged-in customers' orders among these, succeeded, with account fields."""
    orders = (
        Order.objects.select_related("variant__product")
        .filter(pk__in=order_ids, status=Order.Status.SUCCESS, customer__isnull=False)
        .order_by("pk")
    )
    return [order for order in orders if order.account]


def _remember(order: Order) -> SavedGameAccount | None:
    """Count the order's account as bought once more, saving it the first time."""
    assert order.customer_id is not None  # _successes_to_remember's filter
    key = account_key(order.account)
    product = order.variant.product
    now = timezone.now()
    rows = SavedGameAccount.objects.filter(
        user_id=order.customer_id, product=product, account_key=key
    )
    if rows.update(
        times_bought=F("times_bought") + 1, last_used=now, last_variant_code=order.variant_code
    ):
        return rows.first()
    try:
        with transaction.atomic():
            return SavedGameAccount.objects.create(
                user_id=order.customer_id,
                product=product,
                account=order.account,
                account_key=key,
                last_variant_code=order.variant_code,
                times_bought=1,
                last_used=now,
            )
    except IntegrityError:  # saved by a concurrent success a moment ago
        rows.update(times_bought=F("times_bought") + 1, last_used=now)
        return rows.first()


def rename_game_account(*, user, saved_id: int, label: str) -> bool:
    return bool(
        SavedGameAccount.objects.filter(pk=saved_id, user=user).update(label=label.strip()[:60])
    )


def delete_game_account(*, user, saved_id: int) -> bool:
    return SavedGameAccount.objects.filter(pk=saved_id, user=user).delete()[0] > 0


def delete_account(*, user) -> None:
    """The customer deletes their own account, in one transaction. Refused (a
    wallet.services.WalletError whose message says what to do; nothing deleted) while it holds
    a balance (withdraw it first) or a top-up waits for its payment: the wallet's pre_delete
    guard (wallet.services.close_wallet) locks the wallet row, so no credit slips in between.
    Orders stay for the shop's books (their customer link becomes empty); the profile and saved
    game IDs go with the account."""
    with transaction.atomic():
        user.delete()
