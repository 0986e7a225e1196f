from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        # pg_trgm for typo-tolerant name search, unaccent for accents, btree_gist for the
        # exclusion constraints that keep two contracts of one young person from overlapping.
        TrigramExtension(),
        UnaccentExtension(),
        BtreeGistExtension(),
        # unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes
        # this wrapper safe to declare IMMUTABLE, so a generated column and an index can use it.
        migrations.RunSQL(
            sql="""
                CREATE OR REPLACE FUNCTION cej_unaccent(text) RETURNS text
                LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
            """,
            reverse_sql="DROP FUNCTION IF EXISTS cej_unaccent(text);",
        ),
    ]
