"""The referral's life through the one transition table: every state, every side exit, the log,
the hand-backs to the referrer, the outbox, and refusals that write nothing."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from cej.enums import ConsentMethod, SharedData
from cej.models import Consent
from e2c_referrals.enums import HandBackReason, ReferralStatus
from e2c_referrals.models import HandBack, Referral, ReferralTransition
from e2c_referrals.services.referrals import OtherNetworkReferral, ReferralData, referral_create
from e2c_referrals.workflow import TRANSITIONS, TransitionData, referral_transition
from outbox.models import Message
from partners.access import Actor
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import invite
from tests.world import build_world

pytestmark = pytest.mark.django_db
S = ReferralStatus
TODAY = timezone.localdate()


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


@pytest.fixture
def world():
    world = build_world()
    world.young_person = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    return world


def consent(world, young_person=None):
    return Consent.objects.create(
        young_person=young_person or world.young_person,
        e2c_site=world.site,
        shared_data=[SharedData.IDENTITY],
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
        recorded_by=world.user("adviser_ml"),
    )


def draft(world, young_person=None):
    return referral_create(
        actor=actor(world, "adviser_ml"),
        young_person=young_person or world.young_person,
        data=ReferralData(e2c_site=world.site, diagnostic="Sans diplôme, motivé.", motivation="Veut un métier."),
    )


def walk(world, referral, *moves):
    for to, role, data in moves:
        if to == S.INVITED:  # invitations are registrations to a session
            invite(world, referral, role)
            continue
        referral_transition(actor=actor(world, role), referral=referral, to=to, data=data)
    referral.refresh_from_db()
    return referral


def integration():
    return TransitionData(integration_starts_on=TODAY, integration_planned_end_on=TODAY + datetime.timedelta(weeks=4))


UP_TO_INTEGRATION = [
    (S.SENT, "adviser_ml", None),
    (S.ACKNOWLEDGED, "e2c_staff", None),
    (S.INVITED, "e2c_staff", None),
    (S.ATTENDED, "e2c_staff", None),
    (S.INTERVIEW, "e2c_staff", None),
    (S.INTEGRATION, "e2c_staff", integration()),
]


def test_a_referral_walks_every_state_to_a_positive_exit_and_the_referrer_hears_of_each_step(world):
    consent(world)
    referral = walk(
        world,
        draft(world),
        *UP_TO_INTEGRATION,
        (S.ENROLLED, "e2c_staff", TransitionData(enrolled_on=TODAY)),
        (
            S.EXITED,
            "e2c_staff",
            TransitionData(exited_on=TODAY, exit_outcome="apprenticeship", skills_certificate_issued=True),
        ),
    )

    assert referral.status == S.EXITED
    log = list(referral.transitions.values_list("from_status", "to_status"))
    assert log == [
        (S.DRAFT, S.SENT),
        (S.SENT, S.ACKNOWLEDGED),
        (S.ACKNOWLEDGED, S.INVITED),
        (S.INVITED, S.ATTENDED),
        (S.ATTENDED, S.INTERVIEW),
        (S.INTERVIEW, S.INTEGRATION),
        (S.INTEGRATION, S.ENROLLED),
        (S.ENROLLED, S.EXITED),
    ]
    first = referral.transitions.first()
    assert (first.actor, first.actor_organisation) == (world.user("adviser_ml"), world.ml_a)
    assert referral.consent is not None and referral.sent_at is not None
    assert not HandBack.objects.exists()  # a positive exit goes back to nobody
    to_adviser = (
        Message.objects.filter(recipient=world.user("adviser_ml")).order_by("id").values_list("kind", flat=True)
    )
    assert list(to_adviser) == [
        "referral.acknowledged",
        "referral.invited",
        "referral.attended",
        "referral.interview",
        "referral.integration",
        "referral.enrolled",
        "referral.exited",
    ]
    assert Message.objects.filter(recipient=world.user("e2c_staff"), kind="referral.sent").count() == 1


@pytest.mark.parametrize(
    ("path", "hand_back"),
    [
        (
            [
                (S.SENT, "adviser_ml", None),
                (S.ACKNOWLEDGED, "e2c_staff", None),
                (S.NOT_ADMITTED, "e2c_staff", TransitionData(not_admitted_reason="public")),
            ],
            HandBackReason.NOT_ADMITTED,
        ),
        (
            [(S.SENT, "adviser_ml", None), (S.WITHDRAWN, "adviser_ml", TransitionData(reason="A trouvé un emploi."))],
            HandBackReason.WITHDRAWN,
        ),
        (
            [*UP_TO_INTEGRATION, (S.WITHDRAWN, "e2c_staff", TransitionData(reason="Ne vient plus."))],
            HandBackReason.DROP_OUT,
        ),
        (
            [
                *UP_TO_INTEGRATION,
                (S.ENROLLED, "e2c_staff", TransitionData(enrolled_on=TODAY)),
                (S.EXITED, "e2c_staff", TransitionData(exited_on=TODAY, exit_outcome="no_solution")),
            ],
            HandBackReason.NON_POSITIVE_EXIT,
        ),
        (
            [
                (S.SENT, "adviser_ml", None),
                (S.ACKNOWLEDGED, "e2c_staff", None),
                (S.INVITED, "e2c_staff", None),
                (S.NO_SHOW, "e2c_staff", None),
                (S.INVITED, "e2c_staff", None),
                (S.ATTENDED, "e2c_staff", None),
                (S.NOT_ADMITTED, "e2c_staff", TransitionData(not_admitted_reason="other", reason="Projet à mûrir.")),
            ],
            HandBackReason.NOT_ADMITTED,
        ),
    ],
    ids=["not-admitted", "withdrawn", "drop-out-in-integration", "non-positive-exit", "no-show-then-not-admitted"],
)
def test_side_exits_hand_the_young_person_back_to_the_referring_adviser(world, path, hand_back):
    consent(world)
    referral = walk(world, draft(world), *path)

    task = HandBack.objects.get()
    assert (task.reason, task.organisation, task.assignee) == (hand_back, world.ml_a, world.user("adviser_ml"))
    assert referral.transitions.count() == len(path)
    last_to, last_role, _ = path[-1]
    told = world.user("e2c_staff") if last_role == "adviser_ml" else world.user("adviser_ml")
    assert Message.objects.filter(recipient=told, kind=f"referral.{last_to}").exists()


def test_the_referrer_cancels_before_enrolment_and_no_task_is_created(world):
    consent(world)
    referral = walk(
        world,
        draft(world),
        (S.SENT, "adviser_ml", None),
        (S.CANCELLED, "adviser_ml", TransitionData(reason="Erreur de site.")),
    )
    assert referral.status == S.CANCELLED
    assert not HandBack.objects.exists()
    assert Message.objects.filter(recipient=world.user("e2c_staff"), kind="referral.cancelled").count() == 1


def test_a_young_person_from_france_travail_in_neither_cej_nor_pacea_is_registered_with_the_nearest_ml(world):
    young_person = YoungPersonFactory(organisation=world.ft, departement_id="69", referent=world.user("adviser_ft"))
    consent(world, young_person)
    referral = referral_create(
        actor=actor(world, "adviser_ft"),
        young_person=young_person,
        data=ReferralData(e2c_site=world.site, diagnostic="Diagnostic FT.", motivation="Motivé."),
    )
    steps = [
        (S.SENT, "adviser_ft", None),
        *UP_TO_INTEGRATION[1:],
        (S.ENROLLED, "e2c_staff", TransitionData(enrolled_on=TODAY)),
        (S.EXITED, "e2c_staff", TransitionData(exited_on=TODAY, exit_outcome="cdi")),
    ]
    walk(world, referral, *steps)

    registration = HandBack.objects.get(reason=HandBackReason.REGISTRATION)
    assert registration.organisation == world.ml_a  # the Mission Locale of the Rhône


def test_sending_needs_a_valid_consent_naming_that_site(world):
    referral = draft(world)
    with pytest.raises(ValidationError, match="Aucun accord de partage valable"):
        referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=S.SENT)
    referral.refresh_from_db()
    assert referral.status == S.DRAFT
    assert not ReferralTransition.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize(
    ("to", "role", "data", "error", "message"),
    [
        (S.ACKNOWLEDGED, "adviser_ml", None, PermissionDenied, "Seul l'équipe de l'E2C"),
        (S.ENROLLED, "e2c_staff", TransitionData(enrolled_on=TODAY), ValidationError, "ne peut pas passer à"),
        (
            S.NOT_ADMITTED,
            "e2c_staff",
            TransitionData(not_admitted_reason="public"),
            ValidationError,
            "ne peut pas passer",
        ),
        (S.WITHDRAWN, "e2c_staff", TransitionData(), ValidationError, "Indiquez le motif"),
        (S.ACKNOWLEDGED, "manager_e2c", None, None, ""),  # the school's manager reaches its site: allowed
        (S.ACKNOWLEDGED, "adviser_ft", None, PermissionDenied, "ne concerne pas votre organisation"),
        (S.ACKNOWLEDGED, "regional_coordinator", None, PermissionDenied, "ne concerne pas"),
        ("bogus", "e2c_staff", None, ValidationError, "ne peut pas passer à"),
    ],
)
def test_forbidden_moves_are_refused_with_a_clear_message_and_write_nothing(world, to, role, data, error, message):
    consent(world)
    referral = walk(world, draft(world), (S.SENT, "adviser_ml", None))
    before = (ReferralTransition.objects.count(), Message.objects.count())

    if error is None:
        referral_transition(actor=actor(world, role), referral=referral, to=to, data=data)
        return
    with pytest.raises(error, match=message):
        referral_transition(actor=actor(world, role), referral=referral, to=to, data=data)
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert (ReferralTransition.objects.count(), Message.objects.count()) == before


def test_not_admitting_needs_its_reason_and_other_needs_a_sentence(world):
    consent(world)
    referral = walk(world, draft(world), (S.SENT, "adviser_ml", None), (S.ACKNOWLEDGED, "e2c_staff", None))
    staff = actor(world, "e2c_staff")
    with pytest.raises(ValidationError, match="motif de non-admission"):
        referral_transition(actor=staff, referral=referral, to=S.NOT_ADMITTED, data=TransitionData())
    with pytest.raises(ValidationError, match="Précisez le motif"):
        referral_transition(
            actor=staff, referral=referral, to=S.NOT_ADMITTED, data=TransitionData(not_admitted_reason="other")
        )
    assert not HandBack.objects.exists()


def test_an_integration_period_lasts_3_to_6_weeks(world):
    consent(world)
    referral = walk(world, draft(world), *UP_TO_INTEGRATION[:-1])
    too_short = TransitionData(
        integration_starts_on=TODAY, integration_planned_end_on=TODAY + datetime.timedelta(weeks=2)
    )
    with pytest.raises(ValidationError, match="de 3 à 6 semaines"):
        referral_transition(actor=actor(world, "e2c_staff"), referral=referral, to=S.INTEGRATION, data=too_short)


def test_every_move_of_the_table_has_a_side_and_a_label():
    assert all(move.label and move.side for move in TRANSITIONS.values())
    reachable = {to for _, to in TRANSITIONS}
    assert reachable == set(ReferralStatus.values) - {S.DRAFT}


def test_one_open_referral_per_site_and_the_other_network_is_never_silently_doubled(world):
    draft(world)
    with pytest.raises(ValidationError, match="déjà une orientation en cours vers ce site"):
        draft(world)

    twin = YoungPersonFactory(
        organisation=world.ft,
        last_name=world.young_person.last_name.upper(),
        first_name="zoe",
        birth_date=world.young_person.birth_date,
    )
    data = ReferralData(e2c_site=world.site, diagnostic="Diagnostic FT.", motivation="Motivé.")
    with pytest.raises(OtherNetworkReferral) as seen:
        referral_create(actor=actor(world, "adviser_ft"), young_person=twin, data=data)
    assert [r.referring_organisation for r in seen.value.referrals] == [world.ml_a]

    referral_create(actor=actor(world, "adviser_ft"), young_person=twin, data=data, aware_of_other_network=True)
    assert Message.objects.filter(recipient=world.user("adviser_ml"), kind="referral.other_network").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_people_acknowledging_the_same_referral_at_once_make_one_transition():
    world = build_world()
    world.young_person = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    consent(world)
    referral = walk(world, draft(world), (S.SENT, "adviser_ml", None))
    staff = actor(world, "e2c_staff")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def acknowledge():
        try:
            barrier.wait()
            referral_transition(actor=staff, referral=referral, to=S.ACKNOWLEDGED)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=acknowledge) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["ok"] + ["refused"] * 19
    assert ReferralTransition.objects.filter(to_status=S.ACKNOWLEDGED).count() == 1
    assert Message.objects.filter(kind="referral.acknowledged").count() == 1


def test_a_new_file_warns_when_the_person_is_referred_by_another_structure(world):
    from cej.services.young_people import DuplicateSuspected, YoungPersonData, young_person_create

    draft(world)
    with pytest.raises(DuplicateSuspected) as seen:
        young_person_create(
            actor=actor(world, "adviser_ft"),
            data=YoungPersonData(
                last_name=world.young_person.last_name, first_name="ZOÉ", birth_date=world.young_person.birth_date
            ),
        )
    assert seen.value.matches == []
    assert "par Mission Locale de Lyon" in seen.value.elsewhere[0]


def test_an_e2c_programme_linked_to_a_cej_is_a_structuring_step_whose_end_extends_the_cej(world):
    from cej.models import CejContract

    starts_on = TODAY - datetime.timedelta(days=150)
    cej = CejContract.objects.create(
        young_person=world.young_person,
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        signed_on=starts_on,
        starts_on=starts_on,
        planned_end_on=TODAY + datetime.timedelta(days=50),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )
    consent(world)
    referral = referral_create(
        actor=actor(world, "adviser_ml"),
        young_person=world.young_person,
        data=ReferralData(e2c_site=world.site, diagnostic="D.", motivation="M.", cej_contract=cej),
    )
    walk(world, referral, *UP_TO_INTEGRATION, (S.ENROLLED, "e2c_staff", TransitionData(enrolled_on=TODAY)))

    step = cej.structuring_steps.get()
    assert (step.is_e2c, step.e2c_site, step.starts_on, step.ends_on) == (True, world.site, TODAY, None)

    walk(world, referral, (S.EXITED, "e2c_staff", TransitionData(exited_on=TODAY, exit_outcome="cdi")))
    step.refresh_from_db()
    cej.refresh_from_db()
    assert step.ends_on == TODAY
    last_day_of_second_month = (TODAY.replace(day=1) + datetime.timedelta(days=95)).replace(day=1) - datetime.timedelta(
        days=1
    )
    assert cej.planned_end_on == last_day_of_second_month  # always later than the planned TODAY + 50 days
    assert cej.events.filter(kind="extension").count() == 1


@pytest.mark.parametrize(
    ("fields", "warning"),
    [
        ({"birth_date": TODAY.replace(year=TODAY.year - 27, day=1), "has_rqth": True}, "de 16 à 25 ans"),
        ({"qualification_level": "4"}, "sans diplôme ni qualification"),
        ({"left_school_on": TODAY - datetime.timedelta(days=100)}, "moins d'un an"),
    ],
)
def test_a_young_person_outside_the_e2c_public_is_referred_only_after_a_confirmed_check(world, fields, warning):
    young_person = YoungPersonFactory(organisation=world.ml_a, **fields)
    data = ReferralData(e2c_site=world.site, diagnostic="D.", motivation="M.")
    with pytest.raises(ValidationError, match=warning):
        referral_create(actor=actor(world, "adviser_ml"), young_person=young_person, data=data)
    assert not Referral.objects.exists()

    referral_create(actor=actor(world, "adviser_ml"), young_person=young_person, data=data, eligibility_checked=True)
    assert Referral.objects.count() == 1
