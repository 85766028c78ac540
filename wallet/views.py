"""The customer's wallet pages: top up the balance (Isi saldo) and follow a top-up.

Private pages (never cached); a customer sees only their own deposits.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from payments import PaymentError
from payments import services as payments

from . import deposits, selectors
from .forms import DepositForm
from .models import Deposit


def _too_many(request):
    return render(request, "429.html", status=429)


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@ratelimit(key="user", rate=lambda *_: settings.RATELIMIT_CHECKOUT, method="POST", block=False)
def deposit_new(request):
    form = DepositForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            return _too_many(request)
        if form.is_valid():
            try:
                deposit = deposits.create_deposit(
                    user=request.user,
                    amount=form.cleaned_data["deposit_amount"],
                    provider=form.cleaned_data["payment_method"],
                )
            except deposits.DepositRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return _to_provider(request, deposit)
        status = 400
    context = {
        "form": form,
        "balance": selectors.balance_of(request.user),
        "low": settings.WALLET_DEPOSIT_MIN,
        "high": settings.WALLET_DEPOSIT_MAX,
    }
    return render(request, "wallet/deposit_new.html", context, status=status)


def _to_provider(request, deposit: Deposit):
    """Open (or reuse) the deposit's payment attempt and go to the provider's page."""
    try:
        payment = payments.start_deposit_payment(deposit=deposit)
    except payments.DepositClosed:
        messages.info(request, _("This top-up is no longer waiting for a payment."))
        return redirect("wallet:deposit", reference=deposit.reference)
    except PaymentError:  # the gateway is down or said no: the deposit waits; try again
        messages.error(request, _("The payment service is not answering. Please try again."))
        return redirect("wallet:deposit", reference=deposit.reference)
    return redirect(payment.redirect_url)


def _own_deposit(request, reference: str) -> Deposit:
    deposit = selectors.deposit_of(request.user, reference)
    if deposit is None:
        raise Http404("No such top-up")
    return deposit


@require_GET
@never_cache
@login_required
def deposit_detail(request, reference: str):
    deposit = _own_deposit(request, reference)
    context = {
        "deposit": deposit,
        "balance": selectors.balance_of(request.user),
        "payable": deposit.status == Deposit.Status.PENDING and deposit.expires_at > timezone.now(),
    }
    return render(request, "wallet/deposit_detail.html", context)


@require_POST
@login_required
@ratelimit(key="user", rate=lambda *_: settings.RATELIMIT_CHECKOUT, block=False)
def deposit_pay(request, reference: str):
    if getattr(request, "limited", False):
        return _too_many(request)
    return _to_provider(request, _own_deposit(request, reference))
