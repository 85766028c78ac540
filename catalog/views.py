from django.http import Http404
from django.shortcuts import render

from orders.forms import CheckoutForm

from . import selectors
from .cache import catalog_version


def home(request):
    search = request.GET.get("q", "")[:100].strip()
    context = {
        "products": selectors.products_for_sale(search=search),
        "search": search,
        "catalog_version": catalog_version(),
    }
    return render(request, "catalog/home.html", context)


def game(request, slug: str):
    product = selectors.product_for_sale(slug)
    if product is None:
        raise Http404("No such game")
    form = CheckoutForm(product=product, initial={"variant": request.GET.get("item", "")})
    context = {
        "product": product,
        # Evaluated only when the cached tiles are missing.
        "variants": selectors.variants_for_sale(product),
        "form": form,
        "catalog_version": catalog_version(),
    }
    return render(request, "catalog/game.html", context)
