from decimal import Decimal

from django.db import migrations


def create_global_rule(apps, schema_editor):
    MarkupRule = apps.get_model("catalog", "MarkupRule")
    if not MarkupRule.objects.filter(product__isnull=True, variant__isnull=True).exists():
        # 8 % over cost, rounded up to Rp 100, never less than Rp 200 of margin.
        MarkupRule.objects.create(percent=Decimal("8"), fixed=0, round_to=100, min_margin=200)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_global_rule, migrations.RunPython.noop)]
