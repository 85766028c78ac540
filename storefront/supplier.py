"""The one place that builds the isipay client and status map from settings."""

from django.conf import settings

from isipay import IsipayClient, StatusMap


def isipay_client() -> IsipayClient:
    return IsipayClient(
        base_url=settings.ISIPAY_BASE_URL,
        token=settings.ISIPAY_API_TOKEN,
        timeout=settings.ISIPAY_TIMEOUT,
        connect_timeout=settings.ISIPAY_CONNECT_TIMEOUT,
    )


def status_map() -> StatusMap:
    return StatusMap(settings.ISIPAY_EXTRA_STATUS_WORDS)
