"""Reads for customer accounts: history, saved game accounts, reorder links, the typo guard."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from orders.models import Order

from .models import SavedGameAccount

HISTORY_PAGE_SIZE = 20


def order_history(user, *, status: str = "", page: int | str = 1) -> Page:
    """The customer's orders, newest first, 20 a page; `status` filters when it is one."""
    orders = (
        Order.objects.filter(customer=user)
        .select_related("variant__product")
        .order_by("-created_at", "-pk")
    )
    if status in Order.Status.values:
        orders = orders.filter(status=status)
    return Paginator(orders, HISTORY_PAGE_SIZE).get_page(page)


def saved_accounts(user) -> QuerySet[SavedGameAccount]:
    return SavedGameAccount.objects.filter(user=user).select_related("product")


def reorder_url(slug: str, variant_code: str, account: dict) -> str:
    """The game page with the item chosen and the account filled in: the same query as
    orders.selectors.change_order_url (the page renders such a request afresh, uncached)."""
    prefill = {"item": variant_code} if variant_code else {}
    prefill |= {f"account_{name}": value for name, value in account.items()}
    return f"{reverse('catalog:game', args=[slug])}?{urlencode(prefill)}"


def saved_reorder_url(saved: SavedGameAccount) -> str:
    return reorder_url(saved.product.slug, saved.last_variant_code, saved.account)


# --- Typo guard -------------------------------------------------------------------------------


def near_miss(typed: str, known: str) -> bool:
    """True when `typed` is `known` with one digit changed, or two adjacent digits swapped.

    Same length only; identical IDs, and anything further apart, are not near misses.
    """
    if typed == known or len(typed) != len(known) or not typed:
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]
    if len(diff) == 1:
        return typed[diff[0]].isdigit() and known[diff[0]].isdigit()
    if len(diff) == 2:
        i, j = diff
        return j == i + 1 and typed[i] == known[j] and typed[j] == known[i]
    return False


@dataclass(frozen=True)
class Suggestion:
    account: dict
    times_bought: int
    player_id: str
    url: str


def typo_suggestion(typed: dict, saved: list[tuple[dict, int]]) -> tuple[dict, int] | None:
    """Of the accounts bought for before (account, times bought), the one `typed` looks like a
    typo of: every field equal but one, and that one a near miss. The most bought wins."""
    best = None
    for account, times in saved:
        if set(account) != set(typed):
            continue
        differing = [name for name in typed if str(typed[name]) != str(account[name])]
        if len(differing) != 1:
            continue
        name = differing[0]
        if near_miss(str(typed[name]), str(account[name])) and (best is None or times > best[1]):
            best = (account, times)
    return best


def typo_guard(order: Order, user) -> Suggestion | None:
    """For an unpaid order of this logged-in customer: "did you mean" an ID they bought for."""
    if not user.is_authenticated or order.status != Order.Status.AWAITING_PAYMENT:
        return None
    if order.customer_id != user.pk or not order.account:
        return None
    product = order.variant.product
    saved = [
        (row.account, row.times_bought)
        for row in SavedGameAccount.objects.filter(user=user, product=product).only(
            "account", "times_bought"
        )
    ]
    found = typo_suggestion(order.account, saved)
    if found is None:
        return None
    account, times = found
    differing = next(name for name in account if str(account[name]) != str(order.account[name]))
    return Suggestion(
        account=account,
        times_bought=times,
        player_id=str(account[differing]),
        url=reorder_url(product.slug, order.variant_code, account),
    )
