"""The referral page reads less (issue 21) and shows the same: one INSERT for its two access rows, no
query for the lists its state implies empty, the restriction and the CEJ allowance read with other rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from audit.services import log_accesses
from cej.enums import AllowanceCategory, ContractStatus
from cej.models import CejContract, Restriction
from cej.selectors.contracts import monthly_allowance
from cej.services.restrictions import restriction_start
from e2c_referrals.enums import HANDING_BACK_STATUSES, POSITIVE_OUTCOMES, ExitOutcome, ReferralStatus
from e2c_referrals.models import Referral
from e2c_referrals.selectors.referrals import other_network_referrals, referral_contracts
from e2c_referrals.services.hand_backs import hand_back_reason
from e2c_referrals.workflow.table import TRANSITIONS
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.test_documents import actor, referral_with_history
from tests.e2c_referrals.test_review_fixes import twin_referred_by_france_travail
from tests.world import build_world

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    return build_world()


def detail_url(referral):
    return reverse("e2c_referrals:referral_detail", kwargs={"public_id": referral.public_id})


def test_two_records_read_together_are_logged_as_two_rows_by_one_insert(world):
    referral = referral_with_history(world)

    with CaptureQueriesContext(connection) as queries:
        log_accesses(actor=actor(world, "e2c_staff"), records=[referral, referral.young_person], purpose="view_file")

    assert sum("INSERT INTO audit_accesslog" in query["sql"] for query in queries.captured_queries) == 1
    rows = list(AccessLog.objects.order_by("id").values("user", "organisation", "object_type", "object_id", "purpose"))
    expected = {"user": world.user("e2c_staff").pk, "organisation": world.site.pk, "purpose": "view_file"}
    assert rows == [
        {**expected, "object_type": "Referral", "object_id": referral.public_id},
        {**expected, "object_type": "YoungPerson", "object_id": referral.young_person.public_id},
    ]


def test_opening_the_page_logs_the_referral_and_the_young_person_in_one_statement(client, world):
    referral = referral_with_history(world)
    client.force_login(world.user("adviser_ml"))
    before = AccessLog.objects.count()

    with CaptureQueriesContext(connection) as queries:
        assert client.get(detail_url(referral)).status_code == 200

    assert sum("INSERT INTO audit_accesslog" in query["sql"] for query in queries.captured_queries) == 1
    logged = AccessLog.objects.order_by("id")[before:]
    assert [(row.object_type, row.object_id, row.purpose) for row in logged] == [
        ("Referral", referral.public_id, "view_file"),
        ("YoungPerson", referral.young_person.public_id, "view_file"),
    ]


def test_only_moves_into_a_final_handing_back_state_create_hand_backs():
    # The page reads no hand-back before such a state: every move that creates one ends there
    for origin, to in TRANSITIONS:
        for outcome in [*ExitOutcome.values, ""]:
            if hand_back_reason(origin=origin, to=to, exit_outcome=outcome) is not None:
                assert to in HANDING_BACK_STATUSES, (origin, to)
    assert any(outcome not in POSITIVE_OUTCOMES for outcome in ExitOutcome.values)
    # (the registration with the nearest ML is made at the exit: in the set too)
    assert ReferralStatus.EXITED in HANDING_BACK_STATUSES
    # and no move leaves these states, so a referral elsewhere never had one
    assert not [(origin, to) for origin, to in TRANSITIONS if origin in HANDING_BACK_STATUSES]


def test_a_referral_in_progress_reads_neither_hand_backs_nor_post_exit_news(client, world):
    referral = referral_with_history(world)
    client.force_login(world.user("e2c_staff"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail_url(referral))

    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "e2c_referrals_handback" not in sql and "e2c_referrals_postexitnews" not in sql
    assert response.context["hand_backs"] == [] and response.context["news"] == []


def test_the_restriction_notice_shows_its_date_read_with_the_referral(client, world):
    referral = referral_with_history(world)
    restriction_start(
        actor=actor(world, "adviser_ml"),
        young_person=referral.young_person,
        ground=Restriction.Ground.ACCURACY_CONTESTED,
        note="Demande du 28/11.",
    )
    client.force_login(world.user("e2c_staff"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail_url(referral))

    assert not any(query["sql"].startswith('SELECT "cej_restriction"') for query in queries.captured_queries)
    assert f"en traitement limité (RGPD, article 18) depuis le {TODAY:%d/%m/%Y}" in response.content.decode()
    assert response.context["moves"] and all(
        to in {ReferralStatus.CANCELLED, ReferralStatus.WITHDRAWN} for to, _move, _setback in response.context["moves"]
    )


def test_the_allowance_read_with_the_contracts_is_the_rate_in_force(world):
    referral = Referral.objects.select_related("young_person", "cej_contract").get(pk=referral_with_history(world).pk)
    older = CejContract.objects.create(
        young_person=referral.young_person,
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        signed_on=TODAY - datetime.timedelta(days=900),
        starts_on=TODAY - datetime.timedelta(days=900),
        planned_end_on=TODAY - datetime.timedelta(days=600),
        weekly_hours=15,
        allowance_category=AllowanceCategory.MINOR,
        status=ContractStatus.ENDED,
    )

    with CaptureQueriesContext(connection) as queries:
        contracts = referral_contracts(referral, today=TODAY)

    assert len(queries) == 2  # the CEJ contracts with their allowance, the PACEA contracts
    assert contracts.cej == contracts.cej_contracts[0] and older in contracts.cej_contracts
    assert contracts.cej_allowance is not None
    assert contracts.cej_allowance == monthly_allowance(contracts.cej.allowance_category, TODAY)

    # The attached contract wins over the latest, with its own rate
    referral.cej_contract = older
    assert referral_contracts(referral, today=TODAY).cej_allowance == monthly_allowance(AllowanceCategory.MINOR, TODAY)


def test_the_other_structures_closed_referrals_are_left_out_and_its_open_ones_shown():
    # Given the same person referred by France Travail: once (closed) to a site, once (open) to another
    world = build_world()
    world.young_person = YoungPersonFactory(
        organisation=world.ml_a, referent=world.user("adviser_ml"), last_name="Ndiaye", first_name="Éloïse"
    )
    closed = twin_referred_by_france_travail(world, status=ReferralStatus.CANCELLED)
    open_one = twin_referred_by_france_travail(world, status=ReferralStatus.INTERVIEW)

    # Then only the open one is named (the states are filtered after the query, not in it)
    found = other_network_referrals(young_person=world.young_person)
    assert [referral.pk for referral in found] == [open_one.pk]
    assert closed.pk not in [
        referral.pk for referral in other_network_referrals(young_person=world.young_person, include_drafts=True)
    ]
