"""Back-office reads: the dashboard's figures, the money reports and the balance reconciliation.

Each one is a fixed number of queries whatever the number of orders. A sale counts on the day
its order succeeded (completed_at), in the shop's time zone; profit is price - cost of
successful orders, the price frozen on the order when it was created and the cost what isipay
charged when it was placed (ACTUAL_COST: the quoted cost for orders placed before it was kept).
"""

import bisect
import itertools
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    ExpressionWrapper,
    Max,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from orders.models import ACTUAL_COST, Order, OrderEvent, actual_cost_of

from .models import BalanceDeposit, BalanceSnapshot

logger = logging.getLogger(__name__)
S = Order.Status

# --- the isipay balance --------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceReading:
    balance: int
    read_at: datetime

    @property
    def is_low(self) -> bool:
        return self.balance < settings.ISIPAY_LOW_BALANCE_WARNING

    @property
    def is_stale(self) -> bool:
        """Older than two snapshot intervals: the workers have not been able to read it since."""
        age = timezone.now() - self.read_at
        return age > timedelta(seconds=2 * settings.BALANCE_SNAPSHOT_INTERVAL)


def last_known_balance() -> BalanceReading | None:
    """The newest balance the workers recorded (backoffice.services.record_balance_snapshot).

    Pages show this stored reading and its age; they never call isipay themselves.
    """
    snapshot = BalanceSnapshot.objects.order_by("-taken_at").first()
    return BalanceReading(snapshot.balance, snapshot.taken_at) if snapshot else None


# --- periods -------------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the shop's time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _sold(start: date, end: date) -> QuerySet[Order]:
    """Successful orders completed from the start of `start` to the end of `end` (local days)."""
    return Order.objects.filter(
        status=S.SUCCESS,
        completed_at__gte=day_start(start),
        completed_at__lt=day_start(end + timedelta(days=1)),
    )


# --- money ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sales:
    orders: int = 0
    revenue: int = 0
    cost: int = 0
    # Payment gateway fees the shop bore (Order.payment_gateway_fee); a fee the customer paid
    # on top of the price is neither revenue nor cost.
    fees: int = 0
    # What subsidised flash sales and promo codes took below cost + the minimum margin: already
    # out of revenue (the price was lower), shown as a cost of its own (promotions).
    subsidy: int = 0

    @property
    def profit(self) -> int:
        return self.revenue - self.cost - self.fees

    @property
    def margin_percent(self) -> float | None:
        return round(self.profit * 100 / self.revenue, 1) if self.revenue else None


@dataclass(frozen=True)
class DaySales(Sales):
    day: date | None = None


@dataclass(frozen=True)
class GameSales(Sales):
    code: str = ""
    name: str = ""


# A group of sold orders' figures, as _sales reads them back (one per Sales field).
_SALES_SUMS = {
    "orders": Count("pk"),
    "revenue": Sum("price"),
    "cost": Sum(ACTUAL_COST),
    "fees": Sum("payment_gateway_fee"),
    "subsidy": Sum("subsidy_cost"),
}


def _sales(row: dict, prefix: str = "") -> dict:
    return {
        "orders": row[f"{prefix}orders"] or 0,
        "revenue": row[f"{prefix}revenue"] or 0,
        "cost": row[f"{prefix}cost"] or 0,
        "fees": row.get(f"{prefix}fees") or 0,
        "subsidy": row.get(f"{prefix}subsidy") or 0,
    }


def sales_summary(*, today: date) -> dict[str, Sales]:
    """Sales today, over the last 7 and the last 30 days (today included), in one query."""
    periods = {
        "today": today,
        "week": today - timedelta(days=6),
        "month": today - timedelta(days=29),
    }
    aggregates: dict[str, Aggregate] = {}
    for name, first in periods.items():
        since = Q(completed_at__gte=day_start(first))
        aggregates[f"{name}_orders"] = Count("pk", filter=since)
        aggregates[f"{name}_revenue"] = Sum("price", filter=since)
        aggregates[f"{name}_cost"] = Sum(ACTUAL_COST, filter=since)
        aggregates[f"{name}_fees"] = Sum("payment_gateway_fee", filter=since)
    row = _sold(periods["month"], today).aggregate(**aggregates)
    return {name: Sales(**_sales(row, f"{name}_")) for name in periods}


def sales_by_day(*, start: date, end: date) -> list[DaySales]:
    """One row per local day from start to end, days without sales included."""
    rows = (
        _sold(start, end)
        .annotate(day=TruncDate("completed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(**_SALES_SUMS)
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    return [
        DaySales(day=day, **_sales(by_day[day])) if day in by_day else DaySales(day=day)
        for day in days_between(start, end)
    ]


def sales_by_game(*, start: date, end: date) -> list[GameSales]:
    """Games by profit over the period, most profitable first."""
    rows = (
        _sold(start, end)
        .values("product_code")
        .annotate(name=Max("product_name"), **_SALES_SUMS)
        .order_by("product_code")
    )
    games = [GameSales(code=row["product_code"], name=row["name"], **_sales(row)) for row in rows]
    return sorted(games, key=lambda game: (-game.profit, game.name))


def total(rows: list[Sales]) -> Sales:
    return Sales(
        orders=sum(row.orders for row in rows),
        revenue=sum(row.revenue for row in rows),
        cost=sum(row.cost for row in rows),
        fees=sum(row.fees for row in rows),
        subsidy=sum(row.subsidy for row in rows),
    )


# --- orders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    today: int
    week: int


def orders_by_status(*, today: date) -> list[StatusCount]:
    """Orders placed today and over the last 7 days, by status, in one query."""
    week_start = day_start(today - timedelta(days=6))
    rows = (
        Order.objects.filter(created_at__gte=week_start)
        .values("status")
        .annotate(week=Count("pk"), today=Count("pk", filter=Q(created_at__gte=day_start(today))))
        .order_by("status")
    )
    counts = {row["status"]: row for row in rows}
    return [
        StatusCount(status, str(label), counts[status]["today"], counts[status]["week"])
        for status, label in S.choices
        if status in counts
    ]


REVIEW_FIELDS = (
    "pk",
    "number",
    "product_name",
    "variant_name",
    "price",
    "review_reason",
    "updated_at",
    "status",
)


def orders_to_review(*, limit: int = 50) -> QuerySet[Order]:
    """Orders waiting for a person, oldest first."""
    return (
        Order.objects.filter(status=S.NEEDS_REVIEW)
        .only(*REVIEW_FIELDS)
        .order_by("updated_at")[:limit]
    )


def review_count() -> int:
    return Order.objects.filter(status=S.NEEDS_REVIEW).count()


# --- reconciliation ------------------------------------------------------------------------
#
# isipay takes an order's cost from the deposit when it accepts the order. Whether it gives
# that cost back when the order fails there, its API document does not say: that is the
# setting ISIPAY_REFUNDS_FAILED_ORDERS, and the report shows the failed orders' cost on its own
# line and the difference under the other assumption too. Between two balance snapshots the
# balance should move by: deposits - costs of orders isipay accepted (+ costs of orders isipay
# failed, if it gives them back). Our event log dates each of those moments:
#   submitting -> processing                   isipay accepted the order: charged
#   processing -> failed                       isipay reported a failure: failed there
#   needs_review -> success, with no invoice   delivered, though we never saw isipay accept it:
#                                              charged (dated when a person confirmed it)
#   needs_review -> failed, with an invoice    isipay had accepted it; not delivered: failed
# A charge or refund that isipay made just before a snapshot but we recorded just after it
# shows as a difference in one interval and the opposite in the next; a difference that stays
# in the running total is money to look into.

CHARGED = Q(from_status=S.SUBMITTING, to_status=S.PROCESSING) | Q(
    from_status=S.NEEDS_REVIEW, to_status=S.SUCCESS, order__invoice_number=""
)
FAILED_AT_ISIPAY = Q(from_status=S.PROCESSING, to_status=S.FAILED) | Q(
    Q(from_status=S.NEEDS_REVIEW, to_status=S.FAILED) & ~Q(order__invoice_number="")
)


@dataclass
class Interval:
    start: datetime
    end: datetime
    balance_start: int
    balance_end: int
    # The one assumption the expected change rests on (ISIPAY_REFUNDS_FAILED_ORDERS).
    refunds_failed: bool = True
    charged: int = 0
    charged_orders: list[str] = field(default_factory=list)
    failed: int = 0  # the cost of orders isipay accepted and then failed
    failed_orders: list[str] = field(default_factory=list)
    deposits: int = 0
    running_difference: int = 0
    # What subsidised promotions (flash sales, promo codes) cost the shop on the orders charged
    # here, less those that failed (their customers got their money back): the orders'
    # subsidy_cost, as in the sales tables. Not a move of the isipay balance: the customer
    # paid that much less than cost + the minimum margin; so outside expected and difference.
    subsidy: int = 0

    @property
    def actual(self) -> int:
        return self.balance_end - self.balance_start

    @property
    def refunded(self) -> int:
        """What the expected change counts as given back for failed orders."""
        return self.failed if self.refunds_failed else 0

    @property
    def expected(self) -> int:
        return self.deposits - self.charged + self.refunded

    @property
    def difference(self) -> int:
        return self.actual - self.expected

    @property
    def difference_otherwise(self) -> int:
        """The difference if the assumption about failed orders were the opposite one."""
        return self.difference + (self.failed if self.refunds_failed else -self.failed)

    @property
    def quiet(self) -> bool:
        return not (self.charged_orders or self.failed_orders or self.deposits or self.difference)


@dataclass
class Reconciliation:
    intervals: list[Interval]
    refunds_failed: bool = True

    @property
    def ok(self) -> bool:
        return bool(self.intervals)

    @property
    def difference(self) -> int:
        return sum(interval.difference for interval in self.intervals)

    @property
    def difference_otherwise(self) -> int:
        return sum(interval.difference_otherwise for interval in self.intervals)

    def sum(self, name: str) -> int:
        return sum(getattr(interval, name) for interval in self.intervals)


def reconciliation(*, start: datetime, end: datetime) -> Reconciliation:
    """The balance change between consecutive snapshots against what our orders and the
    recorded deposits explain, for every interval ending from `start` to before `end`.

    The cost of orders that failed at isipay counts as given back when
    settings.ISIPAY_REFUNDS_FAILED_ORDERS is on; it is reported on its own either way."""
    refunds_failed = settings.ISIPAY_REFUNDS_FAILED_ORDERS
    before = (
        BalanceSnapshot.objects.filter(taken_at__lt=start)
        .order_by("-taken_at")
        .values_list("taken_at", "balance")
        .first()
    )
    within = list(
        BalanceSnapshot.objects.filter(taken_at__gte=start, taken_at__lt=end)
        .order_by("taken_at", "pk")
        .values_list("taken_at", "balance")
    )
    snapshots = ([before] if before else []) + within
    if len(snapshots) < 2:
        return Reconciliation(intervals=[], refunds_failed=refunds_failed)
    intervals = [
        Interval(start=t0, end=t1, balance_start=b0, balance_end=b1, refunds_failed=refunds_failed)
        for (t0, b0), (t1, b1) in itertools.pairwise(snapshots)
    ]
    ends = [interval.end for interval in intervals]
    span = {"created_at__gt": snapshots[0][0], "created_at__lte": snapshots[-1][0]}

    def interval_at(moment: datetime) -> Interval:
        # (start, end]: a moment equal to a snapshot's time belongs to the interval it ends.
        return intervals[bisect.bisect_left(ends, moment)]

    events = (
        OrderEvent.objects.filter(CHARGED | FAILED_AT_ISIPAY, **span)
        .annotate(charged=ExpressionWrapper(CHARGED, output_field=BooleanField()))
        .annotate(cost=actual_cost_of("order__"))
        .values_list("created_at", "charged", "cost", "order__number", "order__subsidy_cost")
        .order_by("created_at", "pk")
    )
    for moment, charged, cost, number, subsidy in events:
        interval = interval_at(moment)
        if charged:
            interval.charged += cost
            interval.charged_orders.append(number)
            interval.subsidy += subsidy
        else:
            interval.failed += cost
            interval.failed_orders.append(number)
            interval.subsidy -= subsidy
    deposits = BalanceDeposit.objects.filter(
        made_at__gt=snapshots[0][0], made_at__lte=snapshots[-1][0]
    ).values_list("made_at", "amount")
    for moment, amount in deposits:
        interval_at(moment).deposits += amount

    running = 0
    for interval in intervals:
        running += interval.difference
        interval.running_difference = running
    return Reconciliation(intervals=intervals, refunds_failed=refunds_failed)
