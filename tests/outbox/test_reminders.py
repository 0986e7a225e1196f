"""Scheduled reminders: each run twice the same day writes one message; working days skip public
holidays, including Alsace-Moselle's and the overseas ones where the organisation is."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import timezone

from cej.models import CejContract, FollowUp, PaceaContract
from e2c_referrals.enums import HandBackReason
from e2c_referrals.models import HandBack, Referral
from outbox.models import Message
from outbox.services import deliver_pending
from partners.enums import AgreementFramework, AgreementLevel, OrganisationKind, Role
from partners.models import Agreement, Departement
from scheduling.models import JobRun
from scheduling.registry import JOBS
from scheduling.runs import run_job
from tests.outbox.helpers import at, in_integration, sent, young_person
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
D = datetime.date


@pytest.fixture
def world():
    return build_world()


def kinds():
    return sorted(Message.objects.values_list("kind", "recipient_id"))


def reminders_about(referral):
    return Message.objects.filter(kind__startswith="reminder.", context__referral=str(referral.public_id))


def emailed_subjects():
    """Deliver what the reminders wrote; the subjects of the e-mails, sorted."""
    deliver_pending()
    bodies = [email.body for email in mail.outbox]
    assert all("Bonjour" in body and "un jeune" not in body for body in bodies)  # names were found
    return sorted(email.subject for email in mail.outbox)


def run_twice(name, today=TODAY):
    first, second = run_job(name, today=today), run_job(name, today=today)
    return first, second


def test_a_referral_not_acknowledged_reminds_the_staff_after_5_working_days_and_the_managers_after_10(world):
    referral = sent(world)
    Message.objects.all().delete()
    Referral.objects.filter(pk=referral.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=20))

    first, second = run_twice("referral_not_acknowledged")

    assert (first.examined, first.enqueued) == (2, 2)  # one row seen per threshold, one message each
    assert (second.examined, second.enqueued) == (2, 0)
    assert kinds() == [
        ("reminder.referral_escalation", world.user("manager_e2c").pk),  # the school's manager
        ("reminder.referral_unacknowledged", world.user("e2c_staff").pk),
    ]
    assert emailed_subjects() == [
        "Orientation en attente depuis 10 jours ouvrés",
        "Relance : orientation non prise en compte depuis 5 jours ouvrés",
    ]


def test_an_integration_period_reaching_its_end_asks_the_staff_to_confirm_once(world):
    in_integration(world, planned_end_on=TODAY + datetime.timedelta(days=2))
    in_integration(world, planned_end_on=TODAY + datetime.timedelta(days=10))  # not yet
    Message.objects.all().delete()

    first, second = run_twice("integration_period_ending")

    assert (first.examined, first.enqueued, second.enqueued) == (1, 1, 0)
    assert kinds() == [("reminder.integration_end", world.user("e2c_staff").pk)]
    assert emailed_subjects() == ["Période d'intégration bientôt terminée : confirmer l'entrée en parcours"]


def test_a_hand_back_left_open_5_working_days_tells_the_referring_organisations_managers(world):
    referral = sent(world)
    Message.objects.all().delete()
    hand_back = HandBack.objects.create(
        referral=referral,
        organisation=world.ml_a,
        reason=HandBackReason.NOT_ADMITTED,
        assignee=world.user("adviser_ml"),
    )
    HandBack.objects.filter(pk=hand_back.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))

    first, second = run_twice("hand_back_not_handled")

    assert (first.enqueued, second.enqueued) == (1, 0)
    assert kinds() == [("reminder.hand_back_late", world.user("manager_ml").pk)]
    assert emailed_subjects() == ["Retour vers le prescripteur non traité depuis 5 jours ouvrés"]


def test_follow_ups_due_tomorrow_or_overdue_remind_the_referent_once(world):
    person = young_person(world)
    FollowUp.objects.create(young_person=person, scheduled_on=TODAY + datetime.timedelta(days=1))
    FollowUp.objects.create(young_person=person, scheduled_on=TODAY - datetime.timedelta(days=3))
    FollowUp.objects.create(young_person=person, scheduled_on=TODAY + datetime.timedelta(days=5))  # not yet

    first, second = run_twice("follow_up_due")

    assert (first.examined, first.enqueued, second.enqueued) == (2, 2, 0)
    assert kinds() == [
        ("reminder.follow_up_overdue", world.user("adviser_ml").pk),
        ("reminder.follow_up_tomorrow", world.user("adviser_ml").pk),
    ]
    assert emailed_subjects() == ["Point de suivi en retard", "Point de suivi prévu demain"]


def test_a_cej_ending_within_30_days_reminds_its_referent_once(world):
    person = young_person(world)
    CejContract.objects.create(
        young_person=person,
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        signed_on=TODAY - datetime.timedelta(days=200),
        starts_on=TODAY - datetime.timedelta(days=200),
        planned_end_on=TODAY + datetime.timedelta(days=20),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )

    first, second = run_twice("cej_ending")

    assert (first.enqueued, second.enqueued) == (1, 0)
    assert kinds() == [("reminder.cej_ending", world.user("adviser_ml").pk)]
    assert emailed_subjects() == ["CEJ se terminant dans moins de 30 jours"]


def test_a_pacea_reaching_24_months_reminds_its_referent_or_the_managers_when_there_is_none(world):
    starts_on = TODAY - relativedelta(months=24) + datetime.timedelta(days=10)
    PaceaContract.objects.create(
        young_person=young_person(world),
        organisation=world.ml_a,
        referent=None,
        signed_on=starts_on,
        starts_on=starts_on,
        planned_end_on=starts_on + relativedelta(months=24),
    )

    first, second = run_twice("pacea_24_months")

    assert (first.enqueued, second.enqueued) == (1, 0)
    assert kinds() == [("reminder.pacea_24_months", world.user("manager_ml").pk)]
    assert emailed_subjects() == ["PACEA atteignant bientôt 24 mois"]


def test_an_agreement_review_meeting_due_tells_the_signatories_managers_once(world):
    agreement = Agreement.objects.create(
        title="Déclinaison locale Lyon",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.LOCAL,
        signed_on=TODAY - relativedelta(years=2),
        starts_on=TODAY - relativedelta(years=2),
        ends_on=TODAY + relativedelta(months=6) + datetime.timedelta(days=10),
    )
    agreement.parties.set([world.ml_a, world.school])

    first, second = run_twice("agreement_review_due")

    assert (first.enqueued, second.enqueued) == (2, 0)
    assert kinds() == sorted(
        [
            ("reminder.agreement_review", world.user("manager_ml").pk),
            ("reminder.agreement_review", world.user("manager_e2c").pk),
        ]
    )
    assert emailed_subjects() == ["Accord : réunion de bilan à prévoir"] * 2


def test_every_registered_job_runs_and_is_recorded(world):
    for name in JOBS:
        run_job(name)
    assert sorted(JobRun.objects.values_list("job", flat=True)) == sorted(JOBS)
    assert set(JobRun.objects.values_list("outcome", flat=True)) == {JobRun.Outcome.SUCCEEDED}


# --- Around public holidays -------------------------------------------------------------------


def _site_in(departement_code: str, name: str):
    departement = Departement.objects.select_related("region").get(code=departement_code)
    site = OrganisationFactory(
        name=name, kind=OrganisationKind.E2C_SITE, departement=departement, region=departement.region
    )
    MembershipFactory(organisation=site, role=Role.E2C_STAFF)
    return site


def test_the_5_working_days_skip_the_8_may_holiday(world):
    # Sent Monday 4 May 2026; Friday 8 May is a public holiday: the 5th working day is Tuesday 12.
    referral = sent(world)
    Message.objects.all().delete()
    Referral.objects.filter(pk=referral.pk).update(status_changed_at=at(D(2026, 5, 4)))

    assert run_job("referral_not_acknowledged", today=D(2026, 5, 11)).enqueued == 0
    assert run_job("referral_not_acknowledged", today=D(2026, 5, 12)).enqueued == 1


def test_good_friday_counts_in_alsace_moselle_and_the_abolition_day_in_martinique(world):
    # Sent Tuesday 31 March 2026. Nationally Easter Monday (6 April) is off: due on Wednesday 8.
    # In Strasbourg Good Friday (3 April) is off too: due on Thursday 9.
    national, strasbourg = sent(world), sent(world, site=_site_in("67", "E2C Strasbourg"))
    Message.objects.all().delete()
    Referral.objects.filter(pk__in=[national.pk, strasbourg.pk]).update(status_changed_at=at(D(2026, 3, 31)))

    run_job("referral_not_acknowledged", today=D(2026, 4, 8))
    assert set(Message.objects.values_list("context__referral", flat=True)) == {str(national.public_id)}
    run_job("referral_not_acknowledged", today=D(2026, 4, 9))
    assert reminders_about(strasbourg).count() == 1

    # Martinique: 22 May 2026 (a Friday) is the abolition day. Sent Monday 18 May: the 5th working
    # day is Monday 25 nationally... which is Whit Monday, so Tuesday 26; in Martinique Wednesday 27.
    martinique = sent(world, site=_site_in("972", "E2C Martinique"))
    Referral.objects.filter(pk=martinique.pk).update(status_changed_at=at(D(2026, 5, 18)))
    run_job("referral_not_acknowledged", today=D(2026, 5, 26))
    assert not Message.objects.filter(
        kind__startswith="reminder.", context__referral=str(martinique.public_id)
    ).exists()
    run_job("referral_not_acknowledged", today=D(2026, 5, 27))
    assert reminders_about(martinique).count() == 1


def test_a_job_can_be_run_by_hand(world):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    young = young_person(world)
    FollowUp.objects.create(young_person=young, scheduled_on=TODAY + datetime.timedelta(days=1))
    out = StringIO()
    call_command("run_job", "follow_up_due", stdout=out)
    assert "lignes examinées : 1, messages écrits : 1." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("run_job", "unknown")
