"""One normalisation of names for the search and the duplicate checks: ``cej_name_key(text)``.

The SQL twin of ``texthygiene.names.name_key`` (the character classes below are a frozen copy of
that module's; ``tests/texthygiene/test_name_key.py`` checks the two agree). ``search_name`` is
recomputed with it in place: ``ALTER COLUMN … SET EXPRESSION`` on PostgreSQL 17+ (a table rewrite
that keeps the column, its indexes — rebuilt — and the history triggers that read it); on PostgreSQL 15
and 16, which lack it, the column is dropped and added again with the same indexes and triggers, whose
definitions are read from the catalogue first (``set_generated_expression_sql``).
"""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat

import cej.models

INVISIBLE_CLASS = "\u00ad\u034f\u061c\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff"
COMBINING_CLASS = "\u0300-\u036f\u0483-\u0489\u064b-\u065f\u0670\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
SEPARATOR_CLASS = (
    " \t\n\r\f\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    "'`\u00b4\u2018\u2019\u201b\u2032\u02b9\u02bb\u02bc\u02bd\u02c8"
    "\u2010-\u2015\u2212\u02d7\ufe58\ufe31\ufe32"
    ".,_\u00b7\u2022\u2027\u3001\u3002\uff61\uff64"
    "-"
)


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# NFKD; invisible characters out; lower case; unaccent (accents, œ → oe, ß → ss…); combining marks
# out; every run of separators → one space; trimmed. Fully qualified: a generated column and an
# index are evaluated with an empty search_path (restore, autovacuum).
NAME_KEY_SQL = f"""
CREATE OR REPLACE FUNCTION public.cej_name_key(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT pg_catalog.btrim(
        pg_catalog.regexp_replace(
            pg_catalog.regexp_replace(
                public.unaccent(
                    'public.unaccent'::regdictionary,
                    pg_catalog.lower(
                        pg_catalog.regexp_replace(normalize($1, NFKD), {literal(f"[{INVISIBLE_CLASS}]")}, '', 'g')
                    )
                ),
                {literal(f"[{COMBINING_CLASS}]")}, '', 'g'
            ),
            {literal(f"[{SEPARATOR_CLASS}]+")}, ' ', 'g'
        ),
        ' '
    )
$$;
"""


def set_generated_expression_sql(table: str, column: str, expression: str) -> str:
    """SQL that gives a stored generated text column a new expression on any PostgreSQL ≥ 15.

    Before 17 there is no ``SET EXPRESSION``, and the column cannot be dropped while the history
    trigger's ``WHEN`` clause reads it: the triggers of the table and the indexes on the column are
    saved (``pg_get_triggerdef`` / ``pg_get_indexdef``), dropped with the column, and re-created.
    """
    return f"""
DO $migration$
DECLARE
    saved text[] := ARRAY[]::text[];
    statement text;
    item record;
BEGIN
    IF current_setting('server_version_num')::int >= 170000 THEN
        EXECUTE 'ALTER TABLE {table} ALTER COLUMN {column} SET EXPRESSION AS ({expression.replace("'", "''")})';
        RETURN;
    END IF;
    FOR item IN
        SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid) AS definition
        FROM pg_catalog.pg_trigger t
        WHERE t.tgrelid = '{table}'::regclass AND NOT t.tgisinternal
    LOOP
        saved := saved || item.definition;
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON {table}', item.tgname);
    END LOOP;
    FOR item IN
        SELECT pg_catalog.pg_get_indexdef(d.objid) AS definition
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.refobjid = '{table}'::regclass AND a.attname = '{column}'
          AND d.classid = 'pg_catalog.pg_class'::regclass
    LOOP
        saved := saved || item.definition;
    END LOOP;
    EXECUTE 'ALTER TABLE {table} DROP COLUMN {column}';
    EXECUTE 'ALTER TABLE {table} ADD COLUMN {column} text GENERATED ALWAYS AS ({expression.replace("'", "''")}) STORED';
    FOREACH statement IN ARRAY saved LOOP
        EXECUTE statement;
    END LOOP;
END
$migration$;
"""  # noqa: S608 (table, column and expression are this migration's constants)


NEW_EXPRESSION = 'public.cej_name_key(("last_name" || \' \' || "first_name"))'
OLD_EXPRESSION = (
    "public.cej_unaccent(replace(replace(lower((\"last_name\" || ' ' || \"first_name\")), '''', ''), '’', ''))"
)


class Migration(migrations.Migration):
    dependencies = [("cej", "0008_restriction")]

    operations = [
        migrations.RunSQL(sql=NAME_KEY_SQL, reverse_sql="DROP FUNCTION IF EXISTS public.cej_name_key(text);"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=set_generated_expression_sql("cej_youngperson", "search_name", NEW_EXPRESSION),
                    reverse_sql=set_generated_expression_sql("cej_youngperson", "search_name", OLD_EXPRESSION),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="youngperson",
                    name="search_name",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=cej.models.NameKey(Concat(F("last_name"), Value(" "), F("first_name"))),
                        output_field=models.TextField(),
                    ),
                ),
            ],
        ),
    ]
