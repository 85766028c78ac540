"""A visitor's page tier, remembered in a signed cookie, so that a member's cached page is
served without reading their session, account and tier row on every request.

Game and home pages are cached per tier, never per person (catalog.views); finding which
tier a logged-in visitor's page is costs three reads. This cookie carries the answer, signed
with SECRET_KEY, bound to the browser's session cookie (logging in or out changes that, which
voids it), and believed only while the customer-tiers version it names is current: any tier
set by hand, reached by spend, bought or lost moves that version (promotions.signals), read
from the process for a second as the catalog version is. It is never believed for longer than
TIER_COOKIE_MAX_AGE, which bounds how long an account switched off elsewhere still sees its
tier's prices. Checkout always prices from the database and refuses a price that moved since
the page, so a remembered tier never sets what anyone pays.
"""

import hashlib

from django.conf import settings
from django.core import signing

from storefront.pagecache import current_version, new_version

COOKIE_NAME = "gerai_tier"
SALT = "promotions.tier_cookie"
VERSION_KEY = "promotions:customer-tiers"
REUSE_SECONDS = 1.0


def customer_tiers_version() -> str:
    return current_version(VERSION_KEY, reuse_for=REUSE_SECONDS)


def bump_customer_tiers_version() -> None:
    new_version(VERSION_KEY, if_read=True)


def _binding(session_cookie: str) -> str:
    """The session cookie, hashed: this cookie is worth nothing in another session."""
    return hashlib.sha256(session_cookie.encode()).hexdigest()[:32]


def remembered(request) -> tuple[bool, int | None] | None:
    """(logged in, tier id) as last remembered for this session, when still current."""
    value = request.COOKIES.get(COOKIE_NAME)
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not value or not session:
        return None
    try:
        binding, version, logged_in, tier_id = signing.loads(
            value, salt=SALT, max_age=settings.TIER_COOKIE_MAX_AGE
        )
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if binding != _binding(session) or version != customer_tiers_version():
        return None
    if not isinstance(logged_in, bool) or not (tier_id is None or isinstance(tier_id, int)):
        return None
    return logged_in, tier_id


def remember(response, request, *, version: str, logged_in: bool, tier_id: int | None) -> None:
    """Set the cookie for what was just read from the database under `version` (read before
    the tier, so that a change made meanwhile voids the cookie at once)."""
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session:
        return
    value = signing.dumps([_binding(session), version, logged_in, tier_id], salt=SALT)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=settings.TIER_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
