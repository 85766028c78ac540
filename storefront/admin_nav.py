"""The back office's sidebar (UNFOLD["SIDEBAR"]) and dashboard, grouped as the owner works.

A new admin page goes into one of these groups as one more item: title, icon (a Material
Symbols name), link, and the permission that shows it.
"""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


def can(permission: str):
    """The item shows only to someone with the permission (a superuser has them all)."""
    return lambda request: request.user.has_perm(permission)


def item(title, icon: str, url_name: str, permission: str) -> dict:
    return {
        "title": title,
        "icon": icon,
        "link": reverse_lazy(url_name),
        "permission": can(permission),
    }


def model(title, icon: str, app_label: str, model_name: str) -> dict:
    return item(
        title,
        icon,
        f"admin:{app_label}_{model_name}_changelist",
        f"{app_label}.view_{model_name}",
    )


NAVIGATION = [
    {
        "title": _("Sales"),
        "items": [
            item(_("Dashboard"), "dashboard", "backoffice:dashboard", "backoffice.view_dashboard"),
            model(_("Orders"), "receipt_long", "orders", "order"),
            model(_("Payments"), "payments", "payments", "payment"),
            model(_("Payment methods (Tripay)"), "qr_code_2", "payments", "tripaychannel"),
            item(
                _("Profit by game and day"),
                "bar_chart",
                "backoffice:reports",
                "backoffice.view_reports",
            ),
            item(
                _("Balance reconciliation"),
                "account_balance",
                "backoffice:reconciliation",
                "backoffice.view_reports",
            ),
            model(_("Balance deposits"), "savings", "backoffice", "balancedeposit"),
            model(_("Balance snapshots"), "history", "backoffice", "balancesnapshot"),
        ],
    },
    {
        "title": _("Catalog"),
        "items": [
            model(_("Games"), "sports_esports", "catalog", "product"),
            model(_("Items and prices"), "sell", "catalog", "variant"),
            model(_("Markup rules"), "percent", "catalog", "markuprule"),
            model(_("Markup changes"), "manage_history", "backoffice", "historicalmarkuprule"),
            model(_("Game status"), "monitor_heart", "gamestatus", "gamestatus"),
            model(_("Catalog syncs"), "sync", "catalog", "syncrun"),
        ],
    },
    {
        "title": _("Promotions"),
        "items": [
            model(_("Flash sales"), "bolt", "promotions", "flashsale"),
            model(_("Promo codes"), "confirmation_number", "promotions", "promocode"),
            model(_("Promo code uses"), "receipt", "promotions", "promouse"),
            model(_("Member tiers"), "workspace_premium", "promotions", "tier"),
            model(_("Tier markup rules"), "percent", "promotions", "tiermarkuprule"),
            model(_("Customer tiers"), "military_tech", "promotions", "customertier"),
        ],
    },
    {
        "title": _("Customers"),
        "items": [
            model(_("Users"), "person", "auth", "user"),
            model(_("Wallets"), "account_balance_wallet", "wallet", "wallet"),
            model(_("Wallet deposits"), "add_card", "wallet", "deposit"),
            model(_("Ledger entries"), "list_alt", "wallet", "ledgerentry"),
            model(_("Order notes"), "support_agent", "support", "ordernote"),
            model(_("Profiles"), "badge", "accounts", "profile"),
            model(_("Saved game accounts"), "bookmark", "accounts", "savedgameaccount"),
        ],
    },
    {
        "title": _("Content"),
        "items": [
            model(_("Banners"), "view_carousel", "content", "banner"),
            model(_("Announcements"), "campaign", "content", "announcement"),
            model(_("Pages"), "article", "content", "page"),
            model(_("FAQ"), "quiz", "content", "faqentry"),
        ],
    },
    {
        "title": _("System"),
        "items": [
            model(_("Submission queue"), "pause_circle", "orders", "submissionqueue"),
            model(_("Messages"), "chat", "notifications", "message"),
            model(_("Alerts"), "notifications", "notifications", "alert"),
            model(_("Notification settings"), "settings", "notifications", "notifysettings"),
            model(_("WhatsApp opt-outs"), "unsubscribe", "notifications", "whatsappoptout"),
            model(_("Groups"), "group", "auth", "group"),
            model(_("Periodic tasks"), "schedule", "django_celery_beat", "periodictask"),
            model(_("Login failures"), "lock", "axes", "accessattempt"),
        ],
    },
]


def dashboard_callback(request, context: dict) -> dict:
    """The admin's home page: the back office's figures when the user may see them."""
    if request.user.has_perm("backoffice.view_dashboard"):
        from backoffice.views import dashboard_context

        context.update(dashboard_context())
        context["show_dashboard"] = True
    return context


def navigation(request) -> list[dict]:
    """UNFOLD["SIDEBAR"]["navigation"]: the groups above (unfold filters them by permission)."""
    return NAVIGATION


def environment_callback(request):
    """UNFOLD["ENVIRONMENT"]: a warning label in every admin page's header while the sandbox
    payment provider is offered (settings.PAYMENT_TEST_MODE), as the shop's banner says."""
    from django.conf import settings

    if settings.PAYMENT_TEST_MODE:
        return [_("TEST MODE — no real payments"), "warning"]
    return None
