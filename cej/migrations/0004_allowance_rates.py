"""The CEJ monthly allowance by category since the décret 2022-199, and its yearly revaluations.

Later amounts are added by administrators in Django's admin (future dates only).
"""

from decimal import Decimal

from django.db import migrations

# valid_from: (adult, non-taxable household / adult, household taxed in the first bracket / minor)
RATES = {
    "2022-03-01": ("500.00", "300.00", "200.00"),
    "2023-04-01": ("528.00", "316.80", "211.20"),
    "2024-04-01": ("552.29", "331.17", "220.92"),
    "2025-04-01": ("561.68", "336.80", "224.68"),
}
CATEGORIES = ("adult_non_taxable", "adult_first_bracket", "minor")


def load(apps, schema_editor):
    AllowanceRate = apps.get_model("cej", "AllowanceRate")
    for valid_from, amounts in RATES.items():
        for category, amount in zip(CATEGORIES, amounts, strict=True):
            AllowanceRate.objects.update_or_create(
                category=category, valid_from=valid_from, defaults={"monthly_amount": Decimal(amount)}
            )


def unload(apps, schema_editor):
    AllowanceRate = apps.get_model("cej", "AllowanceRate")
    AllowanceRate.objects.filter(valid_from__in=list(RATES), created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cej", "0003_young_people_import")]

    operations = [migrations.RunPython(load, unload)]
