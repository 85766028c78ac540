"""My account: order history, saved game accounts, profile. Never cached (private pages)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from orders.models import Order
from orders.selectors import CUSTOMER_WORDS
from promotions import selectors as promotion_selectors
from wallet import selectors as wallet_selectors
from wallet.services import WalletError

from . import selectors, services
from .forms import DeleteAccountForm, LabelForm, ProfileForm


@require_GET
@never_cache
@login_required
def home(request):
    status = request.GET.get("status", "")
    page = selectors.order_history(request.user, status=status, page=request.GET.get("page", 1))
    rows = [
        {
            "order": order,
            "words": CUSTOMER_WORDS.get(order.status, order.get_status_display()),
            "reorder_url": selectors.reorder_url(
                order.variant.product.slug, order.variant_code, order.account
            ),
        }
        for order in page.object_list
    ]
    saved = [
        {"saved": row, "reorder_url": selectors.saved_reorder_url(row)}
        for row in selectors.saved_accounts(request.user)
    ]
    profile = services.ensure_profile(request.user)
    context = {
        "page": page,
        "rows": rows,
        "status": status if status in Order.Status.values else "",
        "statuses": Order.Status.choices,
        "saved": saved,
        "balance": wallet_selectors.balance_of(request.user),
        "deposits": wallet_selectors.recent_deposits(request.user),
        "tiers": promotion_selectors.tiers_for(request.user),
        "delete_form": DeleteAccountForm(user=request.user),
        "profile_form": ProfileForm(
            initial={"whatsapp": profile.whatsapp, "language": profile.language}
        ),
    }
    return render(request, "accounts/home.html", context)


@require_POST
@login_required
def profile(request):
    form = ProfileForm(request.POST)
    response = redirect("accounts:home")
    if form.is_valid():
        profile = services.update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        # The shop speaks the preferred language from now on (the switch's own cookie).
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            profile.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return response


@require_POST
@login_required
def rename_saved(request, saved_id: int):
    form = LabelForm(request.POST)
    if not form.is_valid() or not services.rename_game_account(
        user=request.user, saved_id=saved_id, label=form.cleaned_data["label"]
    ):
        raise Http404("No such saved account")
    messages.success(request, _("Label saved."))
    return redirect("accounts:home")


@require_POST
@login_required
def delete_saved(request, saved_id: int):
    if not services.delete_game_account(user=request.user, saved_id=saved_id):
        raise Http404("No such saved account")
    messages.success(request, _("Saved game account deleted."))
    return redirect("accounts:home")


@require_POST
@login_required
def delete_account(request):
    """The customer deletes their account; refused, with what to do, while it holds a balance."""
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("accounts:home")
    try:
        services.delete_account(user=request.user)
    except WalletError as refusal:
        messages.error(request, str(refusal))
        return redirect("accounts:home")
    logout(request)
    messages.success(request, _("Your account has been deleted."))
    return redirect("catalog:home")
