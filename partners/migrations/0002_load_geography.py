"""Load the 18 régions and 101 départements of INSEE's COG from the project's reference data."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Region = apps.get_model("partners", "Region")
    Departement = apps.get_model("partners", "Departement")
    with open(DATA / "regions.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Region.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    with open(DATA / "departements.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Departement.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "region_id": row["region_code"]}
            )


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
