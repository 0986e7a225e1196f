"""The duplicate checks' index (issue 21): same birth date and same name without spaces
(``duplicate_key``), an equality on both, where the birth date's index left a filter over its files."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cej", "0011_consent_one_current_per_site"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="youngperson",
            index=models.Index(
                models.F("birth_date"),
                django.db.models.functions.text.Replace(
                    models.F("search_name"), models.Value(" "), models.Value(""), output_field=models.TextField()
                ),
                name="young_person_duplicate_key",
            ),
        ),
    ]
