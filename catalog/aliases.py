"""Search aliases a new game starts with: the short names players type ("ml", "ff", "hsr").

A product's aliases are the shop owner's field once the game exists: the sync sets them only
when it creates the product and never writes them again, so an owner's edits survive.
"""

from django.utils.text import slugify

# By the game's code or its name, slugified: isipay's codes for a game may differ from the
# sandbox's, its names less so.
DEFAULT_ALIASES = {
    "mobile-legends": "ML, MLBB",
    "free-fire": "FF, Free Fire MAX",
    "genshin-impact": "GI, Genshin",
    "pubg-mobile": "PUBGM, PUBG",
    "honor-of-kings": "HOK",
    "valorant": "Valo, VP",
    "call-of-duty-mobile": "CODM, COD",
    "honkai-star-rail": "HSR, Honkai",
    "magic-chess-go-go": "MCGG",
    "point-blank": "PB",
}


def default_aliases(*, code: str, name: str) -> str:
    return DEFAULT_ALIASES.get(slugify(code)) or DEFAULT_ALIASES.get(slugify(name), "")
