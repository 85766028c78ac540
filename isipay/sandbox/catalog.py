"""Catalog data for the isipay sandbox: a realistic demo catalog and a big synthetic one.

The records mirror what isipay's /product and /variant endpoints send, including their quirks:
a product's `is_active` is a bool, a variant's is a string ("active" or another word), prices
are int rupiah (the shop's cost) and `process_duration` is a string of seconds.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

ACTIVE = "active"
INACTIVE = "inactive"

# The one variant name carrying markup: pages that show it must escape it.
HTML_VARIANT_NAME = "<b>Bonus</b> 100 Diamonds <script>alert(1)</script>"


@dataclass
class SandboxVariant:
    id: int
    code: str
    name: str
    price: int
    is_active: str = ACTIVE
    process_duration: str = "0"

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "is_active": self.is_active,
            "price": self.price,
            "processDuration": self.process_duration,
        }


@dataclass
class SandboxProduct:
    code: str
    name: str
    is_active: bool = True
    variants: dict[str, SandboxVariant] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "is_active": self.is_active}


Catalog = dict[str, SandboxProduct]


class _Row(NamedTuple):
    """A demo variant row; the id is assigned in order."""

    code: str
    name: str
    price: int
    process_duration: str = "0"
    is_active: str = ACTIVE


# (code, name, price, process_duration="0", is_active="active") per variant.
# Wholesale prices, roughly what Indonesian resellers paid in 2025.
_DEMO: list[tuple[str, str, bool, tuple[tuple, ...]]] = [
    ("mobile-legends", "Mobile Legends", True, (
        ("MLBB_ID_5", "5 (5+0) Diamonds", 1389),
        ("MLBB_ID_12", "12 (11+1) Diamonds", 3190),
        ("MLBB_ID_19", "19 (17+2) Diamonds", 4890),
        ("MLBB_ID_28", "28 (25+3) Diamonds", 7120),
        ("MLBB_ID_44", "44 (40+4) Diamonds", 10890),
        ("MLBB_ID_59", "59 (53+6) Diamonds", 14590),
        ("MLBB_ID_85", "85 (77+8) Diamonds", 19450),
        ("MLBB_ID_170", "170 (154+16) Diamonds", 38750),
        ("MLBB_ID_240", "240 (217+23) Diamonds", 54600),
        ("MLBB_ID_296", "296 (256+40) Diamonds", 67300),
        ("MLBB_ID_408", "408 (367+41) Diamonds", 92650),
        ("MLBB_ID_568", "568 (503+65) Diamonds", 128900, "5"),
        ("MLBB_ID_875", "875 (774+101) Diamonds", 198500, "5"),
        ("MLBB_ID_2010", "2010 (1708+302) Diamonds", 455900, "60", INACTIVE),
        ("MLBB_ID_WDP", "Weekly Diamond Pass", 27420),
        ("MLBB_ID_TWILIGHT", "Twilight Pass", 146500, "60"),
    )),
    ("free-fire", "Free Fire", True, (
        ("FF_5", "5 Diamonds", 790),
        ("FF_12", "12 Diamonds", 1580),
        ("FF_50", "50 Diamonds", 6450),
        ("FF_70", "70 Diamonds", 8950),
        ("FF_140", "140 Diamonds", 17850),
        ("FF_355", "355 Diamonds", 44500),
        ("FF_720", "720 Diamonds", 89200),
        ("FF_1450", "1450 Diamonds", 178400, "5"),
        ("FF_BONUS_100", HTML_VARIANT_NAME, 12750),
        ("FF_MM", "Member Mingguan", 28700),
        ("FF_MB", "Member Bulanan", 86900, "0", INACTIVE),
    )),
    ("genshin-impact", "Genshin Impact", True, (
        ("GI_60", "60 Genesis Crystals", 12450, "60"),
        ("GI_330", "300+30 Genesis Crystals", 61900, "60"),
        ("GI_1090", "980+110 Genesis Crystals", 189500, "60"),
        ("GI_2240", "1980+260 Genesis Crystals", 389000, "60"),
        ("GI_3880", "3280+600 Genesis Crystals", 628000, "60"),
        ("GI_8080", "6480+1600 Genesis Crystals", 1245000, "60"),
        ("GI_WELKIN", "Blessing of the Welkin Moon", 61900, "60"),
    )),
    ("pubg-mobile", "PUBG Mobile", True, (
        ("PUBGM_30", "30 UC", 7350),
        ("PUBGM_60", "60 UC", 14250),
        ("PUBGM_325", "325 UC (300+25)", 71400),
        ("PUBGM_660", "660 UC (600+60)", 142500),
        ("PUBGM_1800", "1800 UC (1500+300)", 356000, "5"),
        ("PUBGM_3850", "3850 UC (3000+850)", 712000, "5"),
        ("PUBGM_8100", "8100 UC (6000+2100)", 1424000, "5", INACTIVE),
    )),
    ("honor-of-kings", "Honor of Kings", True, (
        ("HOK_16", "16 Tokens", 2950),
        ("HOK_88", "88 (80+8) Tokens", 14700),
        ("HOK_257", "257 (240+17) Tokens", 43900),
        ("HOK_432", "432 (400+32) Tokens", 72600),
        ("HOK_605", "605 (560+45) Tokens", 101500),
        ("HOK_895", "895 (800+95) Tokens", 145000),
        ("HOK_1353", "1353 (1200+153) Tokens", 218000),
        ("HOK_2724", "2724 (2400+324) Tokens", 437000),
        ("HOK_WEEKLY", "Weekly Card", 13900),
    )),
    ("valorant", "Valorant", True, (
        ("VAL_125", "125 VP", 13650, "5"),
        ("VAL_420", "420 VP", 45300, "5"),
        ("VAL_700", "700 VP", 74500, "5"),
        ("VAL_1375", "1375 VP", 145000, "5"),
        ("VAL_2400", "2400 VP", 247000, "5"),
        ("VAL_4000", "4000 VP", 406000, "5"),
        ("VAL_8150", "8150 VP", 812000, "5"),
    )),
    ("call-of-duty-mobile", "Call of Duty Mobile", True, (
        ("CODM_31", "31 CP", 4650),
        ("CODM_63", "63 CP", 9300),
        ("CODM_128", "128 CP", 18600),
        ("CODM_321", "321 CP", 46500),
        ("CODM_645", "645 CP", 93000),
        ("CODM_1373", "1373 CP", 186000),
        ("CODM_2750", "2750 CP", 372000, "5"),
        ("CODM_7000", "7000 CP", 930000, "5"),
    )),
    ("honkai-star-rail", "Honkai: Star Rail", True, (
        ("HSR_60", "60 Oneiric Shards", 12450, "60"),
        ("HSR_330", "300+30 Oneiric Shards", 61900, "60"),
        ("HSR_1090", "980+110 Oneiric Shards", 189500, "60"),
        ("HSR_2240", "1980+260 Oneiric Shards", 389000, "60"),
        ("HSR_3880", "3280+600 Oneiric Shards", 628000, "60"),
        ("HSR_8080", "6480+1600 Oneiric Shards", 1245000, "60"),
        ("HSR_EXPRESS", "Express Supply Pass", 61900, "60"),
    )),
    ("magic-chess-go-go", "Magic Chess: Go Go", True, (
        ("MCGG_5", "5 Diamonds", 1389),
        ("MCGG_12", "12 (11+1) Diamonds", 3190),
        ("MCGG_28", "28 (25+3) Diamonds", 7120),
        ("MCGG_59", "59 (53+6) Diamonds", 14590),
        ("MCGG_85", "85 (77+8) Diamonds", 19450),
        ("MCGG_170", "170 (154+16) Diamonds", 38750),
        ("MCGG_WDP", "Weekly Diamond Pass", 27420),
    )),
    # Not games: isipay also lists vouchers, streaming, e-wallets and phone credit.
    ("google-play-voucher", "Google Play Voucher", True, (
        ("GPLAY_20K", "Voucher Google Play Rp 20.000", 20650),
        ("GPLAY_50K", "Voucher Google Play Rp 50.000", 51200),
        ("GPLAY_100K", "Voucher Google Play Rp 100.000", 101900),
    )),
    ("vidio-premier", "Vidio Premier", True, (
        ("VIDIO_PLATINUM_30", "Vidio Platinum 30 Hari", 38500),
        ("VIDIO_DIAMOND_30", "Vidio Diamond Mobile 30 Hari", 62000),
    )),
    ("dana", "DANA", True, (
        ("DANA_20K", "Saldo DANA Rp 20.000", 20750),
        ("DANA_50K", "Saldo DANA Rp 50.000", 50750),
        ("DANA_100K", "Saldo DANA Rp 100.000", 100750),
    )),
    ("pulsa-telkomsel", "Pulsa Telkomsel", True, (
        ("TSEL_10K", "Pulsa Telkomsel 10.000", 10600),
        ("TSEL_25K", "Pulsa Telkomsel 25.000", 25300),
        ("TSEL_50K", "Pulsa Telkomsel 50.000", 49900),
    )),
    # Listed but switched off by the supplier: the shop must not sell it.
    ("point-blank", "Point Blank", False, (
        ("PB_1200", "1.200 PB Cash", 9300),
        ("PB_2400", "2.400 PB Cash", 18500),
        ("PB_6000", "6.000 PB Cash", 46000),
        ("PB_12000", "12.000 PB Cash", 92000),
        ("PB_36000", "36.000 PB Cash", 275000),
    )),
]  # fmt: skip

# The document's example variant is MLBB_ID_5 with id 4090; the ids count on from there.
_FIRST_ID = 4090


def demo_catalog() -> Catalog:
    """A fresh copy of the demo catalog (callers may mutate it freely)."""
    catalog: Catalog = {}
    next_id = _FIRST_ID
    for code, name, is_active, rows in _DEMO:
        product = SandboxProduct(code=code, name=name, is_active=is_active)
        for row in (_Row(*raw) for raw in rows):
            product.variants[row.code] = SandboxVariant(id=next_id, **row._asdict())
            next_id += 1
        catalog[code] = product
    return catalog


def generated_catalog(products: int = 200, variants: int = 50) -> Catalog:
    """A big deterministic synthetic catalog with unique codes and ids, for benchmarks.

    Every 25th product is inactive and every 17th variant is "inactive".
    """
    catalog: Catalog = {}
    next_id = 100_000
    for p in range(1, products + 1):
        code = f"game-{p:04d}"
        product = SandboxProduct(code=code, name=f"Game {p:04d}", is_active=p % 25 != 0)
        for v in range(1, variants + 1):
            variant_code = f"G{p:04d}_V{v:03d}"
            product.variants[variant_code] = SandboxVariant(
                id=next_id,
                code=variant_code,
                name=f"{v * 10} Coins",
                price=1_000 + v * 1_500 + (p * 37 + v * 11) % 97 * 10,
                is_active=INACTIVE if next_id % 17 == 0 else ACTIVE,
                process_duration=("0", "5", "60")[v % 3],
            )
            next_id += 1
        catalog[code] = product
    return catalog
