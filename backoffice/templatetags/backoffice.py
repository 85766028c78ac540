"""The back-office panel on the admin index: links and alerts for what the user may see."""

from django import template
from django.conf import settings

from catalog.models import SyncRun
from orders.models import Order, SubmissionQueue

from .. import selectors

register = template.Library()


@register.inclusion_tag("backoffice/panel.html", takes_context=True)
def backoffice_panel(context) -> dict:
    user = context["request"].user
    can = {
        "dashboard": user.has_perm("backoffice.view_dashboard"),
        "reports": user.has_perm("backoffice.view_reports"),
        "orders": user.has_perm("orders.view_order"),
    }
    panel = {
        "can": can,
        "perms": context.get("perms"),
        "low_balance": settings.ISIPAY_LOW_BALANCE_WARNING,
    }
    if can["orders"] or can["dashboard"]:
        queue = SubmissionQueue.objects.filter(pk=1).first()
        panel["paused"] = queue if queue and queue.is_paused else None
    if can["orders"]:
        panel["review_count"] = selectors.review_count()
        panel["review_status"] = Order.Status.NEEDS_REVIEW
    if can["dashboard"]:
        # The last balance the workers read: the index page never waits for isipay.
        panel["balance"] = selectors.last_known_balance()
    return panel


@register.filter
def counts(values: dict | None) -> str:
    """{"created": 2, "updated": 0, "unchanged": 80} -> "created 2, unchanged 80"."""
    return SyncRun.describe_counts(values)
