"""The one place that builds the isipay client and status map from settings."""

from functools import partial

from django.conf import settings

from isipay import IsipayClient, StatusMap

from .call_limit import isipay_call_limit


def isipay_client() -> IsipayClient:
    limit = isipay_call_limit()
    return IsipayClient(
        base_url=settings.ISIPAY_BASE_URL,
        token=settings.ISIPAY_API_TOKEN,
        timeout=settings.ISIPAY_TIMEOUT,
        connect_timeout=settings.ISIPAY_CONNECT_TIMEOUT,
        call_slot=partial(limit.slot, wait=settings.ISIPAY_SLOT_WAIT),
        max_connections=settings.ISIPAY_MAX_CONCURRENT_CALLS,
    )


def status_map() -> StatusMap:
    return StatusMap(settings.ISIPAY_EXTRA_STATUS_WORDS)
