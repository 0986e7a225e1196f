"""The states of sessions and registrations live in declared tables (issue 20): each change goes
through the workflow's service, is checked against the table and logged; bulk withdrawals stay one
conditional update whatever the number of rows; the workflow's modules import one way."""

import ast
import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from e2c_referrals.enums import Attendance, ReferralStatus, RegistrationStatus, SessionStatus
from e2c_referrals.models import Referral, SessionRegistration
from e2c_referrals.services.sessions import (
    attendance_record,
    registration_create,
    registration_withdraw,
    session_cancel,
)
from e2c_referrals.workflow import REGISTRATION, SESSION, TransitionData, referral_transition
from e2c_referrals.workflow.sessions import registration_change_state, registrations_withdraw, session_change_state
from partners.access import Actor
from states.models import StateChange
from states.tables import InvalidMove
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import make_session
from tests.world import build_world

S = ReferralStatus
R = RegistrationStatus
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def actor(world, role="e2c_staff"):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def acknowledged(world):
    return Referral.objects.create(
        young_person=YoungPersonFactory(organisation=world.ml_a),
        referring_organisation=world.ml_a,
        referring_adviser=world.user("adviser_ml"),
        e2c_site=world.site,
        diagnostic="Sans diplôme.",
        motivation="Motivé.",
        status=S.ACKNOWLEDGED,
        sent_at=timezone.now(),
    )


def session(world, **fields):
    return make_session(world.site, created_by=world.user("e2c_staff"), **fields)


def changes(table):
    return list(
        StateChange.objects.filter(table=table.name)
        .order_by("id")
        .values_list("object_id", "from_state", "to_state", "actor", "reason")
    )


def test_a_cancelled_session_logs_its_change_and_each_registration_withdrawn(world):
    found = session(world, capacity=1)
    seated = registration_create(actor=actor(world), session=found, referral=acknowledged(world))
    waiting = registration_create(actor=actor(world), session=found, referral=acknowledged(world))

    session_cancel(actor=actor(world), session=found, reason="Formateur malade")

    staff = world.user("e2c_staff").pk
    cancelled = (str(found.pk), SessionStatus.PLANNED, SessionStatus.CANCELLED, staff, "Formateur malade")
    assert changes(SESSION) == [cancelled]
    assert sorted(changes(REGISTRATION)) == sorted(
        [
            (str(seated.pk), R.REGISTERED, R.WITHDRAWN, staff, "Séance annulée"),
            (str(waiting.pk), R.WAITING, R.WITHDRAWN, staff, "Séance annulée"),
        ]
    )
    found.refresh_from_db()
    assert (found.status, found.cancellation_reason, found.sequence) == (SessionStatus.CANCELLED, "Formateur malade", 1)


def test_a_held_session_cannot_be_cancelled_nor_held_again(world):
    found = session(world, starts_in=-datetime.timedelta(hours=1))
    seat = SessionRegistration.objects.create(
        session=found, referral=acknowledged(world), status=R.REGISTERED, registered_by=world.user("e2c_staff")
    )
    Referral.objects.filter(pk=seat.referral_id).update(status=S.INVITED)
    attendance_record(actor=actor(world), session=found, marks={str(seat.public_id): Attendance.PRESENT})

    for to in (SessionStatus.CANCELLED, SessionStatus.HELD):
        with pytest.raises(InvalidMove):
            session_change_state(actor=actor(world), session=found, to=to, reason="Erreur")

    held = (str(found.pk), SessionStatus.PLANNED, SessionStatus.HELD, world.user("e2c_staff").pk, "")
    assert changes(SESSION) == [held]


def test_cancelling_a_session_needs_a_reason_in_the_table_too(world):
    found = session(world)

    with pytest.raises(InvalidMove):
        session_change_state(actor=actor(world), session=found, to=SessionStatus.CANCELLED, reason=" ")

    found.refresh_from_db()
    assert found.status == SessionStatus.PLANNED and not changes(SESSION)


def test_a_withdrawn_registration_stays_withdrawn(world):
    found = session(world)
    registration = registration_create(actor=actor(world), session=found, referral=acknowledged(world))
    registration_withdraw(actor=actor(world), registration=registration, reason="Ne viendra pas")

    for to in (R.REGISTERED, R.WAITING, R.WITHDRAWN):
        with pytest.raises(InvalidMove):
            registration_change_state(actor=actor(world), registration=registration, to=to, reason="Encore")

    registration.refresh_from_db()
    assert (registration.status, registration.withdrawn_reason) == (R.WITHDRAWN, "Ne viendra pas")
    assert changes(REGISTRATION) == [
        (str(registration.pk), R.REGISTERED, R.WITHDRAWN, world.user("e2c_staff").pk, "Ne viendra pas")
    ]


def test_a_seat_freed_from_the_referral_page_goes_to_the_waiting_list_and_both_changes_are_logged(world):
    found = session(world, capacity=1)
    first, second = acknowledged(world), acknowledged(world)
    seat = registration_create(actor=actor(world), session=found, referral=first)
    entry = registration_create(actor=actor(world), session=found, referral=second)

    referral_transition(
        actor=actor(world, "adviser_ml"), referral=first, to=S.WITHDRAWN, data=TransitionData(reason="Emploi")
    )

    adviser = world.user("adviser_ml").pk
    assert changes(REGISTRATION) == [
        (str(seat.pk), R.REGISTERED, R.WITHDRAWN, adviser, "Orientation : désistement ou abandon du jeune"),
        (str(entry.pk), R.WAITING, R.REGISTERED, adviser, ""),
    ]
    second.refresh_from_db()
    assert second.status == S.INVITED


@pytest.mark.parametrize("count", [1, 25])
def test_a_bulk_withdrawal_costs_the_same_queries_for_1_or_25_rows(world, count):
    found = session(world, capacity=1)
    registration_create(actor=actor(world), session=found, referral=acknowledged(world))
    for _ in range(count):
        registration_create(actor=actor(world), session=found, referral=acknowledged(world))

    with CaptureQueriesContext(connection) as queries:
        withdrawn = registrations_withdraw(found.registrations.all(), actor=actor(world), reason="Séance annulée")

    assert withdrawn == count + 1
    # Rows locked and read, updated, changes logged (plus the savepoint of the atomic block).
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) == 3
    assert found.registrations.filter(status=R.WITHDRAWN, withdrawn_reason="Séance annulée").count() == count + 1
    assert len(changes(REGISTRATION)) == count + 1


def test_a_bulk_withdrawal_leaves_rows_already_withdrawn_alone(world):
    found = session(world)
    registration = registration_create(actor=actor(world), session=found, referral=acknowledged(world))
    registration_withdraw(actor=actor(world), registration=registration, reason="Ne viendra pas")

    assert registrations_withdraw(found.registrations.all(), actor=actor(world), reason="Séance annulée") == 0

    registration.refresh_from_db()
    assert registration.withdrawn_reason == "Ne viendra pas" and len(changes(REGISTRATION)) == 1


def test_a_bulk_withdrawal_needs_a_reason(world):
    found = session(world)
    registration_create(actor=actor(world), session=found, referral=acknowledged(world))

    with pytest.raises(InvalidMove):
        registrations_withdraw(found.registrations.all(), actor=actor(world), reason="")

    assert found.registrations.get().status == R.REGISTERED and not changes(REGISTRATION)


def imports_of(module: str) -> set[str]:
    path = ROOT / (module.replace(".", "/") + ".py")
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    ("module", "never"),
    [
        # The session services call the workflow, never the reverse.
        ("e2c_referrals.workflow.referrals", {"e2c_referrals.services.sessions"}),
        # The seats invite through a function passed in: they never import the referral workflow.
        ("e2c_referrals.workflow.seats", {"e2c_referrals.workflow", "e2c_referrals.workflow.referrals"}),
        (
            "e2c_referrals.workflow.sessions",
            {"e2c_referrals.workflow", "e2c_referrals.workflow.referrals", "e2c_referrals.workflow.seats"},
        ),
        ("e2c_referrals.services.hand_backs", {"e2c_referrals.workflow", "e2c_referrals.workflow.referrals"}),
        ("e2c_referrals.recipients", {"e2c_referrals.workflow", "e2c_referrals.services.sessions"}),
    ],
)
def test_the_workflow_modules_import_one_way(module, never):
    assert imports_of(module) & never == set()
