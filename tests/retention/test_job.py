"""The monthly job: the policies it reads, its dry run, the notice 30 days ahead (once), the anonymisation
after the notice, and deactivated accounts."""

import datetime
import io

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cej.enums import ContractStatus
from cej.models import CejContract, YoungPerson
from outbox.models import Message
from outbox.rendering import render_message
from retention import selectors
from retention.enums import DurationUnit, RetentionCategory
from retention.models import AnonymisedAccount, AnonymisedFile, RetentionNotice, RetentionPolicy, RetentionRun
from retention.services import NOTICE_KIND
from scheduling.beat import beat_schedule
from scheduling.models import JobRun
from scheduling.registry import JOBS
from scheduling.runs import run_job
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def world():
    return build_world()


def _file(world, *, birth, first_name="Maëlys", last_name="Ferrand"):
    return YoungPersonFactory(
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        birth_date=birth,
        first_name=first_name,
        last_name=last_name,
    )


def _row_counts():
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names() if not t.startswith("pg_")]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_default_policies_come_from_the_migration():
    rows = {p.category: (p.duration, p.unit) for p in RetentionPolicy.objects.all()}
    assert rows == {
        RetentionCategory.YOUNG_PERSON_AGE: (2, DurationUnit.YEARS),
        RetentionCategory.YOUNG_PERSON_CEJ: (10, DurationUnit.YEARS),
        RetentionCategory.ACCOUNT: (12, DurationUnit.MONTHS),
    }
    assert "27 ans" in RetentionPolicy._meta.get_field("duration").help_text


def test_the_due_date_is_the_27th_birthday_but_never_before_10_years_after_the_last_cej(world):
    plain = _file(world, birth=datetime.date(1999, 5, 10))
    with_cej = _file(world, birth=datetime.date(1999, 5, 10))
    CejContract.objects.create(
        young_person=with_cej,
        organisation=world.ml_a,
        signed_on=datetime.date(2023, 1, 2),
        starts_on=datetime.date(2023, 1, 2),
        planned_end_on=datetime.date(2024, 1, 2),
        ended_on=datetime.date(2023, 11, 30),
        status=ContractStatus.ENDED,
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )
    running = _file(world, birth=datetime.date(1990, 1, 1))
    CejContract.objects.create(
        young_person=running,
        organisation=world.ml_a,
        signed_on=datetime.date(2026, 6, 1),
        starts_on=datetime.date(2026, 6, 1),
        planned_end_on=datetime.date(2027, 6, 1),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )
    due = dict(selectors.files_with_due_date().values_list("pk", "due_on"))
    assert due[plain.pk] == datetime.date(2026, 5, 10)
    assert due[with_cej.pk] == datetime.date(2033, 11, 30)
    assert running.pk not in due  # a running CEJ: never due


def test_a_changed_duration_moves_the_due_date(world):
    plain = _file(world, birth=datetime.date(1999, 5, 10))
    RetentionPolicy.objects.filter(category=RetentionCategory.YOUNG_PERSON_AGE).update(duration=30, unit="months")
    assert selectors.files_with_due_date().values_list("due_on", flat=True).get(pk=plain.pk) == datetime.date(
        2026, 11, 10
    )


def test_the_dry_run_writes_nothing_and_prints_no_name(world):
    _file(world, birth=datetime.date(1999, 12, 20))  # due 20/12/2026: to notify
    _file(world, birth=datetime.date(1999, 3, 20))  # due already, never notified
    UserFactory(is_active=False, deactivated_at=timezone.now() - datetime.timedelta(days=400))
    before = _row_counts()

    out = io.StringIO()
    call_command("retention_report", "--date", TODAY.isoformat(), stdout=out)

    assert _row_counts() == before
    text = out.getvalue()
    assert "Dossiers de jeunes à prévenir (échéance dans les 30 jours) : 2" in text
    assert "Dossiers à anonymiser : 0" in text
    assert "Comptes désactivés à anonymiser : 1" in text
    assert "Maëlys" not in text and "Ferrand" not in text


def test_the_referent_is_told_30_days_before_once_then_the_file_is_anonymised(
    world, django_capture_on_commit_callbacks
):
    # Given a file due on 20 December 2026 (27th birthday) and one due in three months
    due = _file(world, birth=datetime.date(1999, 12, 20))
    later = _file(world, birth=datetime.date(2000, 3, 1), first_name="Noé")

    # When the job runs on 1 December, twice
    first = run_job("retention_monthly", today=TODAY)
    second = run_job("retention_monthly", today=TODAY)

    # Then one notice, to the referent, naming the file by first name and initial only
    messages = Message.objects.filter(kind=NOTICE_KIND)
    assert [m.recipient for m in messages] == [world.user("adviser_ml")]
    assert (first.examined, first.enqueued, second.examined, second.enqueued) == (1, 1, 0, 0)
    rendered = render_message(messages.get())
    assert "Maëlys F." in rendered.text and "Ferrand" not in rendered.text
    assert "20 décembre 2026" in rendered.text
    assert not RetentionNotice.objects.filter(young_person=later).exists()
    assert not AnonymisedFile.objects.exists()

    # When the file is due but the notice is not 30 days old: nothing
    run_job("retention_monthly", today=datetime.date(2026, 12, 20))
    assert not AnonymisedFile.objects.exists()

    # When the next month's run comes (notice 31 days old, file due)
    RetentionNotice.objects.update(notified_at=timezone.now() - datetime.timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        run = run_job("retention_monthly", today=datetime.date(2027, 1, 1))
    due.refresh_from_db()
    assert (due.first_name, due.last_name, due.birth_date) == ("Jeune", "Anonymisé", datetime.date(1999, 7, 1))
    assert run.outcome == JobRun.Outcome.SUCCEEDED
    assert RetentionRun.objects.latest("ran_at").files_anonymised == 1
    assert YoungPerson.objects.get(pk=later.pk).first_name == "Noé"
    # and a further run does nothing more
    run_job("retention_monthly", today=datetime.date(2027, 1, 1))
    assert AnonymisedFile.objects.count() == 1
    assert Message.objects.filter(kind=NOTICE_KIND, recipient=world.user("adviser_ml")).count() == 1


def test_a_restricted_file_gets_no_notice_until_the_restriction_is_lifted(world):
    # Given a file due within 30 days whose processing is restricted (RGPD article 18)
    from cej.models import Restriction
    from cej.services.restrictions import restriction_lift, restriction_start
    from partners.access import Actor

    person = _file(world, birth=datetime.date(1999, 12, 20))
    membership = world.memberships["manager_ml"]
    manager = Actor(user=membership.user, membership=membership)
    restriction_start(actor=manager, young_person=person, ground=Restriction.Ground.LEGAL_CLAIM)

    # When the job runs, Then no notice (the file is kept) and the dry run does not count it
    run_job("retention_monthly", today=TODAY)
    assert not Message.objects.filter(kind=NOTICE_KIND).exists()
    assert selectors.report(TODAY).files_to_notify == 0

    # When lifted, Then the next run tells the referent
    restriction_lift(actor=manager, young_person=person, reason="Litige clos.", person_informed_on=timezone.localdate())
    run_job("retention_monthly", today=TODAY)
    assert [m.recipient for m in Message.objects.filter(kind=NOTICE_KIND)] == [world.user("adviser_ml")]


def test_without_a_referent_the_managers_are_told(world):
    person = _file(world, birth=datetime.date(1999, 12, 20))
    YoungPerson.objects.filter(pk=person.pk).update(referent=None)
    run_job("retention_monthly", today=TODAY)
    assert [m.recipient for m in Message.objects.filter(kind=NOTICE_KIND)] == [world.user("manager_ml")]


def test_accounts_deactivated_12_months_ago_are_anonymised_and_their_sessions_end(
    world, django_capture_on_commit_callbacks
):
    # Given an account closed 13 months ago with an open session, and one closed 11 months ago
    old = UserFactory(
        email="ancien.conseiller@example.org",
        first_name="Gaspard",
        last_name="Vernier",
        is_active=False,
        deactivated_at=timezone.now() - datetime.timedelta(days=396),
    )
    recent = UserFactory(is_active=False, deactivated_at=timezone.now() - datetime.timedelta(days=330))
    session = SessionStore()
    session["_auth_user_id"] = str(old.pk)
    session.create()

    # When
    with django_capture_on_commit_callbacks(execute=True):
        run_job("retention_monthly", today=TODAY)

    # Then
    old.refresh_from_db()
    assert (old.first_name, old.last_name) == ("Compte", "anonymisé")
    assert old.email.endswith("@anonymise.invalid") and "vernier" not in old.email
    assert not old.has_usable_password()
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert AnonymisedAccount.objects.filter(user=old).exists()
    assert not AnonymisedAccount.objects.filter(user=recent).exists()
    recent.refresh_from_db()
    assert recent.first_name != "Compte"


def test_the_job_is_registered_and_scheduled_monthly(settings):
    assert JOBS["retention_monthly"].function == "retention.jobs.monthly"
    entry = beat_schedule()["retention-monthly"]
    assert entry["args"] == ["retention_monthly"]
    assert entry["schedule"].day_of_month == {1}
    assert entry["schedule"].hour == {3}


def test_an_anonymised_account_leaves_no_name_nor_address_in_any_column(world, django_capture_on_commit_callbacks):
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from partners.models import AccountEvent, BackupCode, Invitation, Membership
    from retention.services import account_anonymise
    from tests.retention.test_anonymisation import _hits

    # Given a closed account whose name and address are written in its invitation, its events' reasons,
    # a failed sign-in attempt and its two-factor device
    email = "gaspard.vernier@ml.exemple.fr"
    admin = world.user("administrator")
    invitation = Invitation.objects.create(
        email=email,
        first_name="Gaspard",
        last_name="Vernier",
        organisation=world.ml_a,
        role="adviser",
        token_hash="0" * 64,
        invited_by=admin,
        expires_at=timezone.now(),
    )
    user = UserFactory(
        email=email,
        first_name="Gaspard",
        last_name="Vernier",
        phone="0611223344",
        is_active=False,
        deactivated_at=timezone.now() - datetime.timedelta(days=400),
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user, accepted_at=timezone.now())
    Membership.objects.create(user=user, organisation=world.ml_a, role="adviser", is_active=False)
    AccountEvent.objects.create(
        user=user, organisation=world.ml_a, action="account_deactivated", reason="Départ de Gaspard Vernier"
    )
    AccessAttempt.objects.create(
        username=email, ip_address="192.0.2.1", user_agent="test", failures_since_start=1, get_data="", post_data=""
    )
    TOTPDevice.objects.create(user=user, name="Téléphone de Gaspard")
    from partners.services.two_factor import backup_codes_generate

    backup_codes_generate(user=user)
    # the notice of an earlier address change, sent to the old address
    from outbox.models import Message

    Message.objects.create(
        kind="account.email_changed", recipient=user, delivery_key="test-notice", address="g.vernier@ancien.exemple.fr"
    )
    needles = ["Gaspard", "Vernier", email, "0611223344", "g.vernier@ancien.exemple.fr"]
    assert _hits(needles, datetime.date(1900, 1, 1))[0]

    # When
    with django_capture_on_commit_callbacks(execute=True):
        assert account_anonymise(user_id=user.pk) is True

    # Then
    assert _hits(needles, datetime.date(1900, 1, 1))[0] == []
    assert not BackupCode.objects.filter(user=user).exists()  # of no use to an account that is gone
    assert Membership.objects.filter(user=user).exists()  # the row stays, records point to it
    assert account_anonymise(user_id=user.pk) is False


def test_a_file_no_longer_due_under_the_lock_is_left_alone(world):
    # Given a notified, due file whose young person signs a new CEJ before the run takes the lock
    person = _file(world, birth=datetime.date(1999, 3, 20))
    RetentionNotice.objects.create(
        young_person=person,
        due_on=datetime.date(2026, 3, 20),
        notified_at=timezone.now() - datetime.timedelta(days=40),
    )
    from retention.services import young_person_anonymise

    CejContract.objects.create(
        young_person=person,
        organisation=world.ml_a,
        signed_on=datetime.date(2026, 11, 2),
        starts_on=datetime.date(2026, 11, 2),
        planned_end_on=datetime.date(2027, 5, 2),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )
    # When / Then
    assert young_person_anonymise(young_person_id=person.pk, due_by=TODAY) is False
    assert not AnonymisedFile.objects.exists()


def test_one_failing_file_does_not_stop_the_others_and_the_run_is_marked_failed(world, monkeypatch):
    from retention import services

    first = _file(world, birth=datetime.date(1999, 3, 20))
    second = _file(world, birth=datetime.date(1999, 3, 21))
    for person in (first, second):
        RetentionNotice.objects.create(
            young_person=person,
            due_on=person.birth_date.replace(year=2026),
            notified_at=timezone.now() - datetime.timedelta(days=40),
        )
    real = services.young_person_anonymise

    def failing_for_first(*, young_person_id, due_by=None):
        if young_person_id == first.pk:
            raise RuntimeError("disk full")
        return real(young_person_id=young_person_id, due_by=due_by)

    monkeypatch.setattr(services, "young_person_anonymise", failing_for_first)

    from retention.jobs import RetentionRunIncomplete

    with pytest.raises(RetentionRunIncomplete):
        run_job("retention_monthly", today=TODAY)

    assert list(AnonymisedFile.objects.values_list("young_person_id", flat=True)) == [second.pk]
    assert JobRun.objects.get(job="retention_monthly").outcome == JobRun.Outcome.FAILED
    assert RetentionRun.objects.get().files_anonymised == 1


def test_the_report_counts_each_stage_and_the_months_ahead(world):
    told_long_ago = _file(world, birth=datetime.date(1999, 3, 20))  # due 20/03/2026
    RetentionNotice.objects.create(
        young_person=told_long_ago,
        due_on=datetime.date(2026, 3, 20),
        notified_at=timezone.now() - datetime.timedelta(days=40),
    )
    told_recently = _file(world, birth=datetime.date(1999, 4, 20))
    RetentionNotice.objects.create(young_person=told_recently, due_on=datetime.date(2026, 4, 20))
    _file(world, birth=datetime.date(1999, 12, 20))  # due within 30 days, not told
    _file(world, birth=datetime.date(2000, 2, 3))  # due 3/2/2027
    _file(world, birth=datetime.date(2000, 2, 25))  # due 25/2/2027
    _file(world, birth=datetime.date(2005, 1, 1))  # due in 2032: beyond the year ahead

    result = selectors.report(TODAY)

    assert (result.files_to_notify, result.files_to_anonymise, result.files_waiting_notice_period) == (1, 1, 1)
    assert result.files_restricted == 0
    assert result.next_file_due_on == datetime.date(2027, 2, 3)
    assert result.files_due_by_month == [(datetime.date(2026, 12, 1), 1), (datetime.date(2027, 2, 1), 2)]
