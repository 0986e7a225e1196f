"""The history's copy of ``search_name`` follows the young person's (``cej/0009_name_key``)."""

import importlib

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils.module_loading import import_string

# A column copied from cej's table, with its expression: looked up by name (see 0001_initial).
NameKey = import_string("cej.models.NameKey")

NEW_EXPRESSION = 'public.cej_name_key(("last_name" || \' \' || "first_name"))'
OLD_EXPRESSION = (
    "public.cej_unaccent(replace(replace(lower((\"last_name\" || ' ' || \"first_name\")), '''', ''), '’', ''))"
)
TABLE = "history_youngpersonchange"
# The same portable statement as the young person's column (PostgreSQL 15 to 18).
set_generated_expression_sql = importlib.import_module("cej.migrations.0009_name_key").set_generated_expression_sql


class Migration(migrations.Migration):
    dependencies = [("cej", "0009_name_key"), ("history", "0003_restrictionchange")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=set_generated_expression_sql(TABLE, "search_name", NEW_EXPRESSION),
                    reverse_sql=set_generated_expression_sql(TABLE, "search_name", OLD_EXPRESSION),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="youngpersonchange",
                    name="search_name",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=NameKey(Concat(F("last_name"), Value(" "), F("first_name"))),
                        output_field=models.TextField(),
                    ),
                ),
            ],
        ),
    ]
