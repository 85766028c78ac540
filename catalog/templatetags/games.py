"""A game's icon: the image uploaded in admin, else its initials on a colour of its own."""

import re
import zlib

from django import template
from django.utils.html import format_html

register = template.Library()

TONES = 8  # .tone-0 … .tone-7 in static/css/site.css (inline styles are refused by the CSP)


def initials(title: str) -> str:
    """ "Mobile Legends" → "ML", "Honkai: Star Rail" → "HS", "Valorant" → "V"."""
    words = re.findall(r"[^\W_]+", title)
    if not words:
        return "?"
    return "".join(word[0] for word in words[:2]).upper()


def tone(key: str) -> int:
    """The same colour for a game on every page and in every process."""
    return zlib.crc32(key.encode()) % TONES


@register.simple_tag
def game_icon(product, size: int = 64, css: str = "game-icon") -> str:
    if product.icon:
        return format_html(
            '<img class="{}" src="{}" alt="" width="{}" height="{}" loading="lazy">',
            css,
            product.icon.url,
            size,
            size,
        )
    return format_html(
        '<span class="{} game-initial tone-{}" aria-hidden="true">{}</span>',
        css,
        tone(product.slug or product.code),
        initials(product.title),
    )


@register.simple_tag
def game_description(product, lowest_price) -> str:
    """The meta description: the owner's, else one written from the game and its prices."""
    from django.utils.translation import gettext as _

    from storefront.templatetags.money import rupiah

    if product.meta_description:
        return product.meta_description
    if lowest_price is None:
        return _(
            "Top up %(game)s at Gerai: enter your ID, pay, and the item arrives by itself."
        ) % {"game": product.title}
    return _(
        "Top up %(game)s cheaply at Gerai, from %(price)s. Enter your ID, pay, and the item "
        "arrives by itself within minutes."
    ) % {"game": product.title, "price": rupiah(lowest_price)}
