import datetime

import pytest

from e2c_referrals.enums import ImmersionDirection, SessionKind, SessionStatus, SessionVenue
from e2c_referrals.models import AdviserImmersion, InformationSession
from partners.enums import AgreementFramework, AgreementLevel
from partners.models import Agreement, Amendment, Departement
from reporting.indicators import Area, Level, Period, compute
from tests.reporting.builders import at, known_dataset
from tests.world import build_world

pytestmark = pytest.mark.django_db

S1_2026 = Period.semester(2026, 1)


@pytest.fixture
def world():
    w = build_world()
    known_dataset(w)
    return w


def test_national_indicators_of_a_known_semester(world):
    # When
    report = compute(Area(Level.NATIONAL), S1_2026)

    # Then: the cohort of the 10 referrals sent in the semester
    totals = report["totals"]
    assert (totals["sent"], totals["sent_ml"], totals["sent_ft"]) == (10, 8, 2)
    assert (totals["acknowledged"], totals["invited"], totals["attended"]) == (8, 5, 4)
    assert (totals["integration"], totals["enrolled"], totals["enrolled_cej"]) == (3, 3, 2)
    assert totals["attendance_rate"] == 0.8
    assert totals["integration_rate"] == 0.3
    assert totals["cej_share"] == pytest.approx(0.6667)
    # delays in days: acknowledged after 1, 2, 2, 3, 4, 5, 6, 10 days
    assert (totals["ack_p50"], totals["ack_p90"]) == (3.5, 7.2)
    # the information session (attended or no-show) after 8, 10, 12, 14, 16 days
    assert (totals["session_p50"], totals["session_p90"]) == (12.0, 15.2)
    assert (totals["enrolled_p50"], totals["enrolled_p90"]) == (60.0, 68.0)
    # exits and hand-backs recorded in the semester
    assert (totals["exits"], totals["positive_exits"], totals["positive_rate"]) == (2, 1, 0.5)
    assert (totals["outcome_cdi"], totals["outcome_no_solution"], totals["outcome_drop_out"]) == (1, 1, 0)
    assert totals["hand_backs"] == 3
    assert (totals["hand_back_withdrawn"], totals["hand_back_not_admitted"], totals["hand_back_non_positive_exit"]) == (
        1,
        1,
        1,
    )
    # breakdowns: by referring network, by région (the cross-région referral counts in both)
    assert report["rows"]["network"]["mission_locale"]["sent"] == 8
    assert report["rows"]["network"]["france_travail"]["sent"] == 2
    assert {key: row["sent"] for key, row in report["rows"]["area"].items() if row["sent"]} == {"84": 9, "32": 2}
    assert len(report["rows"]["area"]) == 18  # every région, with or without referrals (coverage)
    assert report["labels"]["area"]["84"] == "Auvergne-Rhône-Alpes"
    # coverage: the Rhône and the Nord have a site
    assert (totals["departements_with_site"], totals["departements_without_site"]) == (
        2,
        Departement.objects.count() - 2,
    )


def test_region_departement_and_organisation_levels(world):
    region = compute(Area(Level.REGION, "84", "Auvergne-Rhône-Alpes"), S1_2026)
    assert region["totals"]["sent"] == 9
    assert {key: row["sent"] for key, row in region["rows"]["area"].items() if row["sent"]} == {"69": 9}
    assert region["totals"]["departements_with_site"] == 1
    assert region["totals"]["departements_without_site"] == Departement.objects.filter(region="84").count() - 1

    departement = compute(Area(Level.DEPARTEMENT, "59", "Nord"), S1_2026)
    by_organisation = {key: row["sent"] for key, row in departement["rows"]["area"].items()}
    assert by_organisation == {str(world.ml_b.pk): 1, str(world.other_site.pk): 2}
    assert departement["labels"]["area"][str(world.other_site.pk)] == world.other_site.name

    site = compute(Area(Level.ORGANISATION, str(world.site.pk), world.site.name), S1_2026)
    assert (site["totals"]["sent"], site["totals"]["enrolled"], site["totals"]["exits"]) == (8, 3, 2)
    assert site["rows"]["area"] == {}
    # an E2C school counts its sites' referrals
    school = compute(Area(Level.ORGANISATION, str(world.school.pk), world.school.name), S1_2026)
    assert school["totals"]["sent"] == 8
    lyon = compute(Area(Level.ORGANISATION, str(world.ml_a.pk), world.ml_a.name), S1_2026)
    assert lyon["totals"]["sent"] == 7


def test_other_periods_and_agreements_in_force(world):
    # Given: the national agreement, a regional version ended before 2026 but extended by an amendment,
    # and a local version starting after the semester
    national = Agreement.objects.create(
        title="Accord-cadre",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.NATIONAL,
        signed_on=datetime.date(2024, 1, 1),
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    regional = Agreement.objects.create(
        title="Déclinaison régionale",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.REGIONAL,
        parent=national,
        region=world.ml_a.region,
        signed_on=datetime.date(2023, 1, 1),
        starts_on=datetime.date(2023, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
    )
    Amendment.objects.create(
        agreement=regional,
        number=1,
        signed_on=datetime.date(2025, 6, 1),
        new_end_on=datetime.date(2026, 12, 31),
        summary="Prolongation",
    )
    local = Agreement.objects.create(
        title="Déclinaison locale",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.LOCAL,
        parent=national,
        region=world.ml_a.region,
        signed_on=datetime.date(2026, 7, 1),
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2029, 6, 30),
    )
    local.parties.set([world.ml_a, world.site])

    # When / Then
    totals = compute(Area(Level.NATIONAL), S1_2026)["totals"]
    assert (totals["agreements_national"], totals["agreements_regional"], totals["agreements_local"]) == (1, 1, 0)
    region = compute(Area(Level.REGION, "84"), Period.semester(2026, 2))["totals"]
    assert (region["agreements_national"], region["agreements_regional"], region["agreements_local"]) == (0, 1, 1)
    lille = compute(Area(Level.REGION, "32"), S1_2026)["totals"]
    assert (lille["agreements_regional"], lille["agreements_local"]) == (0, 0)

    # any range: February only
    february = compute(Area(Level.NATIONAL), Period(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)))["totals"]
    assert february["sent"] == 8
    # the previous semester: the referral sent on 31 December at 23:00, Paris time
    assert compute(Area(Level.NATIONAL), Period.semester(2025, 2))["totals"]["sent"] == 1


def test_sessions_held_joint_sessions_and_immersions(world):
    # Given: a joint session held in the Lyon Mission Locale for the Vénissieux site, an information
    # session held in Lille, one planned and one cancelled (not counted), an immersion of Lyon advisers
    def session(site, kind, status, day, venue=None, reason=""):
        return InformationSession.objects.create(
            e2c_site=site,
            kind=kind,
            status=status,
            starts_at=at(day, 9),
            ends_at=at(day, 11),
            venue=SessionVenue.PARTNER if venue else SessionVenue.E2C_SITE,
            venue_organisation=venue,
            address="1 rue de la République",
            capacity=12,
            registration_deadline=datetime.date.fromisoformat(day),
            created_by=world.user("e2c_staff"),
            cancellation_reason=reason,
        )

    session(world.site, SessionKind.JOINT, SessionStatus.HELD, "2026-03-03", venue=world.ml_a)
    session(world.other_site, SessionKind.INFORMATION, SessionStatus.HELD, "2026-04-07")
    session(world.site, SessionKind.INFORMATION, SessionStatus.PLANNED, "2026-05-05")
    session(world.site, SessionKind.INFORMATION, SessionStatus.CANCELLED, "2026-05-12", reason="Formateur absent")
    session(world.site, SessionKind.INFORMATION, SessionStatus.HELD, "2026-09-01")  # next semester
    AdviserImmersion.objects.create(
        direction=ImmersionDirection.ML_IN_E2C,
        visiting_organisation=world.ml_a,
        host_organisation=world.site,
        starts_on=datetime.date(2026, 2, 10),
        ends_on=datetime.date(2026, 2, 11),
        recorded_by=world.user("adviser_ml"),
    )

    # When / Then
    national = compute(Area(Level.NATIONAL), S1_2026)
    totals = national["totals"]
    assert (totals["sessions_held"], totals["joint_sessions_held"]) == (2, 1)
    assert (totals["immersions"], totals["immersions_ml_in_e2c"], totals["immersions_e2c_in_ml"]) == (1, 1, 0)
    assert national["rows"]["area"]["84"]["sessions_held"] == 1
    assert national["rows"]["area"]["32"]["sessions_held"] == 1
    lyon = compute(Area(Level.ORGANISATION, str(world.ml_a.pk)), S1_2026)["totals"]
    assert (lyon["sessions_held"], lyon["joint_sessions_held"], lyon["immersions"]) == (1, 1, 1)
    lille = compute(Area(Level.REGION, "32"), S1_2026)["totals"]
    assert (lille["sessions_held"], lille["joint_sessions_held"], lille["immersions"]) == (1, 0, 0)
