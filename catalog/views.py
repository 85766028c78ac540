from django.http import Http404
from django.shortcuts import render

from orders.forms import CheckoutForm
from storefront.pagecache import render_cached

from . import selectors
from .cache import catalog_version


def home(request):
    search = request.GET.get("q", "")[:100].strip()

    def context() -> dict:
        return {"products": selectors.products_for_sale(search=search), "search": search}

    if search:  # searches are many and cheap: not worth cache space
        return render(request, "catalog/home.html", context())
    return render_cached(request, "catalog/home.html", context, key=("home", catalog_version()))


def game(request, slug: str):
    item = request.GET.get("item", "")[:100]

    def context() -> dict:
        product = selectors.product_for_sale(slug)
        if product is None:
            raise Http404("No such game")
        return {
            "product": product,
            "variants": selectors.variants_for_sale(product),
            "form": CheckoutForm(product=product, initial={"variant": item}),
        }

    if item:
        return render(request, "catalog/game.html", context())
    # The version changes whenever a product or price does, retirement included, so a cached
    # page never outlives the game's being on sale.
    return render_cached(
        request, "catalog/game.html", context, key=("game", slug, catalog_version())
    )
