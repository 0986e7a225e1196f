"""The "Historique" tab of a file: what changed, old → new, by whom, for which organisation; to its
holders only, logged as a consultation, at a fixed number of queries whatever its length."""

import pghistory
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cej.enums import ConsentMethod, SharedData
from cej.models import CejContract, StructuringStep, YoungPerson
from cej.services.consents import consent_record, consent_revoke
from e2c_referrals.models import Attachment
from e2c_referrals.services.referrals import ReferralData, referral_create
from history.selectors import PAGE_SIZE
from partners.access import Actor
from partners.enums import Role
from scheduling.registry import JOBS, Job
from scheduling.runs import run_job
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import MembershipFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def acting(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


@pytest.fixture
def world(client):
    world = build_world()
    world.adviser = world.user("adviser_ml")
    world.young_person = YoungPersonFactory(organisation=world.ml_a, referent=world.adviser, commune="Lyon")
    client.force_login(world.adviser)
    return world


def history_url(young_person):
    return reverse("history:young_person_history", kwargs={"public_id": young_person.public_id})


def edit_commune(client, young_person, commune):
    young_person.refresh_from_db()
    response = client.post(
        reverse("cej:young_person_update", kwargs={"public_id": young_person.public_id}),
        {
            "last_name": young_person.last_name,
            "first_name": young_person.first_name,
            "birth_date": young_person.birth_date.isoformat(),
            "qualification_level": young_person.qualification_level,
            "departement": "69",
            "postcode": "69200",
            "commune": commune,
        },
    )
    assert response.status_code == 302


def test_the_tab_shows_each_change_in_french_with_old_and_new_values_author_and_organisation(client, world):
    edit_commune(client, world.young_person, "Vénissieux")
    consent = consent_record(
        actor=acting(world, "adviser_ml"),
        young_person=world.young_person,
        e2c_site=world.site,
        shared_data=[SharedData.IDENTITY],
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
    )
    consent_revoke(actor=acting(world, "adviser_ml"), consent=consent)

    response = client.get(history_url(world.young_person))

    assert response.status_code == 200
    rows = [(c.action, c.what, c.who, c.organisation) for c in response.context["history"].changes]
    adviser_name = world.adviser.get_full_name()
    assert rows[0][:2] == ("Modification", "Accord de partage")  # newest first
    assert ("Modification", "Dossier du jeune", adviser_name, "Mission Locale de Lyon") in rows
    assert rows[-1] == ("Création", "Dossier du jeune", "hors application", "—")  # made by the factory
    page = response.content.decode()
    assert "Commune</span> : <del>Lyon</del> → <ins>Vénissieux</ins>" in page
    assert "Code postal</span> :" in page
    assert "Données partagées</span> : <ins>Identité" in page  # a creation: the new values only
    assert "Mission Locale de Lyon" in page and adviser_name in page
    assert f"{timezone.localtime():%Y}" in page


def test_the_tab_reaches_the_records_hanging_from_the_file_and_nothing_of_another_file(client, world):
    other = YoungPersonFactory(organisation=world.ml_a, commune="Lyon")
    edit_commune(client, other, "Bron")
    referral = referral_create(
        actor=acting(world, "adviser_ml"),
        young_person=world.young_person,
        data=ReferralData(e2c_site=world.site, diagnostic="Sans diplôme, motivé.", motivation="Veut un métier."),
    )
    Attachment.objects.create(
        referral=referral,
        file="referrals/cv.pdf",
        label="CV",
        content_type="application/pdf",
        size=1200,
        uploaded_by=world.adviser,
    )
    contract = CejContract.objects.create(
        young_person=world.young_person,
        organisation=world.ml_a,
        signed_on=TODAY,
        starts_on=TODAY,
        planned_end_on=TODAY.replace(year=TODAY.year + 1),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )
    StructuringStep.objects.create(
        contract=contract, label="Parcours E2C", is_e2c=True, starts_on=TODAY, e2c_site=world.site
    )

    response = client.get(history_url(world.young_person))

    whats = {change.what for change in response.context["history"].changes}
    assert whats == {
        "Dossier du jeune",
        "Orientation",
        "Pièce jointe",
        "Contrat d'engagement jeune",
        "Solution structurante",
    }
    assert "Bron" not in response.content.decode()


def test_another_organisations_adviser_gets_not_found_and_no_log(client, world):
    stranger = MembershipFactory(organisation=world.ml_b, role=Role.ADVISER).user
    client.force_login(stranger)

    response = client.get(history_url(world.young_person))

    assert response.status_code == 404
    assert not AccessLog.objects.filter(user=stranger).exists()


def test_reading_the_history_is_logged_as_a_consultation_of_the_file(client, world):
    client.get(history_url(world.young_person))

    log = AccessLog.objects.get()
    assert (log.user, log.organisation, log.object_type, log.object_id, log.purpose) == (
        world.adviser,
        world.ml_a,
        "YoungPerson",
        world.young_person.public_id,
        AccessLog.Purpose.VIEW_FILE,
    )


def test_the_file_page_links_to_the_tab_for_those_who_may_read_it(client, world):
    response = client.get(reverse("cej:young_person_detail", kwargs={"public_id": world.young_person.public_id}))

    assert history_url(world.young_person) in response.content.decode()


def test_the_history_pages_cost_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    def changes(count):
        for index in range(count):
            YoungPerson.objects.filter(pk=world.young_person.pk).update(commune=f"Commune {index}")

    url = history_url(world.young_person)
    client.get(url)  # session and caches warmed
    changes(2)
    with django_assert_num_queries(QUERIES_FIRST_PAGE):
        short = client.get(url)
    changes(PAGE_SIZE * 2)
    with django_assert_num_queries(QUERIES_FIRST_PAGE):
        first = client.get(url)
    with django_assert_num_queries(QUERIES_FIRST_PAGE + 1):  # the cursor's row, read back
        second = client.get(url, {"apres": first.context["history"].page.next_cursor})

    assert len(short.context["history"].changes) == 3  # the creation, 2 updates
    assert len(first.context["history"].changes) == PAGE_SIZE
    assert len(second.context["history"].changes) == PAGE_SIZE
    newest_of_second = second.context["history"].changes[0]
    assert newest_of_second.at <= first.context["history"].changes[-1].at
    assert {f.new for f in first.context["history"].changes[0].fields} == {f"Commune {PAGE_SIZE * 2 - 1}"}


QUERIES_FIRST_PAGE = 7


def test_a_role_that_sees_a_file_but_not_its_history_is_refused_and_not_offered_the_tab(client, world):
    # E2C staff hold no files in practice; one held by their site shows the capability alone decides.
    staff = world.user("e2c_staff")
    held_by_the_site = YoungPersonFactory(organisation=world.site)
    client.force_login(staff)

    file_page = client.get(reverse("cej:young_person_detail", kwargs={"public_id": held_by_the_site.public_id}))
    response = client.get(history_url(held_by_the_site))

    assert file_page.status_code == 200
    assert history_url(held_by_the_site) not in file_page.content.decode()
    assert response.status_code == 403
    assert AccessLog.objects.filter(user=staff).count() == 1  # the file page's, not the refused tab's


def test_changes_made_outside_a_request_say_by_which_job_or_treatment(client, world, monkeypatch):
    monkeypatch.setitem(JOBS, "history_test_job", Job("Relance de test", "tests.history.test_tracking.move_to_bron"))
    run_job("history_test_job")
    with pghistory.context(reason="anonymisation"):
        YoungPerson.objects.filter(pk=world.young_person.pk).update(commune="—")

    response = client.get(history_url(world.young_person))

    whos = [change.who for change in response.context["history"].changes]
    assert whos[:2] == ["traitement automatique (anonymisation)", "tâche automatique « Relance de test »"]
