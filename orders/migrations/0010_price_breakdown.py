from django.db import migrations, models
from django.db.models import F


def base_is_price(apps, schema_editor):
    """Orders from before the breakdown: their price was the base price."""
    apps.get_model("orders", "Order").objects.update(base_price=F("price"))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0009_payment_method_and_fees"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="tier_name",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="order",
            name="base_price",
            field=models.PositiveBigIntegerField(
                default=0, help_text="Cost plus the customer's tier markup, in rupiah."
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="sale_price",
            field=models.PositiveBigIntegerField(
                blank=True, help_text="The flash-sale price, when there was one.", null=True
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="promo_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="order",
            name="promo_discount",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="order",
            name="subsidy_cost",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="order",
            name="margin_floor",
            field=models.PositiveBigIntegerField(
                default=0,
                help_text="Cost plus the minimum margin: no unsubsidised price goes below it.",
            ),
        ),
        migrations.RunPython(base_is_price, migrations.RunPython.noop, elidable=True),
    ]
