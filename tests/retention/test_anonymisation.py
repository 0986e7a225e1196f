"""Anonymisation of a young person's file: no direct identifier left anywhere in the database, the
attachments gone from storage, the committee's indicators and closed semesters unchanged."""

import datetime
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cej.enums import ConsentMethod, ContractStatus, SharedData
from cej.models import CejContract, CejEvent, Consent, FollowUp, PaceaContract, PaceaPhase, YoungPeopleImport
from e2c_referrals.enums import HandBackReason, RegistrationStatus
from e2c_referrals.models import (
    Attachment,
    HandBack,
    PostExitNews,
    Referral,
    ReferralTransition,
    SessionRegistration,
)
from reporting.indicators import Area, Level, Period, compute
from reporting.models import ReferralFact, SemesterSnapshot
from reporting.services.facts import refresh_facts
from retention.models import AnonymisedFile
from retention.services import history_event_models, young_person_anonymise
from states.models import StateChange
from tests.e2c_referrals.sessions_support import make_session
from tests.reporting.builders import at, known_dataset, referral
from tests.world import build_world

pytestmark = pytest.mark.django_db

FIRST, LAST = "Ysaline", "Quarteroni"
EMAIL = "ysaline.quarteroni@example.org"
PHONE = "0612345678"
BIRTH = datetime.date(1998, 3, 14)
NEEDLES = [FIRST, LAST, EMAIL, PHONE, "06 12 34 56 78", BIRTH.isoformat(), "14/03/1998", "14 mars 1998"]
S1_2026 = Period.semester(2026, 1)


def _plant(w):
    """A file with the planted identity written in every place a young person's data can go."""
    adviser, staff = w.user("adviser_ml"), w.user("e2c_staff")
    planted = referral(
        w,
        referrer=w.ml_a,
        site=w.site,
        sent_at=at("2026-02-03"),
        steps=[("acknowledged", 2), ("invited", 4), ("no_show", 9), ("withdrawn", 15)],
        hand_back=HandBackReason.WITHDRAWN,
    )
    person = planted.young_person
    person.first_name, person.last_name, person.email, person.phone = FIRST, LAST, EMAIL, PHONE
    person.birth_date, person.address, person.postcode, person.commune = BIRTH, "3 rue Quarteroni", "69008", "Lyon"
    person.imilo_number, person.france_travail_id, person.referent = "7654321", "FT-QUARTERONI", adviser
    person.left_school_on, person.last_class = datetime.date(2015, 6, 30), f"3e au collège ({LAST})"
    person.departement_id, person.lives_in_qpv = w.ml_a.departement_id, True
    person.save()
    Referral.objects.filter(pk=planted.pk).update(
        diagnostic=f"{FIRST} {LAST} joignable au {PHONE}", motivation=f"Écrire à {EMAIL}"
    )
    ReferralTransition.objects.filter(referral=planted).update(reason=f"{FIRST} a appelé")
    HandBack.objects.filter(referral=planted).update(follow_up_note=f"{FIRST} {LAST} revu le 14/03/1998")
    PostExitNews.objects.create(
        referral=planted, news_on=datetime.date(2026, 5, 20), situation="cdi", note=f"{LAST} en CDI", recorded_by=staff
    )
    session = make_session(w.site, created_by=staff)
    registration = SessionRegistration.objects.create(
        session=session,
        referral=planted,
        status=RegistrationStatus.WITHDRAWN,
        registered_by=staff,
        withdrawn_reason=f"{FIRST} malade",
    )
    StateChange.objects.create(
        table="session_registration",
        object_id=str(registration.pk),
        from_state=RegistrationStatus.REGISTERED,
        to_state=RegistrationStatus.WITHDRAWN,
        actor=staff,
        reason=f"{FIRST} malade",
    )
    attachment = Attachment.objects.create(
        referral=planted,
        file=ContentFile(b"%PDF-1.4 CV", name="cv.pdf"),
        label=f"CV {FIRST} {LAST}",
        content_type="application/pdf",
        size=11,
        uploaded_by=adviser,
    )
    consent = Consent.objects.create(
        young_person=person,
        e2c_site=w.site,
        shared_data=[SharedData.values[0]],
        given_on=datetime.date(2026, 1, 20),
        method=ConsentMethod.ORAL,
        attestation=f"{FIRST} {LAST} a donné son accord",
        recorded_by=adviser,
        revocation_reason=f"{FIRST} ne veut plus",
        signed_form=ContentFile(b"%PDF-1.4 signed", name="form.pdf"),
    )
    contract = CejContract.objects.create(
        young_person=person,
        organisation=w.ml_a,
        signed_on=datetime.date(2022, 3, 1),
        starts_on=datetime.date(2022, 3, 1),
        planned_end_on=datetime.date(2023, 3, 1),
        ended_on=datetime.date(2023, 2, 15),
        status=ContractStatus.ENDED,
        weekly_hours=15,
        allowance_category="adult_non_taxable",
        activity_plan=f"Lundi : atelier CV avec {FIRST}",
    )
    CejEvent.objects.create(contract=contract, kind="breach", occurred_on=datetime.date(2022, 6, 1), reason=LAST)
    pacea = PaceaContract.objects.create(
        young_person=person,
        organisation=w.ml_a,
        signed_on=datetime.date(2020, 1, 1),
        starts_on=datetime.date(2020, 1, 1),
        planned_end_on=datetime.date(2021, 1, 1),
        status=ContractStatus.ENDED,
    )
    PaceaPhase.objects.create(
        contract=pacea, label="Phase 1", starts_on=pacea.starts_on, objectives=f"{FIRST} : permis"
    )
    FollowUp.objects.create(
        young_person=person, scheduled_on=datetime.date(2026, 3, 17), notes=f"{FIRST} {LAST} {EMAIL}"
    )
    YoungPeopleImport.objects.create(
        organisation=w.ml_a,
        created_by=adviser,
        filename="export.csv",
        encoding="utf-8",
        rows=[{"line": 2, "imilo": "7654321", "name": f"{FIRST} {LAST}", "values": {"email": EMAIL}, "action": "u"}],
    )
    return person, [attachment.file.name, consent.signed_form.name]


def _hits(needle_texts, exact_date):
    """Every text, varchar, json, jsonb and array column of every table of the public schema searched
    with ILIKE for each needle, and every date column compared with the exact birth date."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "JOIN information_schema.tables USING (table_schema, table_name) "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
            "AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'date')"
        )
        columns = cursor.fetchall()
        hits, searched = [], 0
        for table, column, data_type in columns:
            if data_type == "date":
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = %s', [exact_date])  # noqa: S608
                if cursor.fetchone()[0]:
                    hits.append((table, column, exact_date))
                continue
            searched += 1
            for needle in needle_texts:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS text) ILIKE %s',  # noqa: S608
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append((table, column, needle))
    return hits, searched


@pytest.fixture
def world():
    w = build_world()
    known_dataset(w)
    return w


def test_anonymisation_leaves_no_direct_identifier_in_any_column(world, django_capture_on_commit_callbacks):
    # Given a file with the planted identity everywhere, found before
    person, stored = _plant(world)
    before, searched = _hits(NEEDLES, BIRTH)
    assert searched > 100  # the whole schema, not a handful of columns
    assert {needle for _t, _c, needle in before} >= {FIRST, LAST, EMAIL, PHONE, BIRTH}
    assert all(default_storage.exists(name) for name in stored)

    # When
    with django_capture_on_commit_callbacks(execute=True):
        assert young_person_anonymise(young_person_id=person.pk) is True

    # Then: not one column of one table holds the identity; the files are gone from storage
    after, _ = _hits(NEEDLES, BIRTH)
    assert after == []
    assert not any(default_storage.exists(name) for name in stored)
    assert not Attachment.objects.filter(referral__young_person=person).exists()
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Jeune", "Anonymisé")
    # statistics kept: year of birth, département, school-leaving month, QPV, qualification
    assert person.birth_date == datetime.date(1998, 7, 1)
    assert person.left_school_on == datetime.date(2015, 6, 1)
    assert (person.departement_id, person.lives_in_qpv) == (world.ml_a.departement_id, True)
    assert Consent.objects.get(young_person=person).given_on == datetime.date(2026, 1, 1)
    referral = Referral.objects.get(young_person=person)
    assert referral.status == "withdrawn"
    # the workflow's dates kept to the month (Paris), as the states
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    stamps = [referral.created_at, referral.sent_at, referral.status_changed_at]
    stamps += list(ReferralTransition.objects.filter(referral=referral).values_list("created_at", flat=True))
    assert len(stamps) > 3
    assert {(stamp.astimezone(paris).day, stamp.astimezone(paris).time()) for stamp in stamps} == {
        (1, datetime.time(0, 0))
    }
    assert AnonymisedFile.objects.filter(young_person=person).exists()
    # a second run changes nothing
    assert young_person_anonymise(young_person_id=person.pk) is False


def test_the_history_of_the_anonymised_rows_is_deleted(world):
    person, _stored = _plant(world)
    young_person_anonymise(young_person_id=person.pk)
    for model in history_event_models():
        target = model._meta.get_field("pgh_obj").related_model
        if target._meta.label == "cej.YoungPerson":
            assert not model.objects.filter(pgh_obj_id=person.pk).exists()


def test_committee_indicators_are_identical_after_anonymisation(world):
    # Given the indicators of a semester, nationally and for an organisation, and a closed semester
    _plant(world)
    refresh_facts()
    areas = [Area(Level.NATIONAL), Area(Level.ORGANISATION, code=str(world.ml_a.pk), name=world.ml_a.name)]
    before = [compute(area, S1_2026) for area in areas]
    assert before[0]["totals"]["sent"] == 11  # the planted file counts
    snapshot = SemesterSnapshot.objects.create(
        semester="2026-S1", level="national", indicators=before[0], closed_by=world.user("national_committee")
    )
    frozen = SemesterSnapshot.objects.filter(pk=snapshot.pk).values().get()

    # When every file of the dataset is anonymised, and the summary table rebuilt
    for pk in Referral.objects.values_list("young_person_id", flat=True).distinct():
        young_person_anonymise(young_person_id=pk)
    refresh_facts()

    # Then
    assert [compute(area, S1_2026) for area in areas] == before
    assert SemesterSnapshot.objects.filter(pk=snapshot.pk).values().get() == frozen


def test_files_anonymised_before_any_summary_refresh_keep_their_real_delays(world):
    # Given the indicators of the semester, then a summary table emptied (never refreshed since)
    _plant(world)
    refresh_facts()
    areas = [Area(Level.NATIONAL), Area(Level.ORGANISATION, code=str(world.ml_a.pk), name=world.ml_a.name)]
    before = [compute(area, S1_2026) for area in areas]
    ReferralFact.objects.all().delete()

    # When every file is anonymised (its dates cut to the month), then the table rebuilt
    for pk in Referral.objects.values_list("young_person_id", flat=True).distinct():
        young_person_anonymise(young_person_id=pk)
    refresh_facts()

    # Then the rows were computed from the real dates just before the cut: same figures, and the
    # dates the rows keep are months
    assert [compute(area, S1_2026) for area in areas] == before
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert {fact.sent_at.astimezone(paris).day for fact in ReferralFact.objects.all()} == {1}


def test_an_anonymised_file_renders_with_the_marker(client, world):
    person, _stored = _plant(world)
    young_person_anonymise(young_person_id=person.pk)
    planted = Referral.objects.get(young_person=person)
    ids = {"public_id": planted.public_id}
    pages = {
        "adviser_ml": [
            (reverse("cej:young_person_detail", kwargs={"public_id": person.public_id}), True),
            (reverse("e2c_referrals:referral_detail", kwargs=ids), True),
            (reverse("cej:young_people") + "?q=anonymis", True),
            (reverse("e2c_referrals:sent_referrals"), False),
            (reverse("e2c_referrals:personal_data_json", kwargs={"public_id": person.public_id}), True),
            (reverse("e2c_referrals:referral_file", kwargs=ids), False),
            (
                reverse(
                    "e2c_referrals:hand_back_handle",
                    kwargs={"public_id": HandBack.objects.get(referral=planted).public_id},
                ),
                True,
            ),
        ],
        "e2c_staff": [
            (reverse("e2c_referrals:referral_detail", kwargs=ids), True),
            (reverse("e2c_referrals:inbox") + "?etat=withdrawn", False),
            (
                reverse(
                    "e2c_referrals:session_detail",
                    kwargs={"public_id": SessionRegistration.objects.get(referral=planted).session.public_id},
                ),
                False,
            ),
        ],
    }
    for role, urls in pages.items():
        client.force_login(world.user(role))
        for url, shows_marker in urls:
            response = client.get(url, follow=True)  # a search (?q=) answers on its token's page
            assert response.status_code == 200 and len(response.redirect_chain) == ("?q=" in url), url
            content = b"".join(response) if response.streaming else response.content
            text = content.decode(errors="replace")
            assert not shows_marker or "Anonymisé" in text, url
            assert LAST not in text and FIRST not in text, url


def test_the_timestamp_of_anonymisation_is_recorded(world):
    person, _stored = _plant(world)
    young_person_anonymise(young_person_id=person.pk)
    assert AnonymisedFile.objects.get(young_person=person).anonymised_at <= timezone.now()
    assert person.events.filter(action__startswith="Dossier anonymisé").count() == 1
