"""The plans of the referral page's and the sessions list's own queries (issue 21): each reads the
index made for it, whatever the size of the country. Tables of a test are tiny, so each test asks
for the plan PostgreSQL takes at national scale (``ANALYZE``, sequential and bitmap scans off)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from e2c_referrals.enums import HandBackReason, ReferralStatus
from e2c_referrals.models import HandBack, Referral
from e2c_referrals.selectors.inbox import open_hand_backs
from e2c_referrals.selectors.referrals import other_network_referrals
from e2c_referrals.selectors.sessions import sessions_page, site_ids_for_organisations
from partners.access import Actor
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import make_session
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def refer(world, young_person, *, organisation, adviser, site, status=ReferralStatus.SENT):
    return Referral.objects.create(
        young_person=young_person,
        referring_organisation=organisation,
        referring_adviser=adviser,
        e2c_site=site,
        diagnostic="Sans diplôme.",
        motivation="Motivé.",
        status=status,
        sent_at=timezone.now(),
    )


def plan_of(sql: str, *tables: str, ordered: bool = False) -> str:
    """``ordered``: sorting off too, the plan that reads an index in the order of the page."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
        for setting in ("enable_seqscan", "enable_bitmapscan", *(["enable_sort"] if ordered else [])):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def last_query(run) -> str:
    with CaptureQueriesContext(connection) as captured:
        run()
    return captured.captured_queries[-1]["sql"]


def test_the_other_network_check_seeks_birth_date_and_name_key_in_one_index(world):
    twin = YoungPersonFactory(
        organisation=world.ft, last_name="N'Diaye", first_name="Eloïse", birth_date=datetime.date(2007, 5, 4)
    )
    mine = YoungPersonFactory(
        organisation=world.ml_a, last_name="Ndiaye", first_name="Éloïse", birth_date=datetime.date(2007, 5, 4)
    )
    refer(world, twin, organisation=world.ft, adviser=world.user("adviser_ft"), site=world.other_site)
    YoungPersonFactory.create_batch(20, organisation=world.ml_a, birth_date=datetime.date(2007, 5, 4))

    sql = last_query(lambda: other_network_referrals(young_person=mine))

    assert [r.young_person_id for r in other_network_referrals(young_person=mine)] == [twin.pk]
    plan = plan_of(sql, "cej_youngperson")
    assert "young_person_duplicate_key" in plan, plan
    conditions = [line for line in plan.splitlines() if "Index Cond" in line and "birth_date" in line]
    assert conditions and "replace(search_name" in conditions[0], plan


def test_the_sites_a_referrer_follows_are_read_from_its_open_referrals_index(world):
    for _ in range(3):
        refer(
            world,
            YoungPersonFactory(organisation=world.ml_a),
            organisation=world.ml_a,
            adviser=world.user("adviser_ml"),
            site=world.site,
        )
    # Another referrer's closed history at the same site: what the site's index would read through
    # at national scale (statistics left by earlier tests of the same database no longer decide).
    closed = YoungPersonFactory(organisation=world.ft)
    Referral.objects.bulk_create(
        Referral(
            young_person=closed,
            referring_organisation=world.ft,
            referring_adviser=world.user("adviser_ft"),
            e2c_site=world.site,
            diagnostic="Sans diplôme.",
            motivation="Motivé.",
            status=ReferralStatus.EXITED,
        )
        for _ in range(300)
    )

    sql = last_query(lambda: site_ids_for_organisations([world.ml_a.pk], e2c=False))

    plan = plan_of(sql, "e2c_referrals_referral", "partners_correspondent")
    # The referrals' branch of the UNION reads one of the partial indexes of a referrer's open referrals:
    # PostgreSQL 16+ the covering one alone (referral_open_by_referrer, index-only), PostgreSQL 15 (CI's
    # second pass) the other one (referral_referrer_open) and the heap of those few rows; never the site's
    # index nor the table.
    referrals = [line for line in plan.splitlines() if "e2c_referrals_referral" in line]
    assert referrals and all(
        "using referral_open_by_referrer" in line or "using referral_referrer_open" in line for line in referrals
    ), plan
    assert "Seq Scan" not in plan, plan


def test_the_sessions_list_reads_the_sessions_not_yet_over_and_counts_the_seats_of_the_page_only(world):
    adviser = world.memberships["adviser_ml"]
    refer(
        world,
        YoungPersonFactory(organisation=world.ml_a),
        organisation=world.ml_a,
        adviser=adviser.user,
        site=world.site,
    )
    for days in range(-30, 10):
        make_session(world.site, created_by=world.user("e2c_staff"), starts_in=datetime.timedelta(days=days))

    sql = last_query(
        lambda: sessions_page(actor=Actor(user=adviser.user, membership=adviser), past=False, after=None, before=None)
    )

    plan = plan_of(sql, "e2c_referrals_informationsession")
    assert "session_upcoming" in plan or "session_site_calendar" in plan, plan
    # The seats are counted for the page's rows (subqueries), not aggregated over every session first.
    rows, _, counts = plan.partition("SubPlan")
    assert counts and "Aggregate" not in rows, plan


@pytest.mark.parametrize("role", ["e2c_staff", "adviser_ml"])
def test_the_sessions_list_reads_the_followed_sites_once(client, world, role):
    refer(
        world,
        YoungPersonFactory(organisation=world.ml_a),
        organisation=world.ml_a,
        adviser=world.user("adviser_ml"),
        site=world.site,
    )
    make_session(world.site, created_by=world.user("e2c_staff"))
    client.force_login(world.user(role))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("e2c_referrals:sessions"))

    assert response.status_code == 200 and len(response.context["page"].items) == 1
    sql = [query["sql"] for query in queries.captured_queries]
    # session, user, the page; for an adviser the followed sites too, in one query (correspondents UNION
    # referrals in progress). A site's team reads its site and the sites it plans for with its memberships,
    # which are cached with their organisation family from the sign-in, like the unread count
    # (partners.access, outbox; 10 queries for an adviser, 9 for a site's team before issue 21).
    assert len(sql) == (4 if role == "adviser_ml" else 3), sql
    assert sum("partners_correspondent" in query for query in sql) == (1 if role == "adviser_ml" else 0), sql


def test_the_home_page_reads_the_oldest_open_hand_backs_in_index_order(world):
    adviser = world.memberships["adviser_ml"]
    for reason in HandBackReason.values:
        referral = refer(
            world,
            YoungPersonFactory(organisation=world.ml_a),
            organisation=world.ml_a,
            adviser=adviser.user,
            site=world.site,
            status=ReferralStatus.NOT_ADMITTED,
        )
        HandBack.objects.create(referral=referral, organisation=world.ml_a, reason=reason)

    sql = last_query(lambda: open_hand_backs(actor=Actor(user=adviser.user, membership=adviser)))

    plan = plan_of(sql, "e2c_referrals_handback", ordered=True)
    assert "hand_back_open_queue" in plan, plan
    assert "Sort" not in plan.split("SubPlan")[0], plan
