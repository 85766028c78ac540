"""What kind of product a game is, for the home page's sections.

isipay lists products with a code and a name only (no category), and its catalog mixes games
with vouchers, streaming subscriptions, e-wallet top-ups and phone credit. The shop guesses a
product's category from its code and name (`guess_category`) and the owner may set another in
admin (Product.category); `category_of` is the one answer pages use.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    GAME = "game", _("Games")
    VOUCHER = "voucher", _("Vouchers")
    STREAMING = "streaming", _("Streaming")
    EWALLET = "ewallet", _("E-wallet & phone credit")


# Words in a product's code or name, checked in this order; anything else is a game.
_KEYWORDS: tuple[tuple[Category, tuple[str, ...]], ...] = (
    (
        Category.EWALLET,
        (
            "dana", "ovo", "gopay", "go-pay", "shopeepay", "shopee pay", "linkaja", "pulsa",
            "paket data", "telkomsel", "indosat", "xl", "smartfren", "e-wallet",
            "ewallet", "token pln", "pln",
        ),
    ),
    (
        Category.STREAMING,
        (
            "netflix", "spotify", "vidio", "youtube", "disney", "viu", "wetv", "iqiyi",
            "prime video", "hbo", "joox", "apple music", "streaming",
        ),
    ),
    (
        Category.VOUCHER,
        (
            "voucher", "google play", "steam", "playstation", "psn", "xbox", "nintendo",
            "itunes", "gift card", "garena shell", "unipin", "razer gold", "wave game",
        ),
    ),
)  # fmt: skip


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


def guess_category(code: str, name: str) -> Category:
    """The category a product's code and name suggest: whole words, case-insensitive."""
    haystack = _words(f"{code} {name}")
    for category, words in _KEYWORDS:
        if any(_words(word) in haystack for word in words):
            return category
    return Category.GAME


def category_of(product) -> Category:
    """The owner's choice when set, else the guess."""
    if product.category:
        return Category(product.category)
    return guess_category(product.code, product.name)
