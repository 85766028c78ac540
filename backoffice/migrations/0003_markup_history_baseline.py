"""The markup rules that exist when history starts get a first history entry, so the
history shows every rule from the beginning."""

from django.db import migrations
from django.utils import timezone


def record_existing_rules(apps, schema_editor):
    MarkupRule = apps.get_model("catalog", "MarkupRule")
    HistoricalMarkupRule = apps.get_model("backoffice", "HistoricalMarkupRule")
    now = timezone.now()
    HistoricalMarkupRule.objects.bulk_create(
        HistoricalMarkupRule(
            id=rule.pk,
            product_id=rule.product_id,
            variant_id=rule.variant_id,
            percent=rule.percent,
            fixed=rule.fixed,
            round_to=rule.round_to,
            min_margin=rule.min_margin,
            history_date=now,
            history_type="+",
            history_change_reason="Rule in place when markup history started.",
        )
        for rule in MarkupRule.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0002_roles")]

    operations = [migrations.RunPython(record_existing_rules, migrations.RunPython.noop)]
