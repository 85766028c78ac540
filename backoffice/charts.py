"""Server-rendered charts: plain geometry for an inline SVG (no JavaScript, no inline styles,
so a strict Content-Security-Policy holds). Pure functions, no I/O."""

from collections.abc import Sequence
from dataclasses import dataclass

from storefront.templatetags.money import rupiah

from .selectors import DaySales


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # "revenue" or "profit": the CSS class that colours it
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str
    anchor: str = "middle"  # SVG text-anchor: the first and last labels stay inside the chart


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    labels: list[Label]
    top: int  # the value at the top of the plot area

    @property
    def half(self) -> int:
        return self.top // 2

    @property
    def empty(self) -> bool:
        """No sale on any day: the chart says so instead of drawing an empty area."""
        return not any(bar.height > 0 for bar in self.bars)


def daily_sales_chart(days: Sequence[DaySales], *, width: int = 600, height: int = 200) -> Chart:
    """Two bars a day, sales (revenue) and profit, on one scale starting at zero.

    A day with a loss draws no profit bar; its title still says the number.
    """
    label_room = 24
    plot = height - label_room
    top = _nice_top(max((day.revenue for day in days), default=0))
    slot = width / max(len(days), 1)
    bar_width = slot * 0.4
    bars, labels = [], []
    for n, day in enumerate(days):
        x = n * slot + slot * 0.1
        when = f"{day.day:%d %b}"
        for offset, kind, value in ((0, "revenue", day.revenue), (bar_width, "profit", day.profit)):
            bar_height = plot * max(value, 0) / top
            bars.append(
                Bar(
                    x=round(x + offset, 2),
                    y=round(plot - bar_height, 2),
                    width=round(bar_width, 2),
                    height=round(bar_height, 2),
                    kind=kind,
                    title=f"{when}: {'sales' if kind == 'revenue' else 'profit'} {rupiah(value)}"
                    + (f", {day.orders} orders" if kind == "revenue" else ""),
                )
            )
        last = len(days) - 1
        # A label a week, and the last day's; none so close to the last that they would touch.
        if n == last or (n % 7 == 0 and last - n >= 4):
            anchor = "start" if n == 0 else "end" if n == last and n else "middle"
            x = {"start": n * slot, "end": (n + 1) * slot}.get(anchor, n * slot + slot / 2)
            labels.append(Label(x=round(x, 2), text=f"{day.day:%d/%m}", anchor=anchor))
    return Chart(width=width, height=height, baseline=plot, bars=bars, labels=labels, top=top)


def _nice_top(value: int) -> int:
    """A round number at or above value (1, 2 or 5 times a power of ten), at least Rp 1.000."""
    top = 1_000
    while top < value:
        for factor in (2, 5 / 2, 2):
            top = int(top * factor)
            if top >= value:
                break
    return top
