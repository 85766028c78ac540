"""Customer pages for orders: checkout, the live order page, payment hand-off, lookup."""

import contextlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HTMX_STOP_POLLING
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from accounts import selectors as account_selectors
from catalog import selectors as catalog_selectors
from catalog.views import game_context
from payments import PaymentError
from payments import selectors as payment_selectors
from payments import services as payments
from payments.qr import qr_svg
from promotions import selectors as promotions
from promotions.quote import quote as price_of
from promotions.services import SaleGone
from storefront.earlypages import served_early
from storefront.pagecache import render_cached, stored_guest_page
from storefront.security import client_ip
from storefront.templatetags.money import rupiah
from wallet import selectors as wallet_selectors
from wallet.services import InsufficientBalance

from . import selectors, services
from .cache import order_version
from .forms import CONTACT_SESSION_KEY, CheckoutForm, LookupForm, normalise_phone
from .models import Order

# The order whose gateway could not start the payment: its page offers the other gateways.
FAILOVER_SESSION_KEY = "payment_failover"


def too_many(request) -> HttpResponse:
    return render(request, "429.html", status=429)


@require_POST
@ratelimit(key="ip", rate=lambda *_: settings.RATELIMIT_CHECKOUT, block=False)
def checkout(request, slug: str):
    product = catalog_selectors.product_for_sale(slug)
    if product is None:
        raise Http404("No such game")
    if getattr(request, "limited", False):
        return too_many(request)
    form = CheckoutForm(request.POST, product=product, user=request.user)
    customer = request.user if request.user.is_authenticated else None
    if not form.is_valid():
        variants = list(catalog_selectors.variants_for_sale(product))
        context = game_context(product, variants, form, customer=customer)
        return render(request, "catalog/game.html", context, status=400)
    variant = form.cleaned_data["variant"]
    now = timezone.now()
    quote = price_of(variant, customer=customer, now=now)
    shown = request.POST.get(f"shown_{variant.code}", "")
    if shown.isdigit() and int(shown) != quote.total:
        # The price changed since the page was shown (a sale ended, a tier or a price moved):
        # nothing is ordered; the page comes back with the new price to confirm.
        return _price_changed(request, product, form, variant, int(shown), quote.total)
    try:
        order = services.create_order(
            quote=quote,
            now=now,
            variant=variant,
            account=form.cleaned_data["account"],
            contact_email=form.cleaned_data["email"],
            contact_phone=form.cleaned_data["whatsapp"],
            whatsapp_opt_in=bool(form.cleaned_data["whatsapp"])
            and form.cleaned_data["whatsapp_opt_in"],
            buyer_ip=client_ip(request),
            payment_provider=form.cleaned_data["payment_method"].partition(":")[0],
            payment_method=form.cleaned_data["payment_method"].partition(":")[2],
            language=get_language() or settings.LANGUAGE_CODE,
            customer=customer,
        )
    except services.NotForSale:
        messages.error(request, _("This item is not available any more. Choose another."))
        return redirect("catalog:game", slug=slug)
    except SaleGone:  # the last flash-sale unit went to someone else a moment ago
        new = price_of(variant, customer=customer, now=timezone.now()).total
        return _price_changed(request, product, form, variant, quote.total, new)
    # "Change the order" brings the contact back in this browser only (never in a URL).
    request.session[CONTACT_SESSION_KEY] = {
        "email": request.POST.get("email", "").strip()[:254],
        "whatsapp": request.POST.get("whatsapp", "").strip()[:24],
    }
    return redirect("orders:detail", number=order.number)


def _price_changed(request, product, form, variant, old: int, new: int) -> HttpResponse:
    """409: nothing ordered; the game page again, saying the item's new price."""
    form.add_error(
        None,
        _("The price of %(item)s changed from %(old)s to %(new)s. Check it and continue.")
        % {"item": variant.name, "old": rupiah(old), "new": rupiah(new)},
    )
    customer = request.user if request.user.is_authenticated else None
    variants = list(catalog_selectors.variants_for_sale(product))
    context = game_context(product, variants, form, customer=customer)
    return render(request, "catalog/game.html", context, status=409)


@require_POST
def check_payment(request, number: str):
    """ "Cek status pembayaran": ask the payment provider now, for a customer whose payment went
    through but whose order still waits (a callback that never came). Limited per order
    (RATELIMIT_PAYMENT_CHECK), whoever asks, and per client IP whatever the order
    (RATELIMIT_PAYMENT_CHECK_IP): the provider's status API is not to be hammered."""
    order = _order_or_404(number)
    per_ip = is_ratelimited(
        request,
        group="orders.check_payment_ip",
        key="ip",
        rate=settings.RATELIMIT_PAYMENT_CHECK_IP,
        increment=True,
    )
    if per_ip or is_ratelimited(
        request,
        group="orders.check_payment",
        key=lambda _group, _request: number,
        rate=settings.RATELIMIT_PAYMENT_CHECK,
        increment=True,
    ):
        messages.info(request, _("The payment was checked a moment ago. Try again in a minute."))
        return redirect("orders:detail", number=number)
    outcome = payments.check_payment_now(order=order)
    if outcome == "paid":
        messages.success(request, _("Payment received. Thank you!"))
    elif outcome == "pending":
        messages.info(request, _("No payment has arrived yet. If you have paid, try again soon."))
    elif outcome == "unavailable":
        messages.error(request, _("The payment service is not answering. Please try again."))
    elif outcome == "refunded":
        messages.warning(
            request,
            _(
                "Your payment was refunded by the payment service, so this order is not paid. "
                "Contact us if you did not expect this."
            ),
        )
    return redirect("orders:detail", number=number)


@require_POST
@ratelimit(key="ip", rate=lambda *_: settings.RATELIMIT_CHECKOUT, block=False)
def change(request, number: str):
    """Change the order: an unpaid order closes, and the game page comes back filled in."""
    if getattr(request, "limited", False):
        return too_many(request)
    order = _order_or_404(number)
    services.change_order(order_id=order.pk)
    return redirect(selectors.change_order_url(order))


def _order_or_404(number: str) -> Order:
    order = selectors.order_for_customer(number)
    if order is None:
        raise Http404("No such order")
    return order


def _order_context(order: Order) -> dict:
    fields = {spec["name"]: spec.get("label", spec["name"]) for spec in _account_specs(order)}
    product = order.variant.product
    return {
        "order": order,
        "account": [(fields.get(name, name), value) for name, value in order.account.items()],
        # "Buy again": the game page with the same item and account (accounts' reorder link).
        "reorder_url": (
            account_selectors.reorder_url(product.slug, order.variant_code, order.account)
            if product.is_for_sale
            else None
        ),
        "steps": selectors.timeline(order),
        "change_url": selectors.change_order_url(order),
        "late_payment": payment_selectors.late_payment(order),
        "refunded_to_balance": payment_selectors.refunded_to_balance(order),
        "refresh": selectors.refresh_seconds(order),
        # A DIRECT gateway channel's QRIS or pay code, paid from this page (the live part:
        # it goes once the payment is received).
        **_direct_payment(order),
        "email": selectors.masked_email(order.contact_email),
        "phone": selectors.masked_phone(order.contact_phone),
    }


def _direct_payment(order: Order) -> dict:
    payment = payment_selectors.open_direct_payment(order)
    if payment is None:
        return {"direct_payment": None}
    return {
        "direct_payment": payment,
        "qr_svg": qr_svg(payment.qr_string) if payment.qr_string else "",
    }


def _account_specs(order: Order) -> list[dict]:
    return order.variant.product.account_fields


@require_GET
def detail(request, number: str):
    order = _order_or_404(number)
    # A logged-in buyer's unpaid order whose player ID looks like a typo of one they bought for.
    suggestion = account_selectors.typo_guard(order, request.user)
    context = {
        **_order_context(order),
        "suggestion": suggestion,
        "wallet_balance": None,
        "refund_choice_until": None,
        # Failover: the chosen gateway could not start the payment; the others' methods.
        "other_methods": (
            payment_selectors.failover_methods(order.payment_provider, price=order.price)
            if request.session.get(FAILOVER_SESSION_KEY) == order.number
            and order.status == Order.Status.AWAITING_PAYMENT
            else []
        ),
    }
    own = request.user.is_authenticated and order.customer_id == request.user.pk
    context["promo_form"] = promotions.promo_form(order, request)
    if own and order.status == Order.Status.AWAITING_PAYMENT:
        if promotions.promo_allows_method(order, provider="wallet"):
            context["wallet_balance"] = wallet_selectors.balance_of(request.user)
        else:  # its promo code is for other methods: the balance is not offered, and why
            context["balance_not_for_code"] = True
    if own and order.status == Order.Status.FAILED:
        # Where the money goes back: the customer's choice while the refund has not started.
        context["refund_choice_until"] = services.refund_choice_until(order)
    response = render(request, "orders/detail.html", context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    return response


@require_GET
def receipt(request, number: str):
    """The printable receipt of a delivered order: the same words as the email's."""
    order = _order_or_404(number)
    if order.status != Order.Status.SUCCESS:
        raise Http404("No receipt before the top-up is delivered")
    context = {**selectors.receipt(order), **_order_context(order)}
    response = render(request, "orders/receipt.html", context)
    patch_cache_control(response, private=True)
    return response


def _fragment_status(context: dict) -> int:
    """286 (HTMX's "stop polling") once the order is final: the page stops asking."""
    return HTMX_STOP_POLLING if context["refresh"] is None else 200


def _status_version(request, number: str) -> tuple[str | None, bool]:
    """The order's version (None: no such order), reused for a second (orders/cache.py), and
    whether the visitor already has the fragment of that version (its If-None-Match).

    A visitor holding another version than the one this process reused may hold a newer one
    (from another process): the version is then read afresh, so no poll ever steps back."""
    version = order_version(number, reuse=True)
    held = parse_etags(request.headers.get("If-None-Match", ""))
    if version is None or not held:
        return version, False
    if _status_etag(version, request) not in held:
        version = order_version(number)
    return version, version is not None and _status_etag(version, request) in held


def _status_etag(version: str, request) -> str:
    """What a fragment's content depends on: the order's version and the language."""
    return f'"{version}.{request.LANGUAGE_CODE}"'


def _status_response(request, response: HttpResponse, version: str) -> HttpResponse:
    """The fragment's answer, a page or a 304: 286 (HTMX's "stop polling") only for HTMX;
    an ETag that the browser sends back on the next poll, since no-cache makes it ask every
    time (private: it is one order's, no shared cache keeps it)."""
    if response.status_code == HTMX_STOP_POLLING:
        if request.headers.get("HX-Request") == "true":
            response.reason_phrase = "Stop Polling"
        else:  # only HTMX reads 286; anything else asking gets a plain 200
            response.status_code = 200
    response.headers["ETag"] = _status_etag(version, request)
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie", "HX-Request"])
    return response


def _guest_status(request, number: str) -> HttpResponse | None:
    """A guest's poll, served before most of the middleware (storefront/earlypages.py)."""
    version, unchanged = _status_version(request, number)
    if version is None:
        return None  # the view's 404
    if unchanged:
        return _status_response(request, HttpResponseNotModified(), version)
    page = stored_guest_page(request, ("order-status", number, version))
    return None if page is None else _status_response(request, page, version)


@served_early(_guest_status)
@require_GET
def status_fragment(request, number: str):
    """The live part of the order page; HTMX asks for it every few seconds until it is final,
    and a final order's answer is 286, so HTMX swaps it in and stops asking.

    Cached under the order's version, which every transition moves (orders/cache.py): a poll
    that finds nothing new is a cache read, or a 304 when the browser sends the ETag it got
    (If-None-Match). An unknown number is never cached.
    """
    version, unchanged = _status_version(request, number)
    if version is None:
        raise Http404("No such order")
    if unchanged:
        return _status_response(request, HttpResponseNotModified(), version)
    response = render_cached(
        request,
        "orders/_status.html",
        lambda: _order_context(_order_or_404(number)),
        key=("order-status", number, version),
        timeout=600,
        status=_fragment_status,
        same_for_users=True,  # no header, nothing of the visitor
    )
    return _status_response(request, response, version)


@require_POST
@ratelimit(key="ip", rate=lambda *_: settings.RATELIMIT_CHECKOUT, block=False)
def pay(request, number: str):
    order = _order_or_404(number)
    if getattr(request, "limited", False):
        return too_many(request)
    if order.status != Order.Status.AWAITING_PAYMENT:
        messages.info(request, _("This order is already paid or closed."))
        return redirect("orders:detail", number=number)
    try:
        payment = payments.start_payment(order=order)
    except PaymentError:  # the gateway is down or said no: the order waits
        if payment_selectors.failover_methods(order.payment_provider):
            # Failover: the order page offers the other gateways' methods.
            request.session[FAILOVER_SESSION_KEY] = order.number
            messages.error(
                request, _("This payment method is not available now. Choose another one below.")
            )
            return redirect(reverse("orders:detail", args=[number]) + "#other-methods")
        messages.error(request, _("The payment service is not answering. Please try again."))
        return redirect("orders:detail", number=number)
    return redirect(payment.redirect_url or reverse("orders:detail", args=[number]))


@require_POST
@ratelimit(key="ip", rate=lambda *_: settings.RATELIMIT_CHECKOUT, block=False)
def switch_method(request, number: str):
    """Failover: pay the unpaid order with a method of another gateway, then go and pay."""
    order = _order_or_404(number)
    if getattr(request, "limited", False):
        return too_many(request)
    if request.session.get(FAILOVER_SESSION_KEY) != order.number:
        # Only offered after this order's gateway failed to start its payment, in this browser.
        return redirect("orders:detail", number=number)
    value = request.POST.get("payment_method", "")
    offered = {
        m.value
        for m in payment_selectors.failover_methods(order.payment_provider, price=order.price)
    }
    provider, _sep, method = value.partition(":")
    had_code = order.promo_code
    if value not in offered or not services.switch_payment_method(
        order_id=order.pk, provider=provider, method=method
    ):
        return redirect("orders:detail", number=number)
    request.session.pop(FAILOVER_SESSION_KEY, None)
    order.refresh_from_db(fields=["promo_code"])
    if had_code and not order.promo_code:
        # The code is not for the new method: the customer sees the new total before paying.
        messages.warning(
            request,
            _("Promo code %(code)s is not for this payment method and was taken off.")
            % {"code": had_code},
        )
        return redirect("orders:detail", number=number)
    return pay(request, number)


@require_POST
def pay_with_balance(request, number: str):
    """Pay at once from the customer's balance; only the order's own customer may."""
    order = _order_or_404(number)
    try:
        paid = payments.pay_with_wallet(order_id=order.pk, user=request.user)
    except payments.NotYourOrder:
        return HttpResponseForbidden(_("Only the customer who placed this order can pay it."))
    except InsufficientBalance as exc:
        messages.error(request, _("Not enough balance to pay this order. %(why)s") % {"why": exc})
        return redirect("orders:detail", number=number)
    except payments.PromoNotForBalance:
        messages.error(
            request,
            _(
                "Promo code %(code)s is not for payment with the balance: pay with the method "
                "you chose."
            )
            % {"code": order.promo_code},
        )
        return redirect("orders:detail", number=number)
    if paid:
        messages.success(request, _("Paid with your balance."))
    else:
        messages.info(request, _("This order is already paid or closed."))
    return redirect("orders:detail", number=number)


@require_POST
def refund_to_balance(request, number: str):
    """The customer's choice for a failed order: the money back to their balance, at once."""
    return _refund_choice(
        request,
        number,
        services.refund_to_wallet,
        done=(messages.SUCCESS, _("The money is back in your balance.")),
        not_done=(messages.INFO, _("The refund of this order has already started.")),
    )


@require_POST
def refund_to_original(request, number: str):
    """The customer's choice for a failed order: the refund to the original method, now."""
    started = (messages.INFO, _("The refund to your original payment method has started."))
    return _refund_choice(
        request, number, services.refund_to_original_method, done=started, not_done=started
    )


def _refund_choice(
    request, number: str, refund, *, done: tuple[int, str], not_done: tuple[int, str]
):
    """A failed order's refund as its customer (only they) chose it; `done` or `not_done`
    (level, text) says whether `refund` started it now."""
    order = _order_or_404(number)
    try:
        started = refund(order_id=order.pk, user=request.user)
    except services.NotYourOrder:
        return HttpResponseForbidden(_("Only the customer who placed this order can choose."))
    messages.add_message(request, *(done if started else not_done))
    return redirect("orders:detail", number=number)


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=lambda *_: settings.RATELIMIT_LOOKUP, method="POST", block=False)
def lookup(request):
    form = LookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            return too_many(request)
        if form.is_valid():
            contact = form.cleaned_data["contact"].strip()
            phone = ""
            if "@" not in contact:
                with contextlib.suppress(ValidationError):
                    phone = normalise_phone(contact)
            order = selectors.find_order(
                number=form.cleaned_data["number"], contact=contact, phone=phone
            )
            if order is not None:
                return redirect("orders:detail", number=order.number)
            form.add_error(None, _("No order matches that number and contact."))
        status = 400
    return render(request, "orders/lookup.html", {"form": form}, status=status)
