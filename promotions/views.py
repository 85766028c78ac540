"""The promo code on the order summary."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from orders import selectors as order_selectors
from orders.views import too_many

from . import services
from .selectors import PROMO_SESSION_KEY


@require_POST
@ratelimit(key="ip", rate=lambda *_: settings.RATELIMIT_CHECKOUT, block=False)
def apply(request, number: str):
    order = order_selectors.order_for_customer(number)
    if order is None:
        raise Http404("No such order")
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
