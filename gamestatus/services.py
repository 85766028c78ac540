"""Measuring each game from our own last orders, and the owner's override.

`refresh` runs every GAME_STATUS_INTERVAL seconds (tasks.refresh_game_status): a few queries
over the recent orders, one row per game written. Pages never compute any of it. When what a
page shows changes (a state, or the order of the Popular list) the catalog version moves, so
cached pages show it at once.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from catalog.cache import bump_catalog_version
from catalog.models import Product
from orders.models import Order

from .models import GameStatus, State

S = Order.Status
# Finished one way or the other, as far as the customer is concerned.
DELIVERED = (S.SUCCESS,)
NOT_DELIVERED = (S.FAILED, S.REFUNDED, S.NEEDS_REVIEW)
IN_FLIGHT = (S.PAID, S.SUBMITTING, S.PROCESSING)


@dataclass(frozen=True)
class Measure:
    orders: int
    success_rate: int | None
    median_delivery: int | None
    state: State


def judge(*, success_rate: int | None, median_delivery: int | None, orders: int) -> State:
    """The state thresholds (settings) give for these figures; too few orders say nothing."""
    if orders < settings.GAME_STATUS_MIN_ORDERS:
        return State.OK
    if (success_rate is not None and success_rate < settings.GAME_STATUS_DOWN_SUCCESS_RATE) or (
        median_delivery is not None and median_delivery >= settings.GAME_STATUS_DOWN_SECONDS
    ):
        return State.DOWN
    if (success_rate is not None and success_rate < settings.GAME_STATUS_SLOW_SUCCESS_RATE) or (
        median_delivery is not None and median_delivery >= settings.GAME_STATUS_SLOW_SECONDS
    ):
        return State.SLOW
    return State.OK


def measure(rows: list[dict], *, now: datetime) -> Measure:
    """Figures from one game's last orders (newest first): status, paid_at, completed_at.

    Delivered orders count with their time from payment to delivery. An order still on its
    way counts with its wait so far once that wait reaches the slow threshold: a supplier that
    has stopped delivering shows at once, not only when its orders finally end.
    """
    slow_after = settings.GAME_STATUS_SLOW_SECONDS
    delivered = failed = waiting = 0
    times: list[float] = []
    for row in rows:
        if row["status"] in DELIVERED:
            delivered += 1
            if row["completed_at"] and row["paid_at"]:
                times.append(max((row["completed_at"] - row["paid_at"]).total_seconds(), 0))
        elif row["status"] in NOT_DELIVERED:
            failed += 1
        elif (waited := (now - row["paid_at"]).total_seconds()) >= slow_after:
            times.append(waited)
            waiting += 1
    finished = delivered + failed
    rate = round(100 * delivered / finished) if finished else None
    middle = round(median(times)) if times else None
    counted = finished + sum(1 for row in rows if row["status"] in IN_FLIGHT)
    state = judge(success_rate=rate, median_delivery=middle, orders=finished + waiting)
    return Measure(orders=counted, success_rate=rate, median_delivery=middle, state=state)


def _recent_orders(now: datetime) -> dict[int, list[dict]]:
    """Each game's last GAME_STATUS_WINDOW_ORDERS paid orders within the window, newest first."""
    since = now - timedelta(hours=settings.GAME_STATUS_WINDOW_HOURS)
    rows = (
        Order.objects.filter(
            paid_at__gte=since, status__in=(*DELIVERED, *NOT_DELIVERED, *IN_FLIGHT)
        )
        .order_by("-paid_at")
        .values("variant__product_id", "status", "paid_at", "completed_at")
    )
    per_game: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows.iterator(chunk_size=2000):
        orders = per_game[row["variant__product_id"]]
        if len(orders) < settings.GAME_STATUS_WINDOW_ORDERS:
            orders.append(dict(row))
    return per_game


def _sales(now: datetime) -> dict[int, int]:
    since = now - timedelta(days=settings.POPULAR_SALES_DAYS)
    return dict(
        Product.objects.annotate(
            sold=Count(
                "variants__orders",
                filter=Q(variants__orders__status=S.SUCCESS, variants__orders__paid_at__gte=since),
            )
        )
        .filter(sold__gt=0)
        .values_list("pk", "sold")
    )


def _popular_order(rows) -> list[int]:
    return [row.product_id for row in sorted(rows, key=lambda r: (-r.recent_sales, r.product_id))][
        : settings.POPULAR_GAMES
    ]


def refresh(*, now: datetime | None = None) -> int:
    """Measure every game again; returns how many games changed state."""
    now = now or timezone.now()
    per_game = _recent_orders(now)
    sales = _sales(now)
    with transaction.atomic():
        existing = {row.product_id: row for row in GameStatus.objects.select_for_update()}
        popular_before = _popular_order(existing.values())
        changed_state = 0
        to_create, to_update = [], []
        for product_id in Product.objects.values_list("pk", flat=True):
            found = measure(per_game.get(product_id, []), now=now)
            row = existing.get(product_id)
            if row is None:
                row = GameStatus(product_id=product_id)
                to_create.append(row)
            else:
                to_update.append(row)
                changed_state += row.computed_state != found.state
            row.recent_sales = sales.get(product_id, 0)
            row.orders_counted = found.orders
            row.success_rate = found.success_rate
            row.median_delivery = found.median_delivery
            row.computed_state = found.state
            row.computed_at = now
        changed_state += sum(row.computed_state != State.OK for row in to_create)
        GameStatus.objects.bulk_create(to_create)
        GameStatus.objects.bulk_update(
            to_update,
            [
                "recent_sales",
                "orders_counted",
                "success_rate",
                "median_delivery",
                "computed_state",
                "computed_at",
            ],
        )
        popular_after = _popular_order([*existing.values(), *to_create])
        if changed_state or popular_after != popular_before:
            transaction.on_commit(bump_catalog_version)
    return changed_state


def status_changed() -> None:
    """After the owner saved an override: pages show it at once."""
    transaction.on_commit(bump_catalog_version)
