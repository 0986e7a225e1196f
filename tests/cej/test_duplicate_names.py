"""The duplicate check sees what the search sees: one normalisation of names (texthygiene.names).

Each pair is the same person typed two ways. The search has always found one from the other; the
duplicate check must warn too — at the new-file form, in the service called directly, at import, and
across organisations (an open referral elsewhere).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cej.models import YoungPerson
from cej.selectors.young_people import search_young_people
from cej.services.imports import young_people_import_create
from cej.services.young_people import DuplicateSuspected, YoungPersonData, find_duplicates, young_person_create
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Referral
from e2c_referrals.selectors.referrals import open_referrals_elsewhere
from partners.access import Actor
from partners.enums import Role
from tests.cej.factories import YoungPersonFactory
from tests.cej.test_imports import HEADER, csv_file
from tests.partners.factories import MembershipFactory
from tests.world import build_world
from texthygiene.names import duplicate_key, name_key

pytestmark = pytest.mark.django_db

# (name on the existing file, name typed now), as « last name », « first name ».
SAME_PEOPLE = [
    (("Lefevre Oeuvray", "Lea"), ("Lefèvre-Œuvray", "Léa")),
    (("N Diaye", "Awa"), ("N'Diaye", "Awa")),
    (("N Diaye", "Awa"), ("N’Diaye", "Awa")),
    (("NDiaye", "Awa"), ("N’Diaye", "Awa")),
    (("De La Tour-d'Auvergne", "Henri"), ("de la Tour d Auvergne", "Henri")),
    # Typed before the forms refused invisible characters (or pasted into the admin): still found.
    (("Mar\u200btin", "Jean-Baptiste"), ("Martin", "Jean Baptiste")),
    (("Strauß", "Æsa"), ("STRAUSS", "aesa")),
]
IDS = [f"{existing[0]}~{typed[0]}".replace("\u200b", "<U+200B>") for existing, typed in SAME_PEOPLE]


def birth_date() -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - 19, day=1)


@pytest.fixture
def world():
    return build_world()


def adviser(world) -> Actor:
    return Actor(user=world.users["adviser_ml"], membership=world.memberships["adviser_ml"])


@pytest.mark.parametrize(("existing", "typed"), SAME_PEOPLE, ids=IDS)
def test_the_new_file_form_warns_of_the_same_person_typed_another_way(client, world, existing, typed):
    file = YoungPersonFactory(
        organisation=world.ml_a, last_name=existing[0], first_name=existing[1], birth_date=birth_date()
    )
    client.force_login(world.user("adviser_ml"))

    warned = client.post(
        reverse("cej:young_person_create"),
        {
            "last_name": typed[0],
            "first_name": typed[1],
            "birth_date": birth_date().isoformat(),
            "qualification_level": "infra_3",
            "departement": "69",
        },
    )

    assert warned.status_code == 200
    assert warned.context["duplicates"] == [file]
    assert YoungPerson.objects.count() == 1


@pytest.mark.parametrize(("existing", "typed"), SAME_PEOPLE, ids=IDS)
def test_the_service_refuses_a_second_file_for_the_same_person_typed_another_way(world, existing, typed):
    file = YoungPersonFactory(
        organisation=world.ml_a, last_name=existing[0], first_name=existing[1], birth_date=birth_date()
    )

    with pytest.raises(DuplicateSuspected) as suspected:
        young_person_create(
            actor=adviser(world),
            data=YoungPersonData(last_name=typed[0], first_name=typed[1], birth_date=birth_date()),
        )

    assert suspected.value.matches == [file]
    assert find_duplicates(actor=adviser(world), last_name=typed[0], first_name=typed[1], birth_date=birth_date()) == [
        file
    ]


@pytest.mark.parametrize(("existing", "typed"), SAME_PEOPLE, ids=IDS)
def test_an_import_line_for_the_same_person_typed_another_way_is_a_possible_duplicate(world, existing, typed):
    YoungPersonFactory(organisation=world.ml_a, last_name=existing[0], first_name=existing[1], birth_date=birth_date())
    row = dict.fromkeys(HEADER, "")
    row |= {
        "numero_imilo": "10000042",
        "nom": typed[0],
        "prenom": typed[1],
        "date_naissance": birth_date().strftime("%d/%m/%Y"),
        "departement": "69",
    }

    young_people_import = young_people_import_create(
        actor=adviser(world), filename="export.csv", content=csv_file([list(row.values())])
    )

    assert young_people_import.errors == []
    assert len(young_people_import.rows[0]["warnings"]) == 1
    assert "au même nom et à la même date de naissance" in young_people_import.rows[0]["warnings"][0]


@pytest.mark.parametrize(("existing", "typed"), SAME_PEOPLE, ids=IDS)
def test_the_search_finds_the_same_person_typed_another_way(world, existing, typed):
    file = YoungPersonFactory(organisation=world.ml_a, last_name=existing[0], first_name=existing[1])
    YoungPersonFactory(organisation=world.ml_a, last_name="Dupont", first_name="Paul")

    results = search_young_people(actor=adviser(world), query=f"{typed[0]} {typed[1]}")

    assert results[:1] == [file]


def test_the_search_column_and_the_python_rule_agree(world):
    file = YoungPersonFactory(organisation=world.ml_a, last_name="Lefèvre-Œuvray d’Ar\u200bc", first_name="Zoë")
    file.refresh_from_db()

    assert file.search_name == name_key("Lefèvre-Œuvray d’Ar\u200bc Zoë") == "lefevre oeuvray d arc zoe"


def test_an_open_referral_elsewhere_is_reported_for_the_same_person_typed_another_way(world):
    other = YoungPersonFactory(organisation=world.ml_b, last_name="N Diaye", first_name="Awa", birth_date=birth_date())
    Referral.objects.create(
        young_person=other,
        referring_organisation=world.ml_b,
        referring_adviser=MembershipFactory(organisation=world.ml_b, role=Role.ADVISER).user,
        e2c_site=world.other_site,
        diagnostic="Projet à consolider.",
        motivation="Veut reprendre un rythme.",
        status=ReferralStatus.SENT,
        sent_at=timezone.now(),
    )

    sentences = open_referrals_elsewhere("N’Diaye", "Awa", birth_date(), world.ml_a.pk)

    assert len(sentences) == 1


def test_the_duplicate_key_ignores_separators_the_search_key_keeps_the_words():
    assert name_key("N’Diaye") == name_key("N Diaye") == "n diaye"
    assert duplicate_key("N’Diaye") == duplicate_key("NDiaye") == duplicate_key("n-diaye") == "ndiaye"
    assert name_key("De La Tour-d'Auvergne") == "de la tour d auvergne"
    assert name_key("  Lefèvre\u00a0--\u00a0Œuvray  ") == "lefevre oeuvray"
