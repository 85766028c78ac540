from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from content import selectors as content
from content.cache import content_version
from gamestatus.selectors import status_of
from orders.forms import CONTACT_SESSION_KEY, CheckoutForm
from promotions import selectors as promotions
from promotions import tier_cookie
from storefront.earlypages import served_early
from storefront.pagecache import render_cached, stored_guest_page

from . import selectors
from .cache import catalog_version


def home_key(now, tier_key: str) -> tuple:
    """The home page's cache key. Sections: the catalog's version (games, prices, the Popular
    order, which the game status task moves), the content's (banners, announcement; their
    dates within a minute) and the flash sales running (a sale starting or ending moves the
    key at that second); the tier's (a guest's, or a member's)."""
    return ("home", catalog_version(), content_version(), promotions.sale_state(now), tier_key)


def game_key(slug: str, sale_state: str, tier_key: str) -> tuple:
    """A game page's cache key. The version changes whenever a product or price does,
    retirement included, so a cached page never outlives the game's being on sale; the game
    status task moves it too when a game's badge changes. Per catalog version, tier (a
    guest's, or the member's) and flash sales running, never per person."""
    return ("game", slug, catalog_version(), tier_key, sale_state)


def _guest_home(request):
    return stored_guest_page(request, home_key(timezone.now(), promotions.GUEST_TIER_KEY))


def _guest_game(request, slug: str):
    sale_state = promotions.sale_state(timezone.now())
    return stored_guest_page(request, game_key(slug, sale_state, promotions.GUEST_TIER_KEY))


@served_early(_guest_home)
def home(request):
    search = request.GET.get("q", "")[:100].strip()
    if search:  # searches are many and cheap: not worth cache space
        context = {"products": selectors.products_for_sale(search=search), "search": search}
        return render(request, "catalog/home.html", context)

    now = timezone.now()

    def context() -> dict:
        products = list(selectors.products_for_sale())
        return {
            "products": products,
            "shelves": selectors.home_shelves(products),
            "banners": content.banners_showing(),
            "announcement": content.announcement_showing(),
            "flash_sale": promotions.running_sale(now),
            "search": "",
        }

    # A member's page (the header's "Account" link) is cached apart, per tier like the game page.
    tier = _page_tier(request)
    response = render_cached(
        request,
        "catalog/home.html",
        context,
        key=home_key(now, tier.key),
        members=True,
        logged_in=tier.logged_in,
    )
    return _remember(response, request, tier)


@served_early(_guest_game)
def game(request, slug: str):
    # ?item=CODE&account_user_id=… (from "Change the order"): the form comes back filled in.
    prefill = {
        key: value[:100]
        for key, value in request.GET.items()
        if key == "item" or key.startswith("account_")
    }
    # With it, the contact last typed at checkout in this browser (kept in its session only).
    contact = (request.session.get(CONTACT_SESSION_KEY) or {}) if prefill else {}
    if prefill and request.user.is_authenticated and not contact.get("email"):
        contact = {**contact, "email": request.user.email}

    now = timezone.now()
    sale_state = promotions.sale_state(now)
    # A member's tier, read once: their page's key names it and the page is priced at it.
    tier = _page_tier(request)

    def context() -> dict:
        product = selectors.product_for_sale(slug)
        if product is None:
            raise Http404("No such game")
        return game_context(
            product,
            list(selectors.variants_for_sale(product)),
            CheckoutForm(
                product=product,
                initial=_initial(product, prefill, contact),
                user=request.user,  # a logged-in customer may pay with their balance
            ),
            customer=request.user,
            now=now,
            tier=promotions.tier_by_id(tier.tier_id) if tier.logged_in else None,
        )

    if prefill:  # a page showing what one visitor asked for is never cached for others
        response = render(request, "catalog/game.html", context())
        patch_cache_control(response, private=True)
        return _remember(response, request, tier)
    # A member's page shows nothing of them (paying from one's balance is every member's
    # option; their email is filled in only with a prefill, above).
    response = render_cached(
        request,
        "catalog/game.html",
        context,
        key=game_key(slug, sale_state, tier.key),
        members=True,
        logged_in=tier.logged_in,
    )
    return _remember(response, request, tier)


def game_context(product, variants: list, form, *, customer=None, now=None, tier=None) -> dict:
    """What the game page shows (also when checkout sends it back with errors): each item's
    price for this customer's tier (a guest's: the default tier's, with the tier shown to
    guests beside it, "Member: Rp X"), from promotions.quote like checkout's."""
    now = timezone.now() if now is None else now
    priced = promotions.priced_variants(variants, customer=customer, now=now, tier=tier)
    return {
        "product": product,
        "variants": priced.variants,
        "guest_tier": priced.guest_tier,
        "form": form,
        "lowest_price": min((v.quote.total for v in priced.variants), default=None),
        "game_status": status_of(product),
    }


@dataclass(frozen=True)
class PageTier:
    """Whose prices a page shows: a guest's, or a member's tier's (tier_id None: the default
    tier). read_under: the customer-tiers version it was read from the database under, when it
    was (then the response remembers it in the tier cookie)."""

    logged_in: bool
    tier_id: int | None
    key: str
    read_under: str | None = None


def _page_tier(request) -> PageTier:
    """The visitor's page tier, read once. Without a session cookie nobody is logged in and
    nothing is read; with one, the tier cookie answers while it is current, else the session,
    the account and the tier row do."""
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return PageTier(False, None, promotions.GUEST_TIER_KEY)
    if (known := tier_cookie.remembered(request)) is not None:
        logged_in, tier_id = known
        key = promotions.page_tier_key(tier_id) if logged_in else promotions.GUEST_TIER_KEY
        return PageTier(logged_in, tier_id, key)
    version = tier_cookie.customer_tiers_version()  # before the tier: a change meanwhile voids
    if not request.user.is_authenticated:
        return PageTier(False, None, promotions.GUEST_TIER_KEY, version)
    tier_id = promotions.member_tier_id(request.user)
    return PageTier(True, tier_id, promotions.page_tier_key(tier_id), version)


def _remember(response, request, tier: PageTier):
    if tier.read_under is not None:
        tier_cookie.remember(
            response,
            request,
            version=tier.read_under,
            logged_in=tier.logged_in,
            tier_id=tier.tier_id,
        )
    return response


def _initial(product, prefill: dict[str, str], contact: dict[str, str]) -> dict[str, str]:
    """The checkout form's initial values: the item, the product's own account fields and
    the contact (email, WhatsApp)."""
    names = [f"account_{spec['name']}" for spec in product.account_fields]
    fields = {n: prefill[n] for n in names if n in prefill}
    known = {n: str(contact[n]) for n in ("email", "whatsapp") if contact.get(n)}
    return {"variant": prefill.get("item", ""), **fields, **known}


def price_list(request):
    """All items with their current prices, cached until the catalog changes."""
    return render_cached(
        request,
        "catalog/prices.html",
        lambda: {"games": selectors.price_list()},
        key=("prices", catalog_version()),
    )
