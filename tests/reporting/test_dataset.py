from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from bench.national_dataset import Command
from cej.models import CejContract, YoungPerson
from e2c_referrals.enums import POSITIVE_OUTCOMES, ReferralStatus
from e2c_referrals.models import HandBack, Referral, ReferralTransition
from partners.enums import OrganisationKind, Role
from partners.models import Membership, Organisation, Region
from tests.partners.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def generate(**options):
    call_command(Command(), young_people=2000, referrals=400, seed=7, stdout=None, **options)


def test_small_national_dataset_has_the_networks_people_and_referrals_in_plausible_shares():
    # When
    generate()

    # Then: the networks of every région, E2C schools and sites in 12 régions
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds[OrganisationKind.MISSION_LOCALE] == 434
    assert kinds[OrganisationKind.E2C_SITE] == 150
    assert kinds[OrganisationKind.E2C_SCHOOL] == 55
    assert kinds[OrganisationKind.ARML] == Region.objects.count() == 18
    assert kinds[OrganisationKind.E2C_REGIONAL] == 12
    assert Organisation.objects.filter(kind=OrganisationKind.E2C_SITE).values("region").distinct().count() <= 12
    assert Membership.objects.filter(role=Role.NATIONAL_COMMITTEE).count() == 2
    # young people and referrals, one referral per young person
    assert YoungPerson.objects.count() == 2000
    assert Referral.objects.count() == 400
    assert Referral.objects.values("young_person").distinct().count() == 400
    # every referral starts with its sending, and its last transition is its status
    assert (
        ReferralTransition.objects.filter(from_status=ReferralStatus.DRAFT, to_status=ReferralStatus.SENT).count()
        == 400
    )
    last = {}
    for referral_id, to_status in ReferralTransition.objects.order_by("created_at", "id").values_list(
        "referral_id", "to_status"
    ):
        last[referral_id] = to_status
    assert last == dict(Referral.objects.values_list("id", "status"))
    # plausible distributions
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    exits = Referral.objects.filter(status=ReferralStatus.EXITED)
    positive = exits.filter(exit_outcome__in=POSITIVE_OUTCOMES).count()
    assert 40 <= exits.count() <= 160, statuses
    assert 0.45 <= positive / exits.count() <= 0.75
    assert statuses[ReferralStatus.NOT_ADMITTED] + statuses[ReferralStatus.WITHDRAWN] > 0
    assert not exits.filter(enrolled_on__isnull=True).exists()
    assert not exits.filter(exited_on__lt=models_f("enrolled_on")).exists()
    # the hand-backs the workflow would have created, the CEJ of some
    handed_back = statuses[ReferralStatus.NOT_ADMITTED] + statuses[ReferralStatus.WITHDRAWN]
    assert HandBack.objects.count() == handed_back + exits.exclude(exit_outcome__in=POSITIVE_OUTCOMES).count()
    assert 0.2 <= CejContract.objects.count() / 400 <= 0.5
    assert not Referral.objects.values("young_person").annotate(n=Count("id")).filter(n__gt=1).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_refuses_a_database_that_is_not_empty_unless_forced():
    # Given
    OrganisationFactory(name="Mission Locale existante")

    # When / Then
    with pytest.raises(CommandError, match="--force"):
        generate()
    assert Referral.objects.count() == 0

    # When forced, the database is emptied first
    generate(force=True)
    assert not Organisation.objects.filter(name="Mission Locale existante").exists()
    assert Referral.objects.count() == 400


FINGERPRINTED = {
    "cej_youngperson": "id, organisation_id, public_id, last_name, first_name, birth_date, email, referent_id",
    "e2c_referrals_referral": "id, young_person_id, referring_organisation_id, e2c_site_id, status, sent_at, "
    "exit_outcome, cej_contract_id",
    "e2c_referrals_referraltransition": "referral_id, created_at, from_status, to_status",
    "e2c_referrals_sessionregistration": "session_id, referral_id, attendance, public_id",
    "e2c_referrals_informationsession": "id, e2c_site_id, kind, starts_at, status, venue_organisation_id",
    "e2c_referrals_adviserimmersion": "direction, starts_on, ends_on",
}


def dataset_fingerprint():
    """A digest of the generated rows the seed decides, table by table (ids of other tables excluded)."""
    from django.db import connection

    fingerprint = {}
    with connection.cursor() as cursor:
        for table, columns in FINGERPRINTED.items():
            cursor.execute(f"SELECT md5(string_agg(row({columns})::text, '|' ORDER BY {columns})) FROM {table}")  # noqa: S608
            fingerprint[table] = cursor.fetchone()[0]
    return fingerprint


def test_the_same_seed_gives_the_same_data_built_by_one_process_or_two(monkeypatch):
    import datetime

    from bench import national_dataset as dataset
    from bench import search_young_people

    # Given: a fixed moment, and small chunks (several for each process)
    moment = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(search_young_people, "utc_now", lambda: moment)
    monkeypatch.setattr(search_young_people, "COPY_CHUNK", 300)
    monkeypatch.setattr(dataset, "REFERRALS_CHUNK", 70)

    # When: built by two forked processes, then again by this one (both from restarted id sequences:
    # earlier tests moved them on)
    dataset.empty_database()
    generate(workers=2)
    by_two = dataset_fingerprint()
    generate(workers=1, force=True)
    by_one = dataset_fingerprint()

    # Then: the same rows
    assert None not in by_two.values()
    assert by_one == by_two
    assert YoungPerson.objects.count() == 2000


def test_information_sessions_and_registrations_follow_the_referrals_paths():
    from django.db.models import Q

    from e2c_referrals.enums import SessionKind, SessionStatus
    from e2c_referrals.models import AdviserImmersion, InformationSession, SessionRegistration
    from reporting.indicators import Area, Level, Period, compute

    # When
    generate()

    # Then: one registration per invitation, at a session of the referral's own site, present when the
    # next move was « attended », absent when « no-show », pending only for a referral still invited
    invitations = ReferralTransition.objects.filter(to_status=ReferralStatus.INVITED).count()
    registrations = SessionRegistration.objects.select_related("session", "referral")
    assert registrations.count() == invitations > 100
    assert not registrations.exclude(session__e2c_site=models_f("referral__e2c_site")).exists()
    outcomes = Counter(
        ReferralTransition.objects.filter(from_status=ReferralStatus.INVITED).values_list("to_status", flat=True)
    )
    attendance = Counter(registrations.values_list("attendance", flat=True))
    assert attendance["present"] == outcomes[ReferralStatus.ATTENDED]
    assert attendance["absent"] == outcomes[ReferralStatus.NO_SHOW]
    assert set(registrations.filter(attendance="").values_list("referral__status", flat=True)) <= {
        ReferralStatus.INVITED
    }
    # the attendance is recorded after the session, which is held (past) or planned (to come)
    for registration in registrations.exclude(attendance="")[:50]:
        assert registration.status_changed_at > registration.session.starts_at
        assert registration.session.status == SessionStatus.HELD
    assert not InformationSession.objects.filter(
        Q(status=SessionStatus.HELD, starts_at__gt=timezone_now())
        | Q(status=SessionStatus.PLANNED, starts_at__lt=timezone_now())
    ).exists()
    # a session a week per site at most, some of them joint, co-hosted by a Mission Locale adviser
    sessions = InformationSession.objects.all()
    assert sessions.values("e2c_site", "starts_at__week", "starts_at__year").distinct().count() == sessions.count()
    joint = sessions.filter(kind=SessionKind.JOINT)
    assert 0.1 <= joint.count() / sessions.count() <= 0.3
    assert not joint.filter(co_hosts__isnull=True).exists()
    # adviser immersions: 1 to 4 per site and year (5 years), both ways
    sites = Organisation.objects.filter(kind=OrganisationKind.E2C_SITE).count()
    assert 5 * sites <= AdviserImmersion.objects.count() <= 20 * sites
    assert AdviserImmersion.objects.values("direction").distinct().count() == 2
    # the dashboard's indicators are not empty for the last semester
    report = compute(Area(Level.NATIONAL), Period.last_complete_semester(timezone_now().date()))
    totals = report["totals"]
    assert totals["sessions_held"] > 0
    assert totals["immersions"] == totals["immersions_ml_in_e2c"] + totals["immersions_e2c_in_ml"] > 0


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_copies_with_user_triggers_off():
    """A row trigger (as the change history's) does not fire on the copied rows."""
    from django.db import connection

    # Given: a trigger that refuses every new young person
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_young_person() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'trigger fired'; END $$;
            CREATE TRIGGER refuse_young_person BEFORE INSERT ON cej_youngperson
            FOR EACH ROW EXECUTE FUNCTION refuse_young_person();
            """
        )

    # When
    generate()

    # Then: loaded, and the trigger fires again after the load
    assert YoungPerson.objects.count() == 2000
    from django.db import DatabaseError, transaction

    from tests.partners.factories import OrganisationFactory as Factory

    with pytest.raises(DatabaseError, match="trigger fired"), transaction.atomic():
        YoungPerson.objects.create(
            organisation=Factory(), last_name="Martin", first_name="Léa", birth_date="2005-01-01"
        )


def test_without_superuser_rights_the_copy_goes_on_with_triggers_and_says_so(capsys):
    from bench.search_young_people import user_triggers_disabled

    class NotSuperuser:
        executed: list[str] = []

        def execute(self, sql, params=None):
            self.executed.append(sql)

        def fetchone(self):
            return (False, "origin")

    cursor = NotSuperuser()
    with user_triggers_disabled(cursor) as disabled:
        pass
    assert disabled is False
    assert not any(sql.startswith("SET") for sql in cursor.executed)
    assert "superuser" in capsys.readouterr().out
