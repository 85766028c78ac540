"""The back office's own admin pages: dashboard, money reports, reconciliation.

Each is served inside the admin (admin_view: staff login, CSRF, no caching) and checks its own
permission; the figures come from selectors, the writes from services.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from orders.models import SubmissionQueue
from wallet import selectors as wallet_selectors

from . import charts, selectors, services
from .forms import PeriodForm

# Longer periods show the tables only: a bar a day would be too thin to read.
CHART_MAX_DAYS = 92
# Reconciliation rows shown at most (the totals cover the whole period).
MAX_INTERVAL_ROWS = 1000


def _require(request, *perms: str) -> None:
    if not request.user.has_perms(perms):
        raise PermissionDenied


def _page(request, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


def _next_url(request, default: str) -> str:
    url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else default


@require_GET
def dashboard(request):
    _require(request, "backoffice.view_dashboard")
    return _page(request, "backoffice/dashboard.html", _("Dashboard"), **dashboard_context())


def dashboard_context() -> dict:
    """The dashboard's figures: on its own page and on the admin's home (storefront.admin_nav)."""
    today = timezone.localdate()
    month = selectors.sales_by_day(start=today - timedelta(days=29), end=today)
    return {
        "balance": selectors.last_known_balance(),
        "runway": _runway_text(),
        "low_balance": settings.ISIPAY_LOW_BALANCE_WARNING,
        "queue": SubmissionQueue.get(),
        "sales": selectors.sales_summary(today=today),
        "statuses": selectors.orders_by_status(today=today),
        "chart": charts.daily_sales_chart(month),
        "days": month,
        "month_total": selectors.total(month),
        "review": list(selectors.orders_to_review()),
        "review_count": selectors.review_count(),
        "syncs": list(catalog_selectors.recent_sync_runs(limit=5)),
        "wallets": wallet_selectors.totals(),
        "ledger_mismatches": wallet_selectors.ledger_mismatches().count(),
    }


def _runway_text() -> str:
    """How long the isipay balance lasts at today's rate (the figure the owner's alert uses)."""
    from notifications import selectors as notification_selectors
    from notifications.services import runway_text

    runway = notification_selectors.balance_runway()
    return runway_text(runway) if runway is not None else ""


@require_POST
def sync_now(request):
    _require(request, "backoffice.sync_catalog")
    if catalog_services.request_sync():
        messages.success(
            request,
            _(
                "Catalog sync requested: a worker runs it now. Its result shows under "
                "“Last catalog syncs” in a minute or so."
            ),
        )
    else:
        messages.info(request, _("A catalog sync is already running."))
    return redirect(_next_url(request, reverse("backoffice:dashboard")))


@require_GET
def reports(request):
    _require(request, "backoffice.view_reports")
    form = PeriodForm(request.GET, default_days=30)
    start, end = form.period()
    by_day = selectors.sales_by_day(start=start, end=end)
    by_game = selectors.sales_by_game(start=start, end=end)
    return _page(
        request,
        "backoffice/reports.html",
        _("Profit"),
        form=form,
        start=start,
        end=end,
        by_day=by_day,
        by_game=by_game,
        total=selectors.total(by_game),
        chart=charts.daily_sales_chart(by_day) if len(by_day) <= CHART_MAX_DAYS else None,
    )


RECONCILIATION_TOTALS = (
    "actual",
    "charged",
    "failed",
    "refunded",
    "deposits",
    "expected",
    "difference",
    "subsidy",
)


@require_GET
def reconciliation(request):
    _require(request, "backoffice.view_reports")
    form = PeriodForm(request.GET, default_days=7)
    start, end = form.period()
    result = selectors.reconciliation(
        start=selectors.day_start(start), end=selectors.day_start(end + timedelta(days=1))
    )
    show_all = request.GET.get("all") == "1"
    rows = result.intervals if show_all else [row for row in result.intervals if not row.quiet]
    return _page(
        request,
        "backoffice/reconciliation.html",
        _("isipay balance reconciliation"),
        form=form,
        start=start,
        end=end,
        result=result,
        totals={name: result.sum(name) for name in RECONCILIATION_TOTALS},
        rows=rows[-MAX_INTERVAL_ROWS:],
        cut=max(len(rows) - MAX_INTERVAL_ROWS, 0),
        quiet=len(result.intervals) - len(rows),
        show_all=show_all,
        interval_minutes=settings.BALANCE_SNAPSHOT_INTERVAL // 60,
    )


@require_POST
def snapshot_now(request):
    _require(request, "backoffice.add_balancesnapshot")
    services.request_balance_snapshot()
    messages.success(
        request, _("Balance snapshot requested: a worker reads the isipay balance now.")
    )
    return redirect(_next_url(request, reverse("backoffice:reconciliation")))
