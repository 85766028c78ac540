"""The promo code on the order summary."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from orders import selectors as order_selectors
from orders.views import too_many
from wallet.services import InsufficientBalance

from . import services
from .models import Tier
from .selectors import PROMO_SESSION_KEY


@require_POST
@ratelimit(key="ip", rate=lambda *_: settings.RATELIMIT_CHECKOUT, block=False)
def apply(request, number: str):
    order = order_selectors.order_for_customer(number)
    if order is None:
        raise Http404("No such order")
    if order.customer_id and order.customer_id != request.user.pk:
        raise Http404("No such order")  # a customer's order: only they put a code on it
    if getattr(request, "limited", False):
        return too_many(request)
    code = request.POST.get("code", "").strip()[:40]
    try:
        services.apply_promo(order_id=order.pk, code=code, user=request.user)
    except services.PromoRefused as refused:
        request.session[PROMO_SESSION_KEY] = {
            "order": order.number,
            "code": code,
            "error": str(refused),
        }
    else:
        messages.success(request, _("Promo code applied."))
    return redirect("orders:detail", number=order.number)


@require_POST
@login_required
def buy_tier(request, pk: int):
    """A customer buys a higher tier from their balance (My account)."""
    tier = get_object_or_404(Tier, pk=pk)
    try:
        services.buy_tier(user=request.user, tier=tier)
    except (services.CannotBuyTier, InsufficientBalance) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You are now %(tier)s.") % {"tier": tier.name})
    return redirect("accounts:home")
