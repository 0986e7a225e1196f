"""An adviser opens, finds and updates young people's files; the rules are explained in French."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cej.models import YoungPerson, YoungPersonEvent
from tests.cej.factories import YoungPersonFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def form(**overrides):
    data = {
        "last_name": "N'Diaye-Lefèvre",
        "first_name": "Éloïse",
        "birth_date": years_ago(19).isoformat(),
        "qualification_level": "infra_3",
        "phone": "06 12 34 56 78",
        "email": "eloise@exemple.fr",
        "departement": "69",
        "postcode": "69003",
        "commune": "Lyon",
    }
    return data | overrides


def search(client, query):
    """The search form posted, its redirect to the results page followed."""
    return client.post(reverse("cej:young_people"), {"q": query}, follow=True)


@pytest.fixture
def adviser(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    return world


def test_an_adviser_opens_a_file_kept_as_typed_with_the_phone_in_e164(client, adviser):
    response = client.post(reverse("cej:young_person_create"), form())

    young_person = YoungPerson.objects.get()
    assert response.status_code == 302
    assert (young_person.last_name, young_person.first_name) == ("N'Diaye-Lefèvre", "Éloïse")
    assert young_person.phone == "+33612345678"
    assert young_person.organisation == adviser.ml_a
    assert young_person.referent == adviser.user("adviser_ml")
    assert young_person.departement_id == "69"
    assert YoungPersonEvent.objects.get().action == "Dossier ouvert"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_date": years_ago(15).isoformat()}, "birth_date", "un dossier s'ouvre à partir de 16 ans"),
        ({"birth_date": years_ago(26, days=1).isoformat()}, "birth_date", "jusqu'à 25 ans révolus"),
        ({"birth_date": "2999-01-01"}, "birth_date", "dans le futur"),
        ({"birth_date": "31/02/2007"}, "birth_date", "Saisissez une date valide"),
        ({"phone": "12 34"}, "phone", "Numéro de téléphone invalide"),
        ({"email": "eloise@"}, "email", "Adresse e-mail invalide"),
        ({"imilo_number": "185057800608436"}, "imilo_number", "numéro de sécurité sociale"),
        ({"last_class": "3e NIR 1 85 05 78 006 084 36"}, "last_class", "numéro de sécurité sociale"),
        ({"commune": "Lyon 185057800608436"}, "commune", "numéro de sécurité sociale"),
        ({"departement": "99"}, "departement", "Sélectionnez un choix valide"),
        ({"left_school_on": years_ago(20).isoformat()}, "left_school_on", "précède la date de naissance"),
    ],
)
def test_bad_input_is_explained_in_french_and_writes_nothing(client, adviser, overrides, field, message):
    response = client.post(reverse("cej:young_person_create"), form(**overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not YoungPerson.objects.exists()


def test_an_rqth_extends_the_age_limit_to_29(client, adviser):
    refused = client.post(reverse("cej:young_person_create"), form(birth_date=years_ago(28).isoformat()))
    assert "29 ans avec une RQTH" in " ".join(refused.context["form"].errors["birth_date"])

    client.post(reverse("cej:young_person_create"), form(birth_date=years_ago(28).isoformat(), has_rqth="on"))
    assert YoungPerson.objects.get().has_rqth


def test_a_duplicate_is_offered_instead_of_a_second_file(client, adviser):
    existing = YoungPersonFactory(
        organisation=adviser.ml_a, last_name="N'DIAYE-LEFEVRE", first_name="eloise", birth_date=years_ago(19)
    )

    warned = client.post(reverse("cej:young_person_create"), form())

    assert warned.status_code == 200
    assert warned.context["duplicates"] == [existing]
    assert reverse("cej:young_person_detail", kwargs={"public_id": existing.public_id}) in warned.content.decode()
    assert YoungPerson.objects.count() == 1

    client.post(reverse("cej:young_person_create"), form(not_a_duplicate="on"))
    assert YoungPerson.objects.count() == 2


def test_the_same_person_in_another_organisation_is_not_reported(client, adviser):
    YoungPersonFactory(
        organisation=adviser.ml_b, last_name="N'Diaye-Lefèvre", first_name="Éloïse", birth_date=years_ago(19)
    )
    client.post(reverse("cej:young_person_create"), form())
    assert YoungPerson.objects.filter(organisation=adviser.ml_a).count() == 1


@pytest.mark.parametrize("query", ["ndiaye lefevre", "N'DIAYE", "Lefevre eloise", "Lefèbvre", "diaye-lefevre"])
def test_search_ignores_accents_case_apostrophes_and_typos(client, adviser, query):
    wanted = YoungPersonFactory(organisation=adviser.ml_a, last_name="N'Diaye-Lefèvre", first_name="Éloïse")
    YoungPersonFactory(organisation=adviser.ml_a, last_name="Martin", first_name="Paul")
    YoungPersonFactory(organisation=adviser.ml_b, last_name="N'Diaye-Lefèvre", first_name="Éloïse")

    results = search(client, query).context["results"]

    assert results[0] == wanted
    assert all(r.organisation_id == adviser.ml_a.pk for r in results)


def test_search_by_birth_date_and_by_identifier(client, adviser):
    born = YoungPersonFactory(organisation=adviser.ml_a, birth_date=datetime.date(2006, 3, 4), imilo_number="4521789")
    YoungPersonFactory(organisation=adviser.ml_a, birth_date=datetime.date(2006, 3, 5))

    assert search(client, "04/03/2006").context["results"] == [born]
    assert search(client, "4521789").context["results"] == [born]
    assert search(client, "31/02/2006").status_code == 200


def test_another_organisations_file_answers_404_and_reading_a_file_is_logged(client, adviser):
    own = YoungPersonFactory(organisation=adviser.ml_a)
    other = YoungPersonFactory(organisation=adviser.ml_b)

    assert client.get(reverse("cej:young_person_detail", kwargs={"public_id": other.public_id})).status_code == 404
    assert client.get(reverse("cej:young_person_detail", kwargs={"public_id": uuid.uuid4()})).status_code == 404
    assert client.get(reverse("cej:young_person_detail", kwargs={"public_id": own.public_id})).status_code == 200

    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.purpose) == (adviser.user("adviser_ml"), own.public_id, "view_file")


def test_the_list_costs_the_same_number_of_queries_for_3_or_60_files(client, adviser, django_assert_num_queries):
    YoungPersonFactory.create_batch(3, organisation=adviser.ml_a)
    # session, user, one page, the access-log row of the page (memberships and the bell: cached at sign-in)
    with django_assert_num_queries(4):
        client.get(reverse("cej:young_people"))
    YoungPersonFactory.create_batch(57, organisation=adviser.ml_a)
    with django_assert_num_queries(4):
        page = client.get(reverse("cej:young_people"))
    assert len(page.context["page"].items) == 50
    with django_assert_num_queries(5):  # + the cursor's row
        client.get(reverse("cej:young_people"), {"apres": page.context["page"].next_cursor})


def test_an_update_records_which_fields_changed(client, adviser):
    young_person = YoungPersonFactory(
        organisation=adviser.ml_a, last_name="Martin", first_name="Léa", birth_date=years_ago(30)
    )  # older than 25 today: an existing file stays editable
    data = form(
        last_name="Martin",
        first_name="Léa",
        birth_date=young_person.birth_date.isoformat(),
        phone="",
        email="",
        departement="",
        postcode="",
        commune="Villeurbanne",
    )

    response = client.post(reverse("cej:young_person_update", kwargs={"public_id": young_person.public_id}), data)
    assert response.status_code == 302, response.context["form"].errors

    young_person.refresh_from_db()
    assert young_person.commune == "Villeurbanne"
    assert YoungPersonEvent.objects.get().changed_fields == ["commune"]


def test_the_file_shows_the_phone_in_french_format(client, adviser):
    young_person = YoungPersonFactory(organisation=adviser.ml_a, phone="+33612345678")
    page = client.get(reverse("cej:young_person_detail", kwargs={"public_id": young_person.public_id}))
    assert "06 12 34 56 78" in page.content.decode()
