"""The shaping of the pinned queries (tests/query_snapshots): what varies between runs is marked, the rest kept."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests import query_snapshots
from tests.partners.factories import UserFactory
from tests.query_snapshots import shape


def test_a_query_keeps_its_tables_joins_and_conditions_and_loses_what_varies():
    sql = (
        'SELECT "partners_user"."id", "partners_user"."email", COUNT("t"."id") AS "n" FROM "partners_user" '
        'INNER JOIN "e2c_referrals_referral" T3 ON ("partners_user"."id" = T3."referring_adviser_id") '
        'WHERE ("partners_user"."id" IN (%s, %s, %s) AND "partners_user"."email" = \'l\'\'ami@x.fr\')\n'
        "   LIMIT 21"
    )
    assert shape(sql) == (
        "SELECT partners_user.*, COUNT(t.id) AS n FROM partners_user "
        "INNER JOIN e2c_referrals_referral T3 ON (partners_user.id = T3.referring_adviser_id) "
        "WHERE (partners_user.id IN (…) AND partners_user.email = '…') LIMIT N"
    )


def test_savepoint_names_and_the_length_of_lists_are_marked():
    assert shape('SAVEPOINT "s140230_x12"') == shape('SAVEPOINT "s99_x1"') == "SAVEPOINT s"
    assert shape('WHERE "a"."id" IN (%s)') == shape('WHERE "a"."id" IN (%s, %s)') == "WHERE a.id IN (…)"
    one = 'INSERT INTO "t" ("a", "b") VALUES (%s, DEFAULT)'
    two = 'INSERT INTO "t" ("a", "b") VALUES (%s, DEFAULT), (%s, DEFAULT)'
    assert shape(one) == shape(two) == "INSERT INTO t (a, b) VALUES (…)"


def test_a_different_query_stays_different():
    assert shape('SELECT "t"."a" FROM "t" WHERE "t"."a" = %s') != shape('SELECT "t"."a" FROM "t" WHERE "t"."b" = %s')


@pytest.mark.django_db
def test_a_page_s_queries_are_recorded_and_a_page_without_snapshot_fails(monkeypatch):
    client = Client()
    client.force_login(UserFactory())
    with query_snapshots.recording() as queries:
        assert client.get(reverse("home")).status_code == 200
    assert any("FROM django_session" in query for query in queries), "the page's queries were recorded"

    monkeypatch.setattr(query_snapshots, "UPDATING", False)
    missing = query_snapshots.compare("no-such-page", {"no_membership": queries})
    assert missing is not None and "is missing" in missing
    assert not query_snapshots.path_of("no-such-page").exists(), "outside update mode nothing is written"
    committed = json.loads(query_snapshots.path_of("home").read_text(encoding="utf-8"))
    one_more = {**committed, "no_membership": [*committed["no_membership"], "SELECT N"]}
    changed = query_snapshots.compare("home", one_more)
    assert changed is not None and '+  "SELECT N"' in changed
