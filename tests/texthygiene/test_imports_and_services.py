"""The imports and the services that take text directly apply the forms' text hygiene: a line with
a control or invisible character is refused with its number, a name without a letter too."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cej.models import YoungPerson
from cej.services.imports import young_people_import_create
from cej.services.young_people import YoungPersonData, young_person_create
from partners.access import Actor
from partners.models import DirectoryImport
from partners.services.organisations import OrganisationData, organisation_create
from tests.cej import test_imports as cej_imports
from tests.partners import test_imports as directory_imports
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def adviser(world) -> Actor:
    return Actor(user=world.users["adviser_ml"], membership=world.memberships["adviser_ml"])


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("nom", "Dupont\u202eftp.exe", "U+202E"),
        ("prenom", "Lé\u200ba", "U+200B"),
        ("commune", "Lyon\tVilleurbanne", "U+0009"),
        ("adresse", "12 rue\nde la Paix", "U+000A"),
    ],
)
def test_a_young_people_import_line_with_a_control_or_invisible_character_is_refused_with_its_number(
    world, column, value, shown
):
    row = cej_imports.with_cells(cej_imports.LEO, **{column: value})

    young_people_import = young_people_import_create(
        actor=adviser(world), filename="export.csv", content=cej_imports.csv_file([cej_imports.ELOISE, row])
    )

    texts = [error["text"] for error in young_people_import.errors]
    assert len(texts) == 1
    assert texts[0].startswith(f"Ligne 3, colonne {column} : ce champ contient un caractère invisible ou de contrôle")
    assert shown in texts[0]
    assert value not in str(young_people_import.rows)  # the preview keeps no refused character
    assert not YoungPerson.objects.exists()


def test_a_young_people_import_line_with_a_name_made_of_accents_is_refused(world):
    row = cej_imports.with_cells(cej_imports.LEO, nom="\u0301\u0300")

    young_people_import = young_people_import_create(
        actor=adviser(world), filename="export.csv", content=cej_imports.csv_file([row])
    )

    assert [error["text"] for error in young_people_import.errors] == [
        "Ligne 2, colonne nom : le nom doit contenir au moins une lettre."
    ]


def test_a_directory_import_line_with_a_right_to_left_override_is_refused_with_its_number():
    row = list(directory_imports.GOOD_ROWS[5])
    row[1] = "Agence France Travail \u202efdp.exe"

    directory_import = directory_imports.preview(
        directory_imports.administrator(), directory_imports.csv_file([directory_imports.GOOD_ROWS[1], row])
    )

    assert [error["text"] for error in directory_import.errors] == [
        "Ligne 3, colonne nom : ce champ contient un caractère invisible ou de contrôle "
        "(U+202E, forçage droite-à-gauche) : retirez-le."
    ]
    assert DirectoryImport.objects.get().errors


def test_the_young_person_service_called_directly_refuses_invisible_characters_and_names_without_letters(world):
    today = timezone.localdate()
    born = today.replace(year=today.year - 19, day=1)

    with pytest.raises(ValidationError) as refused:
        young_person_create(
            actor=adviser(world),
            data=YoungPersonData(last_name="Du\u202epont", first_name="\u0301", birth_date=born, commune="Lyon\n"),
        )

    assert refused.value.message_dict == {
        "last_name": [
            "Ce champ contient un caractère invisible ou de contrôle (U+202E, forçage droite-à-gauche) : retirez-le."
        ],
        "first_name": ["Le prénom doit contenir au moins une lettre."],
    }
    created = young_person_create(
        actor=adviser(world), data=YoungPersonData(last_name=" Le\u0301a ", first_name="Zoé", birth_date=born)
    )
    assert created.last_name == "Léa"  # NFC, stripped


def test_the_organisation_service_called_directly_refuses_a_name_without_letters(world):
    administrator = Actor(user=world.users["administrator"], membership=world.memberships["administrator"])

    with pytest.raises(ValidationError) as refused:
        organisation_create(actor=administrator, data=OrganisationData(name="---", kind="mission_locale"))

    assert refused.value.message_dict["name"] == ["Le nom doit contenir au moins une lettre."]


def test_the_directory_search_refuses_invisible_characters_in_french(client, world):
    client.force_login(world.user("adviser_ml"))

    response = client.get(reverse("partners:directory"), {"q": "Lyon\u200b"})

    assert response.status_code == 200
    assert "Ce champ contient un caractère invisible ou de contrôle (U+200B" in response.content.decode()


def test_the_young_people_form_refuses_a_name_made_only_of_accents(client, world):
    client.force_login(world.user("adviser_ml"))
    born = datetime.date.today().replace(year=datetime.date.today().year - 19, day=1)

    response = client.post(
        reverse("cej:young_person_create"),
        {"last_name": "\u0301\u0301", "first_name": "Zoé", "birth_date": born.isoformat(), "departement": "69",
         "qualification_level": "infra_3"},
    )  # fmt: skip

    assert response.context["form"].errors["last_name"] == ["Le nom doit contenir au moins une lettre."]
    assert not YoungPerson.objects.exists()
