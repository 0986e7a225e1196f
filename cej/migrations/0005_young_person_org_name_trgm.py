from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cej", "0004_allowance_rates")]

    operations = [
        # btree_gin: a GIN index can hold organisation_id next to the name's trigrams.
        BtreeGinExtension(),
        migrations.RemoveIndex(model_name="youngperson", name="young_person_name_trgm"),
        migrations.AddIndex(
            model_name="youngperson",
            index=GinIndex(
                fields=["organisation", "search_name"],
                opclasses=["int8_ops", "gin_trgm_ops"],
                name="young_person_org_name_trgm",
            ),
        ),
    ]
