from django.db import migrations
from django.utils.text import slugify

# A frozen copy of catalog.aliases.DEFAULT_ALIASES as it was when this migration was written:
# a migration must not change meaning when application code does.
ALIASES = {
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


def seed_aliases(apps, schema_editor):
    """Games already synced get the aliases a new game would; an owner's entry is kept."""
    Product = apps.get_model("catalog", "Product")
    for product in Product.objects.filter(search_aliases=""):
        aliases = ALIASES.get(slugify(product.code)) or ALIASES.get(slugify(product.name))
        if aliases:
            Product.objects.filter(pk=product.pk).update(search_aliases=aliases)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_product_search_aliases")]

    operations = [migrations.RunPython(seed_aliases, migrations.RunPython.noop)]
