"""Payment pages: the sandbox pay page, Midtrans' notification webhook, Tripay's callback."""

import json
import logging

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from notifications import services as notifications

from . import services
from .models import Payment
from .providers import RemoteStatus

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def sandbox(request, reference: str):
    """A stand-in for a gateway's page: Pay, Fail or Expire, for demos and tests."""
    if "sandbox" not in settings.PAYMENT_PROVIDERS:
        raise Http404("The sandbox payment provider is off")
    payment = get_object_or_404(
        Payment.objects.select_related("order", "deposit"), reference=reference, provider="sandbox"
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if payment.status != Payment.Status.PENDING:
            # As a gateway does: a closed attempt (expired, changed by the customer) takes no
            # money, even from a tab left open on it.
            return render(request, "payments/sandbox.html", {"payment": payment}, status=409)
        if action == "pay":
            services.confirm_paid(payment=payment, actor="sandbox payment")
        elif action in ("fail", "expire"):
            # What a gateway's notification of a failed or expired payment does: the attempt
            # closes, and with it its order (expired) or its deposit.
            state = "failed" if action == "fail" else "expired"
            services.apply_remote_status(
                payment=payment,
                remote=RemoteStatus(state=state, amount=None, raw_status=state),
                actor="sandbox payment",
            )
        else:
            return render(request, "payments/sandbox.html", {"payment": payment}, status=400)
        if payment.deposit_id is not None:
            return redirect("wallet:deposit", reference=payment.deposit.reference)
        return redirect("orders:detail", number=payment.order.number)
    return render(request, "payments/sandbox.html", {"payment": payment})


@csrf_exempt  # Midtrans cannot send our CSRF token; the signature and status API stand in
@require_POST
def midtrans_notify(request):
    """Midtrans' notification webhook.

    Only what fails the signature check counts against RATELIMIT_WEBHOOK: Midtrans sends from
    a few IPs, and its genuine notifications must never wait for a 429 to pass.
    """
    if "midtrans" not in settings.PAYMENT_PROVIDERS:
        if _over_limit(request):  # nothing can pass the signature check
            return JsonResponse({"error": "too many requests"}, status=429)
        raise Http404("Midtrans is off")
    try:
        payload = json.loads(request.body)
    except ValueError:
        return _rejected(request, "body is not JSON", status=400, unsigned=True)
    try:
        result = services.handle_midtrans_notification(payload)
    except services.NotificationRejected as exc:
        return _rejected(request, str(exc), status=exc.status, unsigned=exc.unsigned)
    return JsonResponse({"result": result})


@csrf_exempt  # Tripay cannot send our CSRF token; the signature and detail API stand in
@require_POST
def tripay_callback(request):
    """Tripay's callback: the signature is over the raw body, so the body is read as bytes
    and never re-encoded. Tripay wants `{"success": true}`, and sends again (every 2 minutes,
    3 times) on anything else."""
    if "tripay" not in settings.PAYMENT_PROVIDERS:
        if _over_limit(request, "tripay"):
            return JsonResponse({"error": "too many requests"}, status=429)
        raise Http404("Tripay is off")
    try:
        result = services.handle_tripay_callback(
            body=request.body,
            signature=request.headers.get("X-Callback-Signature", ""),
            event=request.headers.get("X-Callback-Event", ""),
        )
    except services.NotificationRejected as exc:
        return _rejected(
            request, str(exc), status=exc.status, unsigned=exc.unsigned, provider="tripay"
        )
    return JsonResponse({"success": True, "result": result})


def _over_limit(request, provider: str = "midtrans") -> bool:
    """Counts one more unsigned notification from this IP; True once over RATELIMIT_WEBHOOK."""
    group = "payments.midtrans_notify.unsigned" if provider == "midtrans" else provider
    return is_ratelimited(
        request,
        group=group,
        key="ip",
        rate=settings.RATELIMIT_WEBHOOK,
        increment=True,
    )


def _rejected(
    request, reason: str, *, status: int, unsigned: bool, provider: str = "midtrans"
) -> JsonResponse:
    if unsigned and _over_limit(request, provider):
        return JsonResponse({"error": "too many requests"}, status=429)
    logger.warning("%s notification rejected: %s", provider.capitalize(), reason)
    notifications.note_rejected_payment_notification()  # a burst alerts the owner
    return JsonResponse({"error": reason}, status=status)
