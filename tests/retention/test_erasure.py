"""« Effacer ce dossier » (RGPD article 17): who erases, what an erasure does and records, what refuses
it (a restricted or anonymised file, a wrong date), a refusal recorded with its reason, the pages."""

import datetime
import html
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cej.enums import ConsentMethod, SharedData
from cej.models import Consent, Restriction, YoungPerson, YoungPersonEvent
from cej.services.restrictions import restriction_start
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Referral
from e2c_referrals.services.referrals import ReferralData, referral_create
from e2c_referrals.workflow import referral_transition
from partners.access import Actor
from partners.enums import Role
from retention import erasure
from retention.erasure import erasure_refuse, young_person_erase
from retention.models import AnonymisedFile, ErasureRequest
from retention.services import young_person_anonymise
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import MembershipFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
FIRST, LAST = "Ysaline", "Quarteroni"
GROUND = ErasureRequest.Ground.CONSENT_WITHDRAWN


def text(response) -> str:
    """The page's text as a reader sees it (apostrophes and accents unescaped)."""
    return html.unescape(response.content.decode())


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


@pytest.fixture
def world():
    world = build_world()
    world.young_person = YoungPersonFactory(
        organisation=world.ml_a,
        referent=world.user("adviser_ml"),
        first_name=FIRST,
        last_name=LAST,
        email="ysaline.quarteroni@example.org",
    )
    YoungPerson.objects.filter(pk=world.young_person.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    world.young_person.refresh_from_db()
    return world


def erase(world, role="manager_ml", requested_on=TODAY, ground=GROUND):
    return young_person_erase(
        actor=actor(world, role), young_person=world.young_person, requested_on=requested_on, ground=ground
    )


def ongoing_referral(world):
    Consent.objects.create(
        young_person=world.young_person,
        e2c_site=world.site,
        shared_data=[SharedData.IDENTITY],
        given_on=TODAY,
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
        recorded_by=world.user("adviser_ml"),
    )
    referral = referral_create(
        actor=actor(world, "adviser_ml"),
        young_person=world.young_person,
        data=ReferralData(e2c_site=world.site, diagnostic="Sans diplôme, motivé.", motivation="Veut un métier."),
    )
    referral_transition(actor=actor(world, "adviser_ml"), referral=referral, to=ReferralStatus.SENT)
    return referral


def test_a_manager_erases_the_file_and_the_request_is_recorded_without_a_name(world):
    # Given a file with a referral in progress
    referral = ongoing_referral(world)

    # When the referent structure's manager erases it on request
    request = erase(world)

    # Then the file is anonymised: the name and contact details are gone, the notes too
    person = YoungPerson.objects.get(pk=world.young_person.pk)
    assert (person.first_name, person.last_name, person.email) == ("Jeune", "Anonymisé", "")
    assert person.birth_date == datetime.date(world.young_person.birth_date.year, 7, 1)
    assert AnonymisedFile.objects.filter(young_person=person).exists()
    referral.refresh_from_db()
    assert referral.diagnostic == "" and referral.status == ReferralStatus.SENT  # goes on, anonymised
    # And the request is recorded, done, with who, when and the ground, and no name anywhere in it
    stored = ErasureRequest.objects.get()
    assert stored == request
    assert stored.outcome == ErasureRequest.Outcome.DONE
    assert stored.decided_by == world.user("manager_ml")
    assert stored.requested_on == TODAY and stored.ground == GROUND and stored.refusal_reason == ""
    assert stored.decided_at <= timezone.now()
    values = " ".join(str(value) for value in ErasureRequest.objects.values().get().values())
    assert FIRST not in values and LAST not in values and "example.org" not in values
    assert person.events.filter(action__startswith="Dossier effacé à la demande").count() == 1
    assert not person.events.filter(action__contains="durée de conservation").exists()  # not the retention's words


def test_the_administrator_erases_any_file(world):
    erase(world, role="administrator")
    assert ErasureRequest.objects.get().decided_by == world.user("administrator")
    assert YoungPerson.objects.get(pk=world.young_person.pk).last_name == "Anonymisé"


def test_an_adviser_may_not_erase_and_nothing_is_written(world):
    with pytest.raises(PermissionDenied):
        erase(world, role="adviser_ml")
    with pytest.raises(PermissionDenied):
        erasure_refuse(
            actor=actor(world, "adviser_ml"),
            young_person=world.young_person,
            requested_on=TODAY,
            ground=GROUND,
            reason="Obligation légale de conservation.",
        )
    assert not ErasureRequest.objects.exists()
    assert YoungPerson.objects.get(pk=world.young_person.pk).last_name == LAST


def test_another_organisations_manager_may_not_erase(world):
    other = MembershipFactory(organisation=world.ml_b, role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        young_person_erase(
            actor=Actor(user=other.user, membership=other),
            young_person=world.young_person,
            requested_on=TODAY,
            ground=GROUND,
        )
    assert not ErasureRequest.objects.exists()


@pytest.mark.parametrize(
    ("requested_on", "words"),
    [
        (TODAY + datetime.timedelta(days=1), "dans le futur"),
        (TODAY - datetime.timedelta(days=365), "précède la création du dossier"),
        (None, "Indiquez la date"),
    ],
)
def test_a_request_date_in_the_future_or_before_the_file_is_refused(world, requested_on, words):
    with pytest.raises(ValidationError) as error:
        erase(world, requested_on=requested_on)
    assert words in " ".join(error.value.message_dict["requested_on"])
    assert not ErasureRequest.objects.exists() and not AnonymisedFile.objects.exists()


def test_an_unknown_ground_is_refused(world):
    with pytest.raises(ValidationError) as error:
        erase(world, ground="whim")
    assert "ground" in error.value.message_dict
    assert not AnonymisedFile.objects.exists()


def test_a_restricted_file_is_not_erased_and_nothing_is_written(world):
    # Given a file whose processing is restricted (article 18)
    restriction_start(
        actor=actor(world, "adviser_ml"),
        young_person=world.young_person,
        ground=Restriction.Ground.LEGAL_CLAIM,
        note="",
    )
    events = YoungPersonEvent.objects.count()

    # When the manager tries to erase it, Then the restriction wins, in French, and nothing is written
    with pytest.raises(ValidationError) as error:
        erase(world)
    assert "traitement limité (RGPD, article 18)" in error.value.messages[0]
    assert "ne peut pas être effacé" in error.value.messages[0]
    assert not ErasureRequest.objects.exists() and not AnonymisedFile.objects.exists()
    assert YoungPerson.objects.get(pk=world.young_person.pk).last_name == LAST
    assert YoungPersonEvent.objects.count() == events


def test_an_anonymised_file_is_not_erased_again(world):
    young_person_anonymise(young_person_id=world.young_person.pk)
    with pytest.raises(ValidationError) as error:
        erase(world)
    assert "déjà anonymisé" in error.value.messages[0]
    assert not ErasureRequest.objects.exists()


def test_when_the_anonymisation_leaves_the_file_untouched_no_done_record_remains(world):
    # Given an anonymisation that declines the file (returns False)
    with mock.patch.object(erasure, "young_person_anonymise", return_value=False), pytest.raises(ValidationError):
        erase(world)
    # Then no « done » record and no event
    assert not ErasureRequest.objects.exists()
    assert not YoungPersonEvent.objects.filter(action__startswith="Dossier effacé").exists()


def test_a_failure_after_the_anonymisation_rolls_everything_back(world):
    # Given the request's record fails after the anonymisation ran
    with (
        mock.patch.object(erasure.ErasureRequest.objects, "create", side_effect=RuntimeError("panne")),
        pytest.raises(RuntimeError),
    ):
        erase(world)
    # Then the anonymisation is undone with it: one unit
    assert YoungPerson.objects.get(pk=world.young_person.pk).last_name == LAST
    assert not AnonymisedFile.objects.exists()


def test_a_refusal_is_recorded_with_its_reason_and_the_file_is_intact(world):
    request = erasure_refuse(
        actor=actor(world, "manager_ml"),
        young_person=world.young_person,
        requested_on=TODAY,
        ground=ErasureRequest.Ground.NO_LONGER_NEEDED,
        reason="  Obligation légale de conservation (CEJ en cours).  ",
    )
    assert request.outcome == ErasureRequest.Outcome.REFUSED
    assert request.refusal_reason == "Obligation légale de conservation (CEJ en cours)."
    assert request.decided_by == world.user("manager_ml")
    assert YoungPerson.objects.get(pk=world.young_person.pk).last_name == LAST
    assert not AnonymisedFile.objects.exists()
    with pytest.raises(ValidationError) as error:
        erasure_refuse(
            actor=actor(world, "manager_ml"),
            young_person=world.young_person,
            requested_on=TODAY,
            ground=GROUND,
            reason=" ",
        )
    assert "refusal_reason" in error.value.message_dict
    assert ErasureRequest.objects.count() == 1


# --- Pages -------------------------------------------------------------------------------------------


def test_the_file_page_links_to_the_erasure_for_managers_only(client, world):
    detail = reverse("cej:young_person_detail", kwargs={"public_id": world.young_person.public_id})
    link = reverse("retention:erasure", kwargs={"public_id": world.young_person.public_id})
    client.force_login(world.user("manager_ml"))
    assert link in text(client.get(detail))
    client.force_login(world.user("adviser_ml"))
    assert link not in text(client.get(detail))


def test_the_page_lists_ongoing_referrals_as_a_warning(client, world):
    ongoing_referral(world)
    client.force_login(world.user("manager_ml"))
    page = client.get(reverse("retention:erasure", kwargs={"public_id": world.young_person.public_id}))
    content = text(page)
    assert page.status_code == 200
    assert 'id="en-cours"' in content and str(world.site) in content and "anonymisées" in content
    assert "Je confirme l'effacement définitif" in content
    assert "Ce qui est effacé" in content and "Ce qui est gardé" in content


def test_the_post_without_the_confirmation_box_does_nothing(client, world):
    client.force_login(world.user("manager_ml"))
    url = reverse("retention:erasure", kwargs={"public_id": world.young_person.public_id})
    response = client.post(url, {"requested_on": TODAY.isoformat(), "ground": GROUND})
    assert response.status_code == 200
    content = text(response)
    assert "data-error-summary" in content and "Cochez la case pour confirmer" in content
    assert not ErasureRequest.objects.exists()
    assert YoungPerson.objects.get(pk=world.young_person.pk).last_name == LAST


def test_the_page_erases_then_the_list_says_so_and_the_anonymised_file_still_renders(client, world):
    # Given a file with a referral in progress, and its manager on the erasure page
    ongoing_referral(world)
    client.force_login(world.user("manager_ml"))
    ids = {"public_id": world.young_person.public_id}

    # When they confirm the erasure
    response = client.post(
        reverse("retention:erasure", kwargs=ids),
        {"requested_on": TODAY.isoformat(), "ground": GROUND, "confirm": "on"},
        follow=True,
    )

    # Then they land on the young people list with a French success message
    assert response.redirect_chain[-1][0] == reverse("cej:young_people")
    assert "Le dossier est effacé" in text(response)
    assert ErasureRequest.objects.get().outcome == ErasureRequest.Outcome.DONE
    # And the anonymised file, its referral and the erasure page still render, without the name
    referral = Referral.objects.get(young_person=world.young_person)
    for url in (
        reverse("cej:young_person_detail", kwargs=ids),
        reverse("e2c_referrals:referral_detail", kwargs={"public_id": referral.public_id}),
        reverse("retention:erasure", kwargs=ids),
    ):
        page = client.get(url)
        content = text(page)
        assert page.status_code == 200, url
        assert "Anonymisé" in content and LAST not in content and FIRST not in content, url
    # And the file page no longer offers an erasure
    detail = text(client.get(reverse("cej:young_person_detail", kwargs=ids)))
    assert reverse("retention:erasure", kwargs=ids) not in detail


def test_the_pages_refuse_a_restricted_file_and_record_a_refusal(client, world):
    restriction_start(
        actor=actor(world, "adviser_ml"), young_person=world.young_person, ground=Restriction.Ground.LEGAL_CLAIM
    )
    client.force_login(world.user("manager_ml"))
    ids = {"public_id": world.young_person.public_id}
    page = text(client.get(reverse("retention:erasure", kwargs=ids)))
    assert "ne peut pas être effacé tant que la limitation dure" in page
    posted = client.post(
        reverse("retention:erasure", kwargs=ids),
        {"requested_on": TODAY.isoformat(), "ground": GROUND, "confirm": "on"},
    )
    assert posted.status_code == 200 and "ne peut pas être effacé" in text(posted)
    assert not AnonymisedFile.objects.exists()

    refused = client.post(
        reverse("retention:erasure_refuse", kwargs=ids),
        {
            "refus-requested_on": TODAY.isoformat(),
            "refus-ground": GROUND,
            "refus-refusal_reason": "Données nécessaires à un droit en justice.",
        },
        follow=True,
    )
    assert "Le refus de la demande d'effacement est enregistré" in text(refused)
    assert "Données nécessaires à un droit en justice." in text(refused)
    assert ErasureRequest.objects.get().outcome == ErasureRequest.Outcome.REFUSED


def test_who_reaches_the_page(client, world):
    url = reverse("retention:erasure", kwargs={"public_id": world.young_person.public_id})
    for role, status in (("adviser_ml", 403), ("adviser_ft", 404), ("e2c_staff", 404), ("administrator", 200)):
        client.force_login(world.user(role))
        assert client.get(url).status_code == status, role
    client.force_login(world.user("administrator"))
    response = client.post(url, {"requested_on": TODAY.isoformat(), "ground": GROUND, "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("retention:overview")


@pytest.mark.parametrize(
    "payload", ["<script>alert('x')</script>", '"><img src=x onerror=alert(1)>', "\x00nul", "x" * 20_000, "9999-99-99"]
)
def test_the_refusal_form_refuses_or_escapes_malformed_input(client, world, payload):
    # The attack battery posts to the page's own URL: the refusal's URL gets the same payloads here.
    client.force_login(world.user("manager_ml"))
    url = reverse("retention:erasure_refuse", kwargs={"public_id": world.young_person.public_id})
    data = {"refus-requested_on": payload, "refus-ground": payload, "refus-refusal_reason": payload}
    response = client.post(url, data)
    assert response.status_code in (200, 400)  # a NUL byte is turned away before the form (400)
    assert "<script>alert('x')</script>" not in response.content.decode()
    assert '"><img src=x onerror=alert(1)>' not in response.content.decode()
    assert response.status_code == 400 or "data-error-summary" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_the_retention_page_lists_the_last_requests_without_a_name(client, world):
    erasure_refuse(
        actor=actor(world, "manager_ml"),
        young_person=world.young_person,
        requested_on=TODAY,
        ground=ErasureRequest.Ground.OBJECTION,
        reason="Obligation légale de conservation.",
    )
    client.force_login(world.user("administrator"))
    content = text(client.get(reverse("retention:overview")))
    assert "Dernières demandes d'effacement" in content
    assert "Opposition au traitement" in content and "Demande refusée" in content and world.ml_a.name in content
    assert LAST not in content and FIRST not in content
