from django.http import Http404
from django.shortcuts import render

from . import selectors


def home(request):
    search = request.GET.get("q", "")[:100]
    return render(
        request,
        "catalog/home.html",
        {"products": selectors.products_for_sale(search=search), "search": search},
    )


def game(request, slug: str):
    product = selectors.product_for_sale(slug)
    if product is None:
        raise Http404("No such game")
    variants = list(selectors.variants_for_sale(product))
    return render(request, "catalog/game.html", {"product": product, "variants": variants})
