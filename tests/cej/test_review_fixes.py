"""Fixes from the code review: scope of the home lists, access log on the edit form, long labels,
no orphan PDF, PACEA for Missions Locales only, plausible birth dates, bounded queries on the file
page, the breach rank checked under lock."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cej.enums import AllowanceCategory, ConsentMethod, ContractStatus
from cej.models import CejContract, CejEvent, Consent, FollowUp, YoungPersonEvent
from cej.selectors.follow_ups import cej_ending_soon, overdue_follow_ups
from cej.services import consents as consent_services
from cej.services.cej_contracts import CejData, cej_create, cej_record_breach
from cej.services.consents import consent_record
from cej.services.imports import (
    young_people_import_apply,
    young_people_import_cancel,
    young_people_import_create,
)
from cej.services.pacea_contracts import PaceaData, PaceaPhaseData, pacea_create, pacea_phase_add
from cej.services.structuring_steps import StructuringStepData, structuring_step_add
from cej.services.young_people import YoungPersonData, young_person_update
from e2c_referrals.models import Referral
from partners.access import Actor
from partners.enums import OrganisationKind, Role
from tests import crafted_files
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.world import build_world
from texthygiene.text import clip

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = timezone.localdate()
BORN = D(2005, 6, 15)


@pytest.fixture
def world():
    return build_world()


def actor_of(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


@pytest.fixture
def adviser(world):
    return actor_of(world, "adviser_ml")


def active_cej(young_person, organisation, referent, **overrides):
    values = {
        "young_person": young_person,
        "organisation": organisation,
        "referent": referent,
        "signed_on": TODAY - datetime.timedelta(days=300),
        "starts_on": TODAY - datetime.timedelta(days=300),
        "planned_end_on": TODAY + datetime.timedelta(days=20),
        "weekly_hours": 15,
        "allowance_category": "adult_non_taxable",
        "status": ContractStatus.ACTIVE,
    }
    return CejContract.objects.create(**(values | overrides))


def signed_cej(actor, young_person):
    return cej_create(
        actor=actor,
        young_person=young_person,
        data=CejData(
            signed_on=D(2024, 12, 15),
            starts_on=D(2025, 1, 1),
            planned_end_on=D(2025, 12, 31),
            weekly_hours=15,
            allowance_category=AllowanceCategory.ADULT_NON_TAXABLE,
            activity_plan="Lundi : atelier CV.",
        ),
    )


# --- 1. The home lists keep to the actor's organisation -------------------------------------------


def test_an_adviser_who_moved_sees_only_her_new_organisations_young_people_on_her_home(world, adviser):
    user = adviser.user
    elsewhere = OrganisationFactory(kind=OrganisationKind.MISSION_LOCALE)
    MembershipFactory(user=user, organisation=elsewhere, role=Role.ADVISER, is_active=False)
    mine = YoungPersonFactory(organisation=world.ml_a, referent=user)
    old_file = YoungPersonFactory(organisation=elsewhere, referent=user)
    for young_person in (mine, old_file):
        FollowUp.objects.create(young_person=young_person, scheduled_on=TODAY - datetime.timedelta(days=3))
        active_cej(young_person, young_person.organisation, user)

    overdue = overdue_follow_ups(referent=user, actor=adviser)
    ending = cej_ending_soon(referent=user, actor=adviser)

    assert [f.young_person for f in overdue] == [mine]
    assert [c.young_person for c in ending] == [mine]


# --- 2. The edit form is a consultation of the file -----------------------------------------------


def test_opening_the_edit_form_is_logged_but_saving_it_is_not_logged_twice(client, world):
    client.force_login(world.user("adviser_ml"))
    young_person = YoungPersonFactory(organisation=world.ml_a)
    url = reverse("cej:young_person_update", kwargs={"public_id": young_person.public_id})

    client.get(url)
    assert AccessLog.objects.filter(purpose=AccessLog.Purpose.VIEW_FILE).count() == 1

    client.post(url, {})
    assert AccessLog.objects.filter(purpose=AccessLog.Purpose.VIEW_FILE).count() == 1


# --- 3. Long texts are clipped, never a server error; no orphan PDF -------------------------------


def test_clip_cuts_with_an_ellipsis_only_when_too_long():
    assert clip("court", 10) == "court"
    assert clip("x" * 11, 10) == "x" * 9 + "…"
    assert len(clip("x" * 300, 200)) == 200


def test_a_structuring_step_with_a_200_character_label_at_a_long_named_site_is_recorded(world, adviser):
    young_person = YoungPersonFactory(organisation=world.ml_a, birth_date=BORN)
    contract = signed_cej(adviser, young_person)
    site = OrganisationFactory(kind=OrganisationKind.E2C_SITE, name="É" * 200)

    structuring_step_add(
        actor=adviser,
        contract=contract,
        data=StructuringStepData(label="L" * 200, is_e2c=True, e2c_site=site, starts_on=D(2025, 2, 1)),
    )

    event = CejEvent.objects.get(kind=CejEvent.Kind.STRUCTURING_STEP)
    assert len(event.consequence) == 250 and event.consequence.endswith("…")
    history = YoungPersonEvent.objects.filter(action__startswith="Solution structurante").get()
    assert len(history.action) == 200 and history.action.endswith("…")


def test_a_pacea_phase_with_a_200_character_label_is_recorded(world, adviser):
    young_person = YoungPersonFactory(organisation=world.ml_a, birth_date=BORN)
    contract = pacea_create(
        actor=adviser,
        young_person=young_person,
        data=PaceaData(signed_on=D(2024, 12, 15), starts_on=D(2025, 1, 1), planned_end_on=D(2026, 12, 31)),
    )

    pacea_phase_add(actor=adviser, contract=contract, data=PaceaPhaseData(label="P" * 200, starts_on=D(2025, 1, 1)))

    assert YoungPersonEvent.objects.filter(action__startswith="Phase").get().action.endswith("…")


def test_a_consent_with_a_long_named_site_is_recorded(world, adviser):
    young_person = YoungPersonFactory(organisation=world.ml_a)
    site = OrganisationFactory(kind=OrganisationKind.E2C_SITE, name="S" * 200)

    consent_record(
        actor=adviser,
        young_person=young_person,
        e2c_site=site,
        shared_data=["identity"],
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Notice remise et expliquée.",
    )

    assert Consent.objects.count() == 1


def test_when_the_history_cannot_be_written_the_stored_pdf_is_removed(world, adviser, monkeypatch):
    young_person = YoungPersonFactory(organisation=world.ml_a)

    def failing_record_event(**kwargs):
        raise RuntimeError("history down")

    monkeypatch.setattr(consent_services, "record_event", failing_record_event)
    pdf = SimpleUploadedFile("accord.pdf", crafted_files.pdf(), content_type="application/pdf")
    with pytest.raises(RuntimeError):
        consent_record(
            actor=adviser,
            young_person=young_person,
            e2c_site=world.site,
            shared_data=["identity"],
            given_on=TODAY,
            method=ConsentMethod.SIGNED_FORM,
            signed_form=pdf,
        )

    folder = settings.MEDIA_ROOT / "consents"
    assert not Consent.objects.exists()
    assert not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))


# --- 4. PACEA: Mission Locale only ----------------------------------------------------------------


def test_a_france_travail_adviser_cannot_sign_a_pacea(world):
    france_travail = actor_of(world, "adviser_ft")
    young_person = YoungPersonFactory(organisation=world.ft, birth_date=BORN)

    with pytest.raises(PermissionDenied, match="Missions Locales"):
        pacea_create(
            actor=france_travail,
            young_person=young_person,
            data=PaceaData(signed_on=D(2024, 12, 15), starts_on=D(2025, 1, 1), planned_end_on=D(2026, 12, 31)),
        )


def test_the_pacea_button_and_page_are_for_missions_locales_only(client, world):
    ft_file = YoungPersonFactory(organisation=world.ft, birth_date=BORN)
    ml_file = YoungPersonFactory(organisation=world.ml_a, birth_date=BORN)

    client.force_login(world.user("adviser_ft"))
    page = client.get(reverse("cej:young_person_detail", kwargs={"public_id": ft_file.public_id}))
    assert "Signer un CEJ" in page.content.decode()
    assert "Signer un PACEA" not in page.content.decode()
    assert client.get(reverse("cej:pacea_create", kwargs={"public_id": ft_file.public_id})).status_code == 403

    client.force_login(world.user("adviser_ml"))
    page = client.get(reverse("cej:young_person_detail", kwargs={"public_id": ml_file.public_id}))
    assert "Signer un PACEA" in page.content.decode()


# --- 5. Plausible birth dates on an update --------------------------------------------------------


@pytest.mark.parametrize("birth_date", [D(1, 1, 1), D(1949, 12, 31), TODAY.replace(year=TODAY.year - 10)])
def test_an_implausible_birth_date_is_refused_when_editing_a_file(world, adviser, birth_date):
    young_person = YoungPersonFactory(organisation=world.ml_a)

    with pytest.raises(ValidationError) as error:
        young_person_update(
            actor=adviser,
            young_person=young_person,
            data=YoungPersonData(last_name="Martin", first_name="Zoé", birth_date=birth_date),
        )

    assert "Date de naissance invraisemblable" in " ".join(error.value.message_dict["birth_date"])


def test_a_file_can_still_be_edited_after_the_young_person_turned_26(world, adviser):
    young_person = YoungPersonFactory(organisation=world.ml_a, birth_date=D(1990, 5, 1))

    changed = young_person_update(
        actor=adviser,
        young_person=young_person,
        data=YoungPersonData(last_name="Martin", first_name="Zoé", birth_date=D(1990, 5, 1)),
    )

    assert "last_name" in changed


# --- 7. The file page's queries do not grow with its rows -----------------------------------------


def test_the_file_page_query_count_does_not_grow_with_consents_and_referrals(client, world):
    client.force_login(world.user("adviser_ml"))
    adviser = world.user("adviser_ml")
    empty = YoungPersonFactory(organisation=world.ml_a)
    full = YoungPersonFactory(organisation=world.ml_a)
    sites = [OrganisationFactory(kind=OrganisationKind.E2C_SITE) for _ in range(5)]
    for site in sites:
        Consent.objects.create(
            young_person=full,
            e2c_site=site,
            shared_data=["identity"],
            given_on=TODAY,
            method="oral",
            attestation="ok",
            recorded_by=adviser,
        )
    for site in sites[:2]:
        Referral.objects.create(
            young_person=full,
            referring_organisation=world.ml_a,
            referring_adviser=adviser,
            e2c_site=site,
            diagnostic="Diagnostic.",
            motivation="Motivation.",
        )

    def page(young_person):
        return reverse("cej:young_person_detail", kwargs={"public_id": young_person.public_id})

    client.get(page(empty))  # warm the session and caches
    with CaptureQueriesContext(connection) as empty_queries:
        client.get(page(empty))
    with CaptureQueriesContext(connection) as full_queries:
        response = client.get(page(full))

    assert response.status_code == 200
    assert len(full_queries.captured_queries) == len(empty_queries.captured_queries)


# --- 8. The breach rank is checked under lock ----------------------------------------------------


def test_a_breach_recorded_meanwhile_stops_the_second_one_with_a_french_message(world, adviser):
    young_person = YoungPersonFactory(organisation=world.ml_a, birth_date=BORN)
    contract = signed_cej(adviser, young_person)
    cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 2, 1), reason="Absence.", expected_rank=1)

    with pytest.raises(ValidationError) as error:
        cej_record_breach(
            actor=adviser, contract=contract, occurred_on=D(2025, 2, 2), reason="Retard.", expected_rank=1
        )

    assert "Un autre manquement vient d'être enregistré" in " ".join(error.value.messages)
    assert contract.events.filter(kind=CejEvent.Kind.BREACH).count() == 1


# --- 6. An applied or cancelled import keeps no personal data -------------------------------------

IMPORT_HEADER = b"numero_imilo;nom;prenom;date_naissance\r\n"


def _born(years):
    return TODAY.replace(year=TODAY.year - years, day=1).strftime("%d/%m/%Y").encode()


def test_a_cancelled_import_keeps_neither_names_nor_i_milo_numbers_nor_cell_values(world, adviser):
    content = (
        IMPORT_HEADER + b"10000001;Lefebvre;Zo\xc3\xa9;" + _born(19) + b"\r\n10000002;Martin;L\xc3\xa9o;31/02/2007\r\n"
    )
    young_people_import = young_people_import_create(actor=adviser, filename="export.csv", content=content)
    assert "31/02/2007" in str(young_people_import.errors), "shown while the adviser fixes the file"

    cancelled = young_people_import_cancel(actor=adviser, young_people_import=young_people_import)

    cancelled.refresh_from_db()
    stored = str(cancelled.rows) + str(cancelled.errors)
    for personal in ("Lefebvre", "Martin", "10000001", "10000002", "31/02/2007"):
        assert personal not in stored
    assert [(row["line"], row["action"]) for row in cancelled.rows] == [(2, "create"), (3, "error")]
    assert [(error["line"], error["column"]) for error in cancelled.errors] == [(3, "date_naissance")]


def test_an_applied_import_keeps_only_line_numbers_actions_and_counts(world, adviser):
    content = IMPORT_HEADER + b"10000001;Lefebvre;Zo\xc3\xa9;" + _born(19) + b"\r\n"
    young_people_import = young_people_import_create(actor=adviser, filename="export.csv", content=content)

    applied = young_people_import_apply(actor=adviser, young_people_import=young_people_import)

    applied.refresh_from_db()
    assert applied.rows == [{"line": 2, "action": "create", "changes": [], "values": {}}]
    assert applied.created_count == 1
