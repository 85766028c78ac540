from django.db import migrations

TIERS = [
    # name, order, shown to guests
    ("Umum", 0, False),
    ("Member", 10, True),
    ("Gold", 20, False),
    ("Reseller", 30, False),
]


def seed(apps, schema_editor):
    Tier = apps.get_model("promotions", "Tier")
    TierMarkupRule = apps.get_model("promotions", "TierMarkupRule")
    for name, order, shown in TIERS:
        tier, created = Tier.objects.get_or_create(
            name=name, defaults={"order": order, "shown_to_guests": shown}
        )
        # Until the owner sets them: each tier a little cheaper than the last (Umum's rules are
        # catalog's MarkupRule, 10 % by default).
        percent = {"Member": 7, "Gold": 5, "Reseller": 3}.get(name)
        if created and percent is not None:
            TierMarkupRule.objects.create(tier=tier, percent=percent, round_to=100, min_margin=100)


class Migration(migrations.Migration):
    dependencies = [("promotions", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
