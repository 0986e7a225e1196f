"""The inbox reads its two segments (late, then the others) in index order: the same order as a rank
sorted over every referral, at any depth, both ways, across a school's sites; one query a page."""

import datetime
import functools
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Referral
from e2c_referrals.selectors.inbox import IN_PROGRESS, InboxFilters, inbox, is_overdue, sent_referrals
from e2c_referrals.selectors.referrals import referrals_for_actor
from partners.access import Actor
from partners.enums import OrganisationKind
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import OrganisationFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
S = ReferralStatus
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def new_referral(world, *, site, status, changed_days_ago, sent_days_ago=40, **fields):
    person = YoungPersonFactory(organisation=world.ml_a)
    return Referral.objects.create(
        young_person=person,
        referring_organisation=person.organisation,
        referring_adviser=world.user("adviser_ml"),
        e2c_site=site,
        diagnostic="Sans diplôme.",
        motivation="Logistique.",
        status=status,
        sent_at=timezone.now() - sent_days_ago * DAY,
        status_changed_at=timezone.now() - changed_days_ago * DAY,
        **fields,
    )


@pytest.fixture
def school():
    """Two sites of one school, each with late and on-time referrals, closed ones, equal dates."""
    world = build_world()
    second_site = OrganisationFactory(kind=OrganisationKind.E2C_SITE, parent=world.school, name="E2C Lyon — Vaulx")
    statuses = [S.SENT, S.ACKNOWLEDGED, S.INTEGRATION, S.EXITED, S.INTERVIEW, S.WITHDRAWN]
    for number, (site, status) in enumerate(itertools.product([world.site, second_site], statuses * 2)):
        end = TODAY + (-DAY if number % 3 else 10 * DAY)
        new_referral(
            world,
            site=site,
            status=status,
            changed_days_ago=number % 5,  # ties on the date: the id decides
            sent_days_ago=2 if number % 4 == 0 else 30,
            integration_planned_end_on=end if status == S.INTEGRATION else None,
        )
    return world


def expected(world, role, statuses):
    rows = referrals_for_actor(actor(world, role)).filter(
        e2c_site__in=actor(world, role).family_ids, status__in=statuses
    )
    return [r.pk for r in sorted(rows, key=lambda r: (not is_overdue(r, TODAY), r.status_changed_at, r.pk))]


@pytest.mark.parametrize("status", ["", "toutes", S.INTEGRATION])
def test_a_schools_inbox_pages_late_first_then_oldest_across_its_sites_both_ways(school, status):
    manager = actor(school, "manager_e2c")
    filters = InboxFilters(status=status)
    statuses = {"": IN_PROGRESS, "toutes": list(S)}.get(status, [status])
    order = expected(school, "manager_e2c", statuses)
    assert len(order) > 3  # more than one page

    pages, cursor = [], None
    while True:
        found = inbox(actor=manager, filters=filters, today=TODAY, size=3, after=cursor)
        pages.append([row.pk for row in found.items])
        cursor = found.next_cursor
        if cursor is None:
            break
    assert list(itertools.chain(*pages)) == order
    assert [row.overdue for row in inbox(actor=manager, filters=filters, today=TODAY, size=100).items] == [
        is_overdue(Referral.objects.get(pk=pk), TODAY) for pk in order
    ]
    # and back, page by page, from the last one to the first
    back, cursor = [], found.previous_cursor
    while cursor is not None:
        found = inbox(actor=manager, filters=filters, today=TODAY, size=3, before=cursor)
        back.insert(0, [row.pk for row in found.items])
        cursor = found.previous_cursor
    assert back == pages[:-1]


def test_a_sites_staff_sees_its_site_only_and_the_site_filter_keeps_the_order(school):
    staff, manager = actor(school, "e2c_staff"), actor(school, "manager_e2c")
    own = [row.pk for row in inbox(actor=staff, filters=InboxFilters(), today=TODAY, size=100).items]
    by_site = inbox(actor=manager, filters=InboxFilters(site=str(school.site.public_id)), today=TODAY, size=100)

    assert own == [row.pk for row in by_site.items]
    assert set(Referral.objects.filter(pk__in=own).values_list("e2c_site", flat=True)) == {school.site.pk}


def list_queries(call):
    with CaptureQueriesContext(connection) as captured:
        page = call()
    return page, [q["sql"] for q in captured.captured_queries if "e2c_referrals_referral" in q["sql"]]


def test_a_page_of_either_list_is_one_query_two_with_a_cursor_and_never_reads_a_password(school):
    manager, adviser = actor(school, "manager_e2c"), actor(school, "adviser_ml")
    for call in (
        lambda **cursor: inbox(actor=manager, filters=InboxFilters(), size=3, **cursor),
        lambda **cursor: sent_referrals(actor=adviser, status="toutes", size=3, **cursor),
    ):
        first, queries = list_queries(call)
        assert len(queries) == 1
        _, with_cursor = list_queries(functools.partial(call, after=first.next_cursor))
        assert len(with_cursor) == 2
        assert not any("password" in sql for sql in queries + with_cursor)


def plan_of(sql):
    with connection.cursor() as cursor:
        # A few hundred rows would be read whole: ask the plan PostgreSQL takes at national scale,
        # where reading in index order wins (as tests/pagination/test_keyset.py does).
        cursor.execute("ANALYZE e2c_referrals_referral")
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize(("status", "index"), [("", "referral_inbox_open"), ("toutes", "referral_inbox_all")])
def test_the_on_time_segment_is_read_in_index_order_from_the_cursor(school, status, index):
    """No rank sorted over the site's history: the referrals not late are an index scan bounded by
    the cursor (``Index Cond`` with the row value), then a LIMIT (issue 21)."""
    staff = actor(school, "e2c_staff")
    filters = InboxFilters(status=status)
    rows = inbox(actor=staff, filters=filters, size=100).items
    size = [row.overdue for row in rows].index(False) + 1  # the cursor stands in the second segment
    first = inbox(actor=staff, filters=filters, size=size)
    assert first.next_cursor and not first.items[-1].overdue
    _, queries = list_queries(lambda: inbox(actor=staff, filters=filters, size=size, after=first.next_cursor))
    plan = plan_of(queries[-1])

    scans = [number for number, line in enumerate(plan) if f"Index Scan using {index} " in line]
    assert scans, "\n".join(plan)
    bound = plan[scans[0] + 1]
    assert "Index Cond" in bound and "ROW(" in bound and "status_changed_at" in bound, "\n".join(plan)
    # the scan's rows come out in order: no Sort between it and its LIMIT
    limit = max(number for number, line in enumerate(plan[: scans[0]]) if "Limit" in line)
    assert not any("Sort" in line for line in plan[limit : scans[0]]), "\n".join(plan)
