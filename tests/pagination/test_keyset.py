"""Keyset cursors: no personal data in URLs, never valid across lists, never a server error."""

import base64

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cej.models import YoungPerson
from pagination.keyset import paginate
from partners.models import Membership, Organisation
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_cursor_carries_no_name():
    for index in range(3):
        MembershipFactory(user=UserFactory(last_name=f"Dupont-Éléonore{index}"))
    page = paginate(Membership.objects.all(), keys=("user__last_name", "id"), size=1)

    payload = page.next_cursor.split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "Dupont" not in decoded and "Dupont" not in page.next_cursor


def test_a_cursor_from_another_list_or_edited_by_hand_restarts_from_the_first_page():
    OrganisationFactory.create_batch(3)
    MembershipFactory.create_batch(3)
    team_cursor = paginate(Membership.objects.all(), keys=("user__last_name", "id"), size=1).next_cursor
    organisations = Organisation.objects.all()

    for cursor in (team_cursor, "n'importe quoi", signing.dumps(10**9, salt="autre")):
        page = paginate(organisations, keys=("sort_name", "id"), after=cursor, size=2)
        assert page.items == list(organisations.order_by("sort_name", "id")[:2])
        assert page.previous_cursor is None


def test_a_cursor_never_reaches_a_row_outside_the_scoped_list():
    inside = OrganisationFactory.create_batch(3, is_active=True)
    outside = OrganisationFactory(is_active=False, name="Zzz fermée")
    all_rows = Organisation.objects.all()
    foreign_cursor = paginate(all_rows, keys=("sort_name", "id"), size=1).next_cursor
    assert foreign_cursor

    scoped = paginate(
        Organisation.objects.filter(pk__in=[o.pk for o in inside]),
        keys=("sort_name", "id"),
        after=signing.dumps(outside.pk, salt="keyset:partners.Organisation:sort_name,id"),
    )

    assert {o.pk for o in scoped.items} == {o.pk for o in inside}


def test_a_descending_list_pages_newest_first_both_ways():
    organisations = OrganisationFactory.create_batch(5)
    newest_first = sorted(organisations, key=lambda o: o.pk, reverse=True)

    first = paginate(Organisation.objects.all(), keys=("id",), size=2, descending=True)
    second = paginate(Organisation.objects.all(), keys=("id",), size=2, descending=True, after=first.next_cursor)
    back = paginate(Organisation.objects.all(), keys=("id",), size=2, descending=True, before=second.previous_cursor)

    assert first.items == newest_first[:2] and second.items == newest_first[2:4]
    assert back.items == first.items
    # An ascending cursor means nothing to the descending list: first page again.
    ascending = paginate(Organisation.objects.all(), keys=("id",), size=2).next_cursor
    assert (
        paginate(Organisation.objects.all(), keys=("id",), size=2, descending=True, after=ascending).items
        == first.items
    )


def test_pages_walked_forward_then_back_hold_every_row_once_in_order_with_ties():
    # Ties on the sort key (the same accent-free name) are broken by the id.
    for name in ["Éloïse", "Eloise", "Œdipe", "d'Arc", "D'Arc", "Zoé", "zoe"] * 3:
        OrganisationFactory(name=name)
    ordered = list(Organisation.objects.order_by("sort_name", "id"))
    seen, page = [], paginate(Organisation.objects.all(), keys=("sort_name", "id"), size=4)
    pages = [page]
    while True:
        seen += page.items
        if page.next_cursor is None:
            break
        page = paginate(Organisation.objects.all(), keys=("sort_name", "id"), after=page.next_cursor, size=4)
        pages.append(page)
    assert seen == ordered
    # and back from the last page, page by page, to the first
    back = paginate(Organisation.objects.all(), keys=("sort_name", "id"), before=pages[-1].previous_cursor, size=4)
    assert back.items == pages[-2].items


def test_a_descending_log_is_walked_newest_first():
    for _ in range(7):
        OrganisationFactory()
    newest = list(Organisation.objects.order_by("-sort_name", "-id"))
    first = paginate(Organisation.objects.all(), keys=("sort_name", "id"), size=5, descending=True)
    second = paginate(
        Organisation.objects.all(), keys=("sort_name", "id"), size=5, descending=True, after=first.next_cursor
    )
    assert first.items + second.items == newest


def test_the_cursor_bound_is_an_index_condition_at_any_depth():
    """The seek is the bound of the index scan (``Index Cond``), not a filter over every row before
    it: a deep page costs what the first does (issue 21)."""
    organisation = OrganisationFactory()
    YoungPersonFactory.create_batch(30, organisation=organisation)
    queryset = YoungPerson.objects.filter(organisation=organisation)
    first = paginate(queryset, keys=("search_name", "id"), size=10)
    with CaptureQueriesContext(connection) as captured:
        paginate(queryset, keys=("search_name", "id"), after=first.next_cursor, size=10)
    page_sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        # A 30-row table would be read whole, or its rows sorted after the organisation's index: ask
        # the plan PostgreSQL takes at national scale, where reading in index order wins.
        cursor.execute("ANALYZE cej_youngperson")
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "young_person_org_keyset" in plan, plan
    index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any("ROW(" in line and "search_name" in line for line in index_conditions), plan
    assert not any("Filter" in line and "search_name" in line for line in plan.splitlines()), plan
