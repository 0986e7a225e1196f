"""Agreements, their amendments and signed PDFs, and the territorial diagnostics."""

import dataclasses
import datetime
import html
import uuid
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partners.access import Actor, AgreementReach, can_edit_agreement
from partners.enums import AgreementFramework, AgreementLevel, CollaborationLevel, OrganisationKind
from partners.models import Agreement, Amendment, Organisation, Region, TerritorialDiagnostic
from partners.services.agreements import (
    AgreementData,
    agreement_create,
    agreement_update,
    amendment_create,
    diagnostic_create,
    diagnostic_update,
)
from partners.uploads import validate_pdf
from tests import crafted_files
from tests.partners.factories import OrganisationFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

# A real PDF: the upload check parses it (tests/crafted_files.py).
PDF = crafted_files.pdf()
TODAY = timezone.localdate

# Unknown identifiers, the same in every process of the run (pytest-xdist collects twice).
UNKNOWN = [uuid.uuid5(uuid.NAMESPACE_URL, f"inconnu-{n}") for n in range(8)]


@pytest.fixture
def world():
    return build_world()


def actor(world, role):
    return Actor(user=world.user(role), membership=world.memberships[role])


def text(response):
    page = response.content.decode()
    assert "%(invalid)s" not in page
    return html.unescape(page)


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def pdf(name="accord.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_agreement(world, *, level=AgreementLevel.LOCAL, region=None, parties=None, starts_on=None, **fields):
    starts_on = starts_on or datetime.date(2024, 1, 15)
    agreement = Agreement.objects.create(
        title=fields.pop("title", "Déclinaison locale Lyon — Vénissieux"),
        framework=fields.pop("framework", AgreementFramework.UNML_E2C),
        level=level,
        region=region if region is not None or level == AgreementLevel.NATIONAL else world.ml_a.region,
        signed_on=fields.pop("signed_on", starts_on - datetime.timedelta(days=5)),
        starts_on=starts_on,
        ends_on=fields.pop("ends_on", starts_on + relativedelta(years=3) - datetime.timedelta(days=1)),
        **fields,
    )
    agreement.parties.set(parties if parties is not None else [world.ml_a, world.site])
    return agreement


def form_data(world, **overrides):
    data = {
        "title": "Déclinaison régionale Auvergne-Rhône-Alpes",
        "framework": AgreementFramework.UNML_E2C,
        "level": AgreementLevel.REGIONAL,
        "parent": "",
        "region": world.ml_a.region_id,
        "parties": [str(world.arml.public_id), str(world.regional.public_id)],
        "signed_on": "2024-01-10",
        "starts_on": "2024-01-15",
        "ends_on": "",
    }
    data.update(overrides)
    return data


# --- The PDF check ---------------------------------------------------------------------------


def test_a_pdf_is_recognised_by_its_content_whatever_the_browsers_type():
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="image/jpeg")

    validate_pdf(upload)

    assert upload.read() == PDF  # left at the start, ready to be stored


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not a pdf", "Le fichier n'est pas un PDF."),
        (b"", "Le fichier n'est pas un PDF."),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "Le fichier dépasse 10 Mo."),
    ],
)
def test_a_file_that_is_not_a_pdf_or_too_large_is_refused_in_french(content, message):
    with pytest.raises(ValidationError) as error:
        validate_pdf(SimpleUploadedFile("accord.pdf", content, content_type="application/pdf"))

    assert error.value.messages == [message]


# --- Recording an agreement ------------------------------------------------------------------


def test_an_agreement_without_end_date_lasts_three_years_less_a_day(world):
    agreement = agreement_create(
        actor=actor(world, "national_committee"),
        data=AgreementData(
            title="Accord-cadre UNML × Réseau E2C France",
            framework=AgreementFramework.UNML_E2C,
            level=AgreementLevel.NATIONAL,
            signed_on=datetime.date(2022, 1, 10),
            starts_on=datetime.date(2022, 1, 15),
        ),
    )

    assert agreement.ends_on == datetime.date(2025, 1, 14)
    assert agreement.review_meeting_due_on == datetime.date(2024, 7, 14)
    assert agreement.created_by == world.user("national_committee")


def test_the_national_committee_records_a_national_agreement_with_its_signed_pdf(client, world, settings):
    client.force_login(world.user("national_committee"))

    response = client.post(
        reverse("partners:agreement_create"),
        form_data(
            world,
            title="Partenariat Réseau E2C France × Pôle emploi",
            framework=AgreementFramework.E2C_FRANCE_TRAVAIL,
            level=AgreementLevel.NATIONAL,
            region="",
            parties=[str(world.national.public_id)],
            signed_document=pdf("Convention signée Mme Dupont.pdf"),
        ),
    )

    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:agreement_detail", kwargs={"public_id": agreement.public_id})
    assert agreement.ends_on == datetime.date(2027, 1, 14)
    assert "Dupont" not in agreement.signed_document.name
    assert [p.read_bytes() for p in stored_files(settings)] == [PDF]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an executable", "Le fichier n'est pas un PDF."),
        (b"%PDF-" + b"0" * (11 * 1024 * 1024), "Le fichier dépasse 10 Mo."),
    ],
)
def test_a_refused_file_leaves_nothing_written(client, world, settings, content, message):
    client.force_login(world.user("regional_coordinator"))

    response = client.post(reverse("partners:agreement_create"), form_data(world, signed_document=pdf(content=content)))

    assert response.status_code == 200
    assert message in text(response)
    assert not Agreement.objects.exists()
    assert stored_files(settings) == []


def test_a_failed_database_write_removes_the_file_it_stored(world, settings):
    never_saved = Organisation(name="Organisation jamais enregistrée", kind=OrganisationKind.NATIONAL)

    with pytest.raises(ValueError):
        agreement_create(
            actor=actor(world, "administrator"),
            data=AgreementData(
                title="Accord",
                framework=AgreementFramework.UNML_E2C,
                level=AgreementLevel.NATIONAL,
                signed_on=datetime.date(2024, 1, 1),
                starts_on=datetime.date(2024, 1, 1),
                parties=[world.national, never_saved],
                signed_document=pdf(),
            ),
        )

    assert not Agreement.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"region": ""}, "Indiquez la région d'un accord régional ou local."),
        ({"parties": []}, "Un accord régional ou local est signé par au moins deux organisations."),
        ({"ends_on": "2024-01-15"}, "La date de fin doit suivre la date de début."),
        ({"signed_on": "2999-01-01"}, "La date de signature ne peut pas être dans le futur."),
        ({"region": "32"}, "Sélectionnez un choix valide."),  # another région is not offered
        ({"level": AgreementLevel.NATIONAL}, "Sélectionnez un choix valide."),
        ({"starts_on": "31/02/2024"}, "Saisissez une date valide."),
    ],
)
def test_a_regional_coordinator_is_told_in_french_what_is_wrong(client, world, overrides, field_message):
    client.force_login(world.user("regional_coordinator"))

    response = client.post(reverse("partners:agreement_create"), form_data(world, **overrides))

    assert response.status_code == 200
    assert field_message in text(response)
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        (
            {"signed_on": "0001-01-01", "starts_on": "0001-01-01", "ends_on": "0001-03-01"},
            "La date de début ne peut pas précéder le 01/01/1990.",
        ),
        ({"starts_on": "9999-06-01", "ends_on": ""}, "La date de début ne peut pas dépasser le "),
        ({"ends_on": "9999-12-31"}, "La date de fin ne peut pas dépasser le "),
        ({"signed_on": "1989-12-31"}, "La date de signature ne peut pas précéder le 01/01/1990."),
    ],
)
def test_a_manager_typing_a_date_centuries_off_gets_a_form_error_and_the_list_still_renders(
    client, world, overrides, field_message
):
    client.force_login(world.user("manager_ml"))
    data = form_data(
        world,
        title="Convention locale",
        level=AgreementLevel.LOCAL,
        parties=[str(world.ml_a.public_id), str(world.site.public_id)],
        **overrides,
    )

    response = client.post(reverse("partners:agreement_create"), data)

    assert response.status_code == 200
    assert field_message in text(response)
    assert not Agreement.objects.exists()
    assert client.get(reverse("partners:agreements")).status_code == 200


def test_the_date_window_runs_from_1990_to_thirty_years_ahead(world):
    latest = TODAY() + relativedelta(years=30)
    data = AgreementData(
        title="Accord-cadre",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.NATIONAL,
        signed_on=datetime.date(1990, 1, 1),
        starts_on=datetime.date(1990, 1, 1),
        ends_on=latest,
    )

    assert agreement_create(actor=actor(world, "administrator"), data=data).ends_on == latest
    with pytest.raises(ValidationError) as error:
        agreement_create(
            actor=actor(world, "administrator"),
            data=dataclasses.replace(data, ends_on=latest + datetime.timedelta(days=1)),
        )
    assert error.value.message_dict["ends_on"] == [f"La date de fin ne peut pas dépasser le {latest:%d/%m/%Y}."]


def test_editing_an_agreement_to_a_date_out_of_the_window_is_refused_and_changes_nothing(world):
    agreement = make_agreement(world)

    with pytest.raises(ValidationError) as error:
        agreement_update(
            actor=actor(world, "manager_ml"),
            agreement=agreement,
            data=AgreementData(
                title=agreement.title,
                framework=agreement.framework,
                level=agreement.level,
                region=agreement.region,
                parties=[world.ml_a, world.site],
                signed_on=agreement.signed_on,
                starts_on=datetime.date(9999, 6, 1),
            ),
        )

    assert "starts_on" in error.value.message_dict
    agreement.refresh_from_db()
    assert agreement.starts_on == datetime.date(2024, 1, 15)


def test_an_empty_form_is_answered_with_errors_not_a_server_error(client, world):
    client.force_login(world.user("administrator"))

    response = client.post(reverse("partners:agreement_create"), {})

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text(response)


def test_a_regional_coordinator_records_their_regions_version_of_the_national_agreement(client, world):
    national = make_agreement(world, level=AgreementLevel.NATIONAL, parties=[world.national])
    client.force_login(world.user("regional_coordinator"))

    response = client.post(reverse("partners:agreement_create"), form_data(world, parent=str(national.public_id)))

    assert response.status_code == 302
    version = Agreement.objects.get(level=AgreementLevel.REGIONAL)
    assert version.parent == national
    assert set(version.parties.all()) == {world.arml, world.regional}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"level": AgreementLevel.NATIONAL, "parent": "regional", "region": "84"},
            {
                "parent": ["Un accord national ne décline aucun autre accord."],
                "region": ["Un accord national ne porte pas sur une région."],
            },
        ),
        ({"parent": "regional"}, {"parent": ["L'accord décliné doit être un accord national du même cadre."]}),
        ({"parties": "ml_b"}, {"parties": ["Ces signataires ne sont pas dans la région Auvergne-Rhône-Alpes : "]}),
    ],
)
def test_the_service_checks_levels_parents_and_the_region_of_the_parties(world, data, errors):
    regional = make_agreement(world, level=AgreementLevel.REGIONAL, parties=[world.arml, world.regional])
    values = {
        "title": "Déclinaison",
        "framework": AgreementFramework.UNML_E2C,
        "level": AgreementLevel.LOCAL,
        "signed_on": datetime.date(2024, 1, 1),
        "starts_on": datetime.date(2024, 1, 1),
        "region": world.ml_a.region,
        "parties": [world.ml_a, world.site],
    }
    values.update(data)
    if values.get("parent") == "regional":
        values["parent"] = regional
    if values.get("region") == "84":
        values["region"] = Region.objects.get(code="84")
    if values["parties"] == "ml_b":
        values["parties"] = [world.ml_a, world.ml_b]

    with pytest.raises(ValidationError) as error:
        agreement_create(actor=actor(world, "administrator"), data=AgreementData(**values))

    for field, messages in errors.items():
        assert error.value.message_dict[field][0].startswith(messages[0])
    assert Agreement.objects.count() == 1


def test_a_mission_locale_manager_records_a_local_agreement_their_organisation_signs(world):
    manager = actor(world, "manager_ml")
    data = AgreementData(
        title="Convention locale",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.LOCAL,
        region=world.ml_a.region,
        signed_on=datetime.date(2024, 1, 1),
        starts_on=datetime.date(2024, 1, 1),
        parties=[world.ml_a, world.site],
    )

    assert agreement_create(actor=manager, data=data).created_by == world.user("manager_ml")
    with pytest.raises(ValidationError, match="dont votre organisation est signataire"):
        agreement_create(actor=manager, data=dataclasses.replace(data, parties=[world.ft, world.site]))


def test_a_coordinator_is_told_they_record_their_regions_agreements_only(world):
    data = AgreementData(
        title="Convention lilloise",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.LOCAL,
        region=world.ml_b.region,
        signed_on=datetime.date(2024, 1, 1),
        starts_on=datetime.date(2024, 1, 1),
        parties=[world.ml_b, world.other_site],
    )

    with pytest.raises(ValidationError) as error:
        agreement_create(actor=actor(world, "regional_coordinator"), data=data)

    assert error.value.messages == [
        "Vous pouvez enregistrer les accords régionaux et locaux de votre région uniquement."
    ]
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("role", "level", "region_code", "party_names", "allowed"),
    [
        ("administrator", AgreementLevel.NATIONAL, None, [], True),
        ("national_committee", AgreementLevel.LOCAL, "32", ["ml_b", "other_site"], True),
        ("regional_coordinator", AgreementLevel.REGIONAL, "84", [], True),
        ("regional_coordinator", AgreementLevel.LOCAL, "32", ["ml_b", "other_site"], False),
        ("regional_coordinator", AgreementLevel.NATIONAL, None, [], False),
        ("manager_ml", AgreementLevel.LOCAL, "84", ["ml_a", "site"], True),
        ("manager_e2c", AgreementLevel.LOCAL, "84", ["ml_a", "site"], True),  # the school's site signs
        ("manager_ml", AgreementLevel.REGIONAL, "84", ["ml_a", "site"], False),
        ("manager_ml", AgreementLevel.LOCAL, "84", ["ft", "site"], False),
        ("adviser_ml", AgreementLevel.LOCAL, "84", ["ml_a", "site"], False),
        ("e2c_staff", AgreementLevel.LOCAL, "84", ["ml_a", "site"], False),
    ],
)
def test_who_may_edit_which_agreement(world, role, level, region_code, party_names, allowed):
    reach = AgreementReach(
        level=level,
        region_id=region_code,
        party_ids=frozenset(getattr(world, name).pk for name in party_names),
    )

    assert can_edit_agreement(actor(world, role), reach) is allowed


def test_a_coordinator_of_another_region_may_not_edit_an_agreement(client, world):
    agreement = make_agreement(world, region=world.ml_b.region, parties=[world.ml_b, world.other_site])
    client.force_login(world.user("regional_coordinator"))

    for name in ("partners:agreement_update", "partners:amendment_create"):
        url = reverse(name, kwargs={"public_id": agreement.public_id})
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    with pytest.raises(PermissionDenied):
        amendment_create(
            actor=actor(world, "regional_coordinator"), agreement=agreement, signed_on=TODAY(), summary="Avenant"
        )


@pytest.mark.parametrize("role", ["regional_coordinator", "manager_ml", "manager_e2c"])
def test_only_the_national_committee_and_administrators_edit_a_national_agreement(client, world, role):
    national = make_agreement(world, level=AgreementLevel.NATIONAL, parties=[world.national])
    url = reverse("partners:agreement_update", kwargs={"public_id": national.public_id})
    client.force_login(world.user(role))

    assert client.get(url).status_code == 403
    client.force_login(world.user("national_committee"))
    assert client.get(url).status_code == 200


def test_a_manager_may_not_take_their_organisation_off_a_local_agreement(world):
    agreement = make_agreement(world)

    with pytest.raises(ValidationError, match="dont votre organisation est signataire"):
        agreement_update(
            actor=actor(world, "manager_ml"),
            agreement=agreement,
            data=AgreementData(
                title=agreement.title,
                framework=agreement.framework,
                level=agreement.level,
                region=agreement.region,
                parties=[world.ft, world.site],
                signed_on=agreement.signed_on,
                starts_on=agreement.starts_on,
            ),
        )
    assert set(agreement.parties.all()) == {world.ml_a, world.site}


def test_editing_an_agreement_replaces_its_pdf_and_deletes_the_old_file_once_committed(
    client, world, settings, django_capture_on_commit_callbacks
):
    agreement = make_agreement(world)
    agreement.signed_document.save("ancien.pdf", ContentFile(b"%PDF-old"), save=True)
    old_name = agreement.signed_document.name
    client.force_login(world.user("manager_ml"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:agreement_update", kwargs={"public_id": agreement.public_id}),
            form_data(
                world,
                title="Déclinaison locale Lyon — Vénissieux (corrigée)",
                level=AgreementLevel.LOCAL,
                parties=[str(world.ml_a.public_id), str(world.site.public_id)],
                signed_document=pdf(),
            ),
        )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title.endswith("(corrigée)")
    assert agreement.signed_document.name != old_name
    assert [p.read_bytes() for p in stored_files(settings)] == [PDF]


def test_a_national_agreement_with_versions_stays_national(world):
    national = make_agreement(world, level=AgreementLevel.NATIONAL, parties=[world.national])
    make_agreement(world, level=AgreementLevel.REGIONAL, parent=national, parties=[world.arml, world.regional])

    with pytest.raises(ValidationError, match="il reste national"):
        agreement_update(
            actor=actor(world, "administrator"),
            agreement=national,
            data=AgreementData(
                title=national.title,
                framework=national.framework,
                level=AgreementLevel.REGIONAL,
                region=world.ml_a.region,
                parties=[world.arml, world.regional],
                signed_on=national.signed_on,
                starts_on=national.starts_on,
            ),
        )


# --- Amendments ------------------------------------------------------------------------------


def test_an_amendment_extends_the_current_end_and_moves_the_review_meeting(world):
    agreement = make_agreement(world)
    assert agreement.current_end == datetime.date(2027, 1, 14)
    assert agreement.review_meeting_due_on == datetime.date(2026, 7, 14)

    first = amendment_create(
        actor=actor(world, "manager_ml"),
        agreement=agreement,
        signed_on=datetime.date(2024, 6, 1),
        summary="Ajout des immersions de conseillers",
    )
    second = amendment_create(
        actor=actor(world, "regional_coordinator"),
        agreement=agreement,
        signed_on=datetime.date(2024, 9, 1),
        summary="Renouvellement pour trois ans",
        new_end_on=datetime.date(2030, 1, 14),
    )

    agreement = Agreement.objects.get(pk=agreement.pk)
    assert (first.number, second.number) == (1, 2)
    assert agreement.current_end == datetime.date(2030, 1, 14)
    assert agreement.review_meeting_due_on == datetime.date(2029, 7, 14)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"new_end_on": datetime.date(2027, 1, 14)},
            "new_end_on",
            "doit suivre la fin actuelle de l'accord (14/01/2027)",
        ),
        ({"signed_on": datetime.date(2023, 1, 1)}, "signed_on", "ne peut pas être signé avant l'accord"),
        ({"summary": "  "}, "summary", "Indiquez l'objet de l'avenant."),
        ({"new_end_on": datetime.date(9999, 12, 31)}, "new_end_on", "La nouvelle date de fin ne peut pas dépasser le "),
    ],
)
def test_an_amendment_is_checked_in_french(world, fields, field, message):
    agreement = make_agreement(world)
    values = {"signed_on": datetime.date(2024, 6, 1), "summary": "Avenant"} | fields

    with pytest.raises(ValidationError) as error:
        amendment_create(actor=actor(world, "administrator"), agreement=agreement, **values)

    assert message in error.value.message_dict[field][0]
    assert not Amendment.objects.exists()


def test_an_amendment_with_a_non_pdf_is_refused_and_nothing_is_written(client, world, settings):
    agreement = make_agreement(world)
    client.force_login(world.user("manager_e2c"))

    response = client.post(
        reverse("partners:amendment_create", kwargs={"public_id": agreement.public_id}),
        {"summary": "Prolongation", "signed_on": "2024-06-01", "signed_document": pdf(content=b"PK\x03\x04 zip")},
    )

    assert "Le fichier n'est pas un PDF." in text(response)
    assert not Amendment.objects.exists()
    assert stored_files(settings) == []


def test_an_amendment_ending_in_year_9999_is_a_form_error_and_the_pages_still_render(client, world):
    agreement = make_agreement(world)
    client.force_login(world.user("manager_ml"))

    response = client.post(
        reverse("partners:amendment_create", kwargs={"public_id": agreement.public_id}),
        {"summary": "Prolongation", "signed_on": "2024-06-01", "new_end_on": "9999-12-31"},
    )

    assert response.status_code == 200
    assert "La nouvelle date de fin ne peut pas dépasser le " in text(response)
    assert not Amendment.objects.exists()
    assert (
        client.get(reverse("partners:agreement_detail", kwargs={"public_id": agreement.public_id})).status_code == 200
    )


def test_an_amendment_is_added_through_the_page_with_the_next_number(client, world, settings):
    agreement = make_agreement(world)
    Amendment.objects.create(agreement=agreement, number=1, signed_on=datetime.date(2024, 2, 1), summary="Premier")
    client.force_login(world.user("manager_ml"))

    response = client.post(
        reverse("partners:amendment_create", kwargs={"public_id": agreement.public_id}),
        {
            "summary": "Prolongation",
            "signed_on": "2024-06-01",
            "new_end_on": "2028-01-14",
            "signed_document": pdf("avenant.pdf"),
        },
    )

    assert response.status_code == 302
    amendment = Amendment.objects.get(number=2)
    assert amendment.created_by == world.user("manager_ml")
    assert amendment.signed_document.read() == PDF


# --- Reading and downloading -----------------------------------------------------------------


def test_the_detail_shows_parties_amendments_review_meeting_and_download(client, world):
    agreement = make_agreement(world)
    agreement.signed_document.save("a.pdf", ContentFile(PDF), save=True)
    Amendment.objects.create(
        agreement=agreement,
        number=1,
        signed_on=datetime.date(2024, 6, 1),
        summary="Ajout des séances à quatre mains",
        new_end_on=datetime.date(2028, 1, 14),
    )
    client.force_login(world.user("adviser_ft"))

    page = text(client.get(reverse("partners:agreement_detail", kwargs={"public_id": agreement.public_id})))

    assert reverse("partners:organisation_detail", kwargs={"public_id": world.ml_a.public_id}) in page
    assert reverse("partners:organisation_detail", kwargs={"public_id": world.site.public_id}) in page
    assert "Avenant n° 1" in page
    assert "Ajout des séances à quatre mains" in page
    assert "14 juillet 2027" in page  # review meeting: 6 months before the extended end
    assert reverse("partners:agreement_document", kwargs={"public_id": agreement.public_id}) in page
    assert "Modifier" not in page  # an adviser reads only


def test_a_france_travail_agency_that_signed_in_2022_is_shown_as_pole_emploi(client, world):
    signed_2022 = make_agreement(world, starts_on=datetime.date(2022, 3, 1), parties=[world.ft, world.site])
    signed_2024 = make_agreement(world, title="Nouvelle convention", parties=[world.ft, world.site])
    client.force_login(world.user("adviser_ml"))  # not the agency's adviser: the header names their agency

    before = text(client.get(reverse("partners:agreement_detail", kwargs={"public_id": signed_2022.public_id})))
    after = text(client.get(reverse("partners:agreement_detail", kwargs={"public_id": signed_2024.public_id})))

    assert "Pôle emploi Lyon Part-Dieu" in before
    assert "France Travail Lyon Part-Dieu" not in before
    assert "France Travail Lyon Part-Dieu" in after


def test_the_name_on_filter_gives_the_name_in_force_on_a_date_and_todays_without_one(world):
    from partners.templatetags.partners_tags import name_on

    assert name_on(world.ft, datetime.date(2023, 12, 31)) == "Pôle emploi Lyon Part-Dieu"
    assert name_on(world.ft, datetime.date(2024, 1, 1)) == "France Travail Lyon Part-Dieu"
    assert name_on(world.ft, None) == "France Travail Lyon Part-Dieu"
    assert name_on(world.ml_a, datetime.date(2020, 1, 1)) == world.ml_a.name


def test_the_download_streams_the_stored_bytes_under_a_clean_name(client, world):
    agreement = make_agreement(world)
    agreement.signed_document.save("Convention Mme Dupont.pdf", ContentFile(PDF), save=True)
    client.force_login(world.user("adviser_ml"))

    response = client.get(reverse("partners:agreement_document", kwargs={"public_id": agreement.public_id}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="accord-{agreement.public_id}.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_the_amendment_download_has_its_own_clean_name(client, world):
    agreement = make_agreement(world)
    amendment = Amendment(agreement=agreement, number=3, signed_on=datetime.date(2024, 6, 1), summary="Avenant")
    amendment.signed_document.save("x.pdf", ContentFile(PDF), save=True)
    client.force_login(world.user("e2c_staff"))

    response = client.get(
        reverse(
            "partners:amendment_document",
            kwargs={"public_id": agreement.public_id, "amendment_id": amendment.public_id},
        )
    )

    assert response["Content-Disposition"] == f'attachment; filename="accord-{agreement.public_id}-avenant-3.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_the_download_is_refused_to_whom_may_not_see_agreements(client, world):
    agreement = make_agreement(world)
    agreement.signed_document.save("a.pdf", ContentFile(PDF), save=True)
    url = reverse("partners:agreement_document", kwargs={"public_id": agreement.public_id})

    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(world.user("no_membership"))
    assert client.get(url).status_code == 404


def test_missing_documents_and_foreign_amendments_are_not_found(client, world):
    agreement = make_agreement(world)
    other = make_agreement(world, title="Autre accord")
    foreign = Amendment(agreement=other, number=1, signed_on=datetime.date(2024, 6, 1), summary="Avenant")
    foreign.signed_document.save("x.pdf", ContentFile(PDF), save=True)
    client.force_login(world.user("administrator"))

    assert (
        client.get(reverse("partners:agreement_document", kwargs={"public_id": agreement.public_id})).status_code == 404
    )
    url = reverse(
        "partners:amendment_document", kwargs={"public_id": agreement.public_id, "amendment_id": foreign.public_id}
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/accords/{UNKNOWN[0]}/",
        "/accords/pas-un-uuid/",
        f"/accords/{UNKNOWN[1]}/modifier/",
        f"/accords/{UNKNOWN[2]}/document/",
        f"/accords/{UNKNOWN[3]}/avenants/nouveau/",
        f"/accords/{UNKNOWN[4]}/avenants/{UNKNOWN[5]}/document/",
        f"/diagnostics/{UNKNOWN[6]}/modifier/",
        "/diagnostics/123/modifier/",
    ],
)
def test_unknown_or_malformed_ids_are_not_found(client, world, url):
    client.force_login(world.user("administrator"))

    assert client.get(url).status_code == 404


def test_the_list_filters_and_shows_what_is_in_force_and_which_review_is_due(client, world):
    today = TODAY()
    make_agreement(world, title="Accord bientôt en revue", starts_on=today - relativedelta(years=2, months=4))
    make_agreement(world, title="Accord tout neuf", starts_on=today - relativedelta(days=10))
    make_agreement(world, title="Accord terminé", starts_on=today - relativedelta(years=5))
    make_agreement(world, title="Accord national", level=AgreementLevel.NATIONAL, parties=[world.national])
    client.force_login(world.user("adviser_ml"))

    page = text(client.get(reverse("partners:agreements"), {"niveau": "local", "region": "84"}))

    assert "Accord national" not in page
    rows = {
        title: page.split(title, 1)[1].split("</tr>", 1)[0] for title in ("bientôt en revue", "tout neuf", "terminé")
    }
    assert "En vigueur" in rows["bientôt en revue"] and "Revue à préparer" in rows["bientôt en revue"]
    assert "En vigueur" in rows["tout neuf"] and "Revue" not in rows["tout neuf"]
    assert "Terminé" in rows["terminé"] and "Revue" not in rows["terminé"]


def test_unknown_filter_values_are_ignored(client, world):
    make_agreement(world)
    client.force_login(world.user("adviser_ml"))

    response = client.get(reverse("partners:agreements"), {"niveau": "'; drop", "cadre": "x", "apres": "garbage"})

    assert response.status_code == 200
    assert "Déclinaison locale Lyon" in text(response)


def test_the_agreements_list_costs_the_same_queries_for_3_and_30_rows(client, world, django_assert_num_queries):
    client.force_login(world.user("adviser_ml"))

    def add(count):
        for _ in range(count):
            agreement = make_agreement(world, title=f"Accord {uuid.uuid4()}")
            Amendment.objects.create(agreement=agreement, number=1, signed_on=datetime.date(2024, 6, 1), summary="A")

    add(3)
    with django_assert_num_queries(5):
        assert len(client.get(reverse("partners:agreements")).context["page"].items) == 3
    add(27)
    with django_assert_num_queries(5):
        assert len(client.get(reverse("partners:agreements")).context["page"].items) == 30


def test_the_agreements_list_pages_by_fifty(client, world):
    for index in range(51):
        make_agreement(world, title=f"Accord {index:02d}")
    client.force_login(world.user("adviser_ml"))

    first = client.get(reverse("partners:agreements"))
    second = client.get(reverse("partners:agreements"), {"apres": first.context["page"].next_cursor})

    assert len(first.context["page"].items) == 50
    assert [a.title for a in second.context["page"].items] == ["Accord 50"]


# --- Territorial diagnostics -----------------------------------------------------------------


def diagnostic(world, *, ml=None, site=None, assessed_on=datetime.date(2024, 3, 1), **fields):
    return TerritorialDiagnostic.objects.create(
        mission_locale=ml or world.ml_a,
        e2c_site=site or world.site,
        collaboration=fields.pop("collaboration", CollaborationLevel.REGULAR),
        assessed_on=assessed_on,
        **fields,
    )


def test_a_mission_locale_manager_records_a_diagnostic_with_a_site_of_their_region(client, world):
    client.force_login(world.user("manager_ml"))
    url = reverse("partners:diagnostic_create")

    form_page = text(client.get(url))
    response = client.post(
        url,
        {
            "mission_locale": str(world.ml_a.public_id),
            "e2c_site": str(world.site.public_id),
            "collaboration": CollaborationLevel.OCCASIONAL,
            "assessed_on": "2024-03-01",
            "notes": "Informations collectives communes à relancer.",
        },
    )

    assert "E2C Grand Lille" not in form_page  # another région
    assert response.status_code == 302
    recorded = TerritorialDiagnostic.objects.get()
    assert recorded.author == world.user("manager_ml")
    assert recorded.collaboration == CollaborationLevel.OCCASIONAL


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"mission_locale": "ft"}, "mission_locale", "n'est pas une Mission Locale."),
        ({"e2c_site": "school"}, "e2c_site", "n'est pas un site E2C."),
        ({"assessed_on": "tomorrow"}, "assessed_on", "La date du diagnostic ne peut pas être dans le futur."),
        ({"assessed_on": "taken"}, "assessed_on", "Un diagnostic de ce binôme existe déjà à la date du 01/03/2024."),
        ({"assessed_on": "ancient"}, "assessed_on", "La date du diagnostic ne peut pas précéder le 01/01/1990."),
    ],
)
def test_a_diagnostic_is_checked_in_french(world, fields, field, message):
    diagnostic(world)
    values = {
        "mission_locale": world.ml_a,
        "e2c_site": world.site,
        "collaboration": CollaborationLevel.NONE,
        "assessed_on": datetime.date(2024, 4, 1),
    }
    named = {
        "ft": world.ft,
        "school": world.school,
        "tomorrow": TODAY() + datetime.timedelta(days=1),
        "taken": datetime.date(2024, 3, 1),
        "ancient": datetime.date(1, 1, 1),
    }
    values.update({key: named[value] for key, value in fields.items()})

    with pytest.raises(ValidationError) as error:
        diagnostic_create(actor=actor(world, "administrator"), **values)

    assert message in error.value.message_dict[field][0]
    assert TerritorialDiagnostic.objects.count() == 1


@pytest.mark.parametrize("role", ["adviser_ml", "adviser_ft", "e2c_staff", "no_membership"])
def test_roles_without_agreement_rights_may_not_record_a_diagnostic(client, world, role):
    client.force_login(world.user(role))

    assert client.get(reverse("partners:diagnostic_create")).status_code == 403
    assert client.post(reverse("partners:diagnostic_create"), {}).status_code == 403


@pytest.mark.parametrize("role", ["manager_ml", "manager_e2c", "regional_coordinator"])
def test_managers_and_coordinators_may_not_edit_another_regions_diagnostic(client, world, role):
    lille = diagnostic(world, ml=world.ml_b, site=world.other_site)
    client.force_login(world.user(role))
    url = reverse("partners:diagnostic_update", kwargs={"public_id": lille.public_id})

    assert client.get(url).status_code == 403
    assert client.post(url, {"collaboration": "none", "assessed_on": "2024-03-01"}).status_code == 403
    with pytest.raises(PermissionDenied):
        diagnostic_update(
            actor=actor(world, role), diagnostic=lille, collaboration="none", assessed_on=lille.assessed_on
        )


def test_a_pair_out_of_the_managers_reach_is_forbidden_by_the_service(client, world, monkeypatch):
    # The form offers only pairs the manager may record; should it ever offer more, the service's
    # PermissionDenied answers 403 (no second check in the view turning it into a form error).
    everything = (
        Organisation.objects.filter(kind=OrganisationKind.MISSION_LOCALE),
        Organisation.objects.filter(kind=OrganisationKind.E2C_SITE),
    )
    monkeypatch.setattr("partners.views.agreements.diagnostic_pair_candidates", lambda actor: everything)
    client.force_login(world.user("manager_ml"))

    response = client.post(
        reverse("partners:diagnostic_create"),
        {
            "mission_locale": str(world.ml_b.public_id),
            "e2c_site": str(world.other_site.public_id),
            "collaboration": CollaborationLevel.NONE,
            "assessed_on": "2024-03-01",
        },
    )

    assert response.status_code == 403
    assert not TerritorialDiagnostic.objects.exists()


@pytest.mark.parametrize("module", ["partners.views.agreements", "partners.views.correspondents"])
def test_views_show_service_errors_through_the_one_shared_helper(module):
    import importlib

    from common.forms import attach_errors

    views = importlib.import_module(module)

    assert views.attach_errors is attach_errors
    assert not hasattr(views, "_attach_errors")


def test_the_regions_coordinator_updates_a_diagnostic_and_the_pair_stays(client, world):
    recorded = diagnostic(world, author=world.user("manager_ml"))
    client.force_login(world.user("regional_coordinator"))

    response = client.post(
        reverse("partners:diagnostic_update", kwargs={"public_id": recorded.public_id}),
        {
            "mission_locale": str(world.ml_b.public_id),
            "collaboration": CollaborationLevel.FORMALISED,
            "assessed_on": "2024-03-01",
            "notes": "Déclinaison signée.",
        },
    )

    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.collaboration == CollaborationLevel.FORMALISED
    assert recorded.mission_locale == world.ml_a
    assert recorded.author == world.user("manager_ml")


def test_an_empty_diagnostic_form_is_answered_with_errors(client, world):
    client.force_login(world.user("national_committee"))

    response = client.post(reverse("partners:diagnostic_create"), {"assessed_on": "pas une date"})

    assert response.status_code == 200
    assert "Saisissez une date valide." in text(response)
    assert not TerritorialDiagnostic.objects.exists()


def test_the_diagnostics_list_filters_by_region_and_departement(client, world):
    diagnostic(world, notes="Lyon")
    diagnostic(world, ml=world.ml_b, site=world.other_site, notes="Lille")
    ain = OrganisationFactory(
        name="Mission Locale de Bourg-en-Bresse",
        kind=OrganisationKind.MISSION_LOCALE,
        departement_id="01",
        region=world.site.region,
    )
    diagnostic(world, ml=ain, notes="Bourg")
    client.force_login(world.user("adviser_ft"))
    url = reverse("partners:diagnostics")

    by_region = text(client.get(url, {"region": "84"}))
    by_departement = text(client.get(url, {"departement": "01"}))

    assert "Mission Locale de Lyon" in by_region and "Bourg-en-Bresse" in by_region
    assert "Mission Locale de Lille" not in by_region
    assert "Bourg-en-Bresse" in by_departement and "Mission Locale de Lyon" not in by_departement
    assert "Modifier" not in by_region  # an adviser reads only


def test_the_diagnostics_list_costs_the_same_queries_for_3_and_30_rows(client, world, django_assert_num_queries):
    client.force_login(world.user("manager_ml"))

    def add(count):
        for index in range(count):
            diagnostic(world, assessed_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=len(added) + index))
        added.extend(range(count))

    added: list[int] = []
    add(3)
    with django_assert_num_queries(5):
        assert text(client.get(reverse("partners:diagnostics"))).count("Modifier<span") == 3
    add(27)
    with django_assert_num_queries(5):
        assert text(client.get(reverse("partners:diagnostics"))).count("Modifier<span") == 30
