"""The default durations (décret 2015-59 for the files, 12 months for accounts)."""

from django.db import migrations

DEFAULTS = [
    ("young_person_age", 2, "years"),
    ("young_person_cej", 10, "years"),
    ("account", 12, "months"),
]


def create_defaults(apps, schema_editor):
    policy = apps.get_model("retention", "RetentionPolicy")
    for category, duration, unit in DEFAULTS:
        policy.objects.get_or_create(category=category, defaults={"duration": duration, "unit": unit})


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
