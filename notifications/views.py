"""Fonnte's incoming-message webhook: how a customer's "STOP" reaches the shop.

Fonnte (device settings → Webhook) POSTs every message the shop's WhatsApp number receives to
one URL, as JSON (form-encoded on older devices) with at least `sender` (the customer's number,
e.g. 6281234567890), `message` (the text), `device` (our number) and `name`. Fonnte treats any
answer but 200 as failed and sends again later, so a valid call always gets 200. The URL
carries FONNTE_WEBHOOK_SECRET: set it at Fonnte as
    https://YOUR-SHOP/notifications/fonnte/webhook/<FONNTE_WEBHOOK_SECRET>/
An empty secret turns the webhook off (404).
"""

import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def fonnte_webhook(request, secret: str):
    expected = settings.FONNTE_WEBHOOK_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404
    if "json" in request.content_type:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = {}
    else:
        data = request.POST.dict()
    if not isinstance(data, dict):
        data = {}
    sender = str(data.get("sender") or data.get("pengirim") or "")
    text = str(data.get("message") or data.get("pesan") or data.get("text") or "")
    if data.get("isgroup") in (True, "true") or data.get("member"):
        return JsonResponse({"status": True})  # a group's message is nobody's opt-out
    unsubscribed = services.incoming_whatsapp(sender=sender, text=text)
    return JsonResponse({"status": True, "unsubscribed": unsubscribed})
