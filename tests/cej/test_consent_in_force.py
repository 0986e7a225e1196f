"""One consent in force per young person and E2C site: a new recording replaces it, the same one
recorded again is refused, a withdrawal ends the sharing with that site at once — on the referral
page, its PDF, the review participants, the personal-data export — and the database holds the rule
(the unique index, the locks, the migration that resolved the duplicates recorded before it)."""

import datetime
import importlib
import io
import json
import threading

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cej.enums import ConsentMethod, SharedData
from cej.models import Consent, YoungPerson, YoungPersonEvent
from cej.selectors.consents import current_consent
from cej.selectors.follow_ups import possible_participants
from cej.services.consents import consent_record, consent_revoke
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.pdf.referral_file import referral_file_pdf
from e2c_referrals.services.referrals import ReferralData, referral_create
from e2c_referrals.workflow import referral_transition
from history.models import ConsentChange
from partners.access import Actor
from tests.cej.factories import YoungPersonFactory
from tests.locks import wait_for_lock_waits
from tests.world import build_world

pytestmark = pytest.mark.django_db
S = ReferralStatus
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
PHONE = "06 12 34 56 78"

resolution = importlib.import_module("cej.migrations.0011_consent_one_current_per_site")


@pytest.fixture
def world():
    world = build_world()
    world.young_person = YoungPersonFactory(
        organisation=world.ml_a, referent=world.user("adviser_ml"), phone="+33612345678"
    )
    return world


def actor(world, role="adviser_ml"):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def record(world, shared=(SharedData.IDENTITY, SharedData.CONTACT), given_on=TODAY, person=None, site=None):
    return consent_record(
        actor=actor(world),
        young_person=person or world.young_person,
        e2c_site=site or world.site,
        shared_data=list(shared),
        given_on=given_on,
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
    )


def consent_form(world, shared=("identity", "contact")):
    return {
        "e2c_site": str(world.site.public_id),
        "shared_data": list(shared),
        "given_on": TODAY.isoformat(),
        "method": "oral",
        "attestation": "Notice remise et expliquée ; accord donné.",
    }


def sent_referral(world):
    referral = referral_create(
        actor=actor(world),
        young_person=world.young_person,
        data=ReferralData(e2c_site=world.site, diagnostic="Sans diplôme, motivé.", motivation="Veut un métier."),
    )
    referral_transition(actor=actor(world), referral=referral, to=S.SENT)
    referral.refresh_from_db()
    return referral


def e2c_page(client, world, referral):
    client.force_login(world.user("e2c_staff"))
    content = client.get(reverse("e2c_referrals:referral_detail", kwargs={"public_id": referral.public_id}))
    return content.content.decode()


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def file_url(world):
    return reverse("cej:young_person_detail", kwargs={"public_id": world.young_person.public_id})


def revoke_url(world, consent):
    return reverse(
        "cej:consent_revoke", kwargs={"public_id": world.young_person.public_id, "consent_id": consent.public_id}
    )


# --- What a withdrawal does -------------------------------------------------------------------------


def test_a_withdrawn_consent_stops_sharing_at_once_even_after_the_consent_was_recorded_again(client, world):
    # Given: a consent recorded from the file page, a referral sent with it, then the young person's
    # agreement recorded again (now with the situation too)
    client.force_login(world.user("adviser_ml"))
    client.post(reverse("cej:consent_create", kwargs={"public_id": world.young_person.public_id}), consent_form(world))
    referral = sent_referral(world)
    client.post(
        reverse("cej:consent_create", kwargs={"public_id": world.young_person.public_id}),
        consent_form(world, shared=("identity", "contact", "situation")),
    )
    assert PHONE in e2c_page(client, world, referral)

    # When: the adviser withdraws the consent the file offers to withdraw (one: the one in force)
    client.force_login(world.user("adviser_ml"))
    file_page = client.get(file_url(world)).content.decode()
    offered = [consent for consent in Consent.objects.all() if revoke_url(world, consent) in file_page]
    assert len(offered) == 1
    response = client.post(revoke_url(world, offered[0]), {"reason": "Ne souhaite plus partager."}, follow=True)
    assert "plus aucun partage avec ce site" in response.content.decode()

    # Then: nothing of the file is shared with the site any more, everywhere it shows
    page = e2c_page(client, world, referral)
    assert PHONE not in page and "Accord retiré" in page
    referral.refresh_from_db()
    text = pdf_text(referral_file_pdf(referral, actor=actor(world, "e2c_staff")))
    assert "06 12 34 56 78" not in text and "retiré son accord de partage avec ce site" in text
    assert world.user("e2c_staff") not in possible_participants(world.young_person)
    assert current_consent(young_person=world.young_person, e2c_site=world.site) is None
    assert not [consent for consent in Consent.objects.all() if consent.is_valid]
    # and the right-of-access export tells what became of each recording
    client.force_login(world.user("adviser_ml"))
    export = client.get(reverse("e2c_referrals:personal_data_json", kwargs={"public_id": world.young_person.public_id}))
    states = sorted(item["state"].split(" le ")[0] for item in json.loads(export.content)["consents"])
    assert states == ["remplacé", "retiré"]


def test_the_e2c_sees_the_exact_birth_date_only_while_a_consent_shares_the_identity(client, world):
    # Given: a referral sent with a consent sharing the identity
    record(world, shared=(SharedData.IDENTITY, SharedData.CONTACT))
    referral = sent_referral(world)
    born = world.young_person.birth_date.strftime("%d/%m/%Y")
    assert f"né(e) le {born}" in e2c_page(client, world, referral)

    # When: the consent is replaced by one without the identity, then withdrawn
    replaced = record(world, shared=(SharedData.CONTACT,))
    without_identity = e2c_page(client, world, referral)
    consent_revoke(actor=actor(world), consent=replaced, reason="Ne souhaite plus partager.")
    withdrawn = e2c_page(client, world, referral)

    # Then: the name and the age stay (the E2C receives the young person), the exact birth date goes,
    # on the page and in the referral file, as the page's banner says
    for page in (without_identity, withdrawn):
        assert world.young_person.last_name in page and f"{world.young_person.age} ans" in page
        assert born not in page
    assert "ne voit plus que son nom et son âge" in withdrawn
    referral.refresh_from_db()
    text = pdf_text(referral_file_pdf(referral, actor=actor(world, "e2c_staff")))
    assert world.young_person.last_name in text and "Date de naissance" not in text and "Âge" in text


def test_a_replaced_consent_is_not_withdrawn_in_place_of_the_one_in_force(client, world):
    first = record(world)
    second = record(world, shared=(SharedData.IDENTITY,))
    client.force_login(world.user("adviser_ml"))

    response = client.post(revoke_url(world, first), {"reason": "Erreur."})

    assert "c'est celui-là qu'il faut retirer" in response.content.decode()
    assert current_consent(young_person=world.young_person, e2c_site=world.site) == second
    with pytest.raises(ValidationError, match="remplacé le"):
        consent_revoke(actor=actor(world), consent=first)


# --- What a recording does --------------------------------------------------------------------------


def test_recording_the_same_consent_again_is_refused_in_french_and_adds_nothing(client, world):
    client.force_login(world.user("adviser_ml"))
    url = reverse("cej:consent_create", kwargs={"public_id": world.young_person.public_id})
    client.post(url, consent_form(world))

    response = client.post(url, consent_form(world))

    assert response.status_code == 200
    assert response.content.decode().count("Cet accord est déjà enregistré") == 1  # said once, not twice
    assert Consent.objects.count() == 1


def test_a_new_consent_replaces_the_one_in_force_which_is_kept_and_dated(client, world):
    first = record(world, shared=(SharedData.IDENTITY, SharedData.CONTACT), given_on=TODAY - 3 * DAY)
    referral = sent_referral(world)

    second = record(world, shared=(SharedData.IDENTITY,))

    first.refresh_from_db()
    assert first.superseded_at is not None and first.revoked_at is None and not first.is_valid
    assert second.supersedes == first and second.is_valid
    assert PHONE not in e2c_page(client, world, referral)  # the narrower consent in force, not the attached one
    assert YoungPersonEvent.objects.filter(
        young_person=world.young_person, action__contains=f"il remplace l'accord du {first.given_on:%d/%m/%Y}"
    ).exists()


def test_another_site_keeps_its_own_consent(world):
    here = record(world)
    there = record(world, site=world.other_site)

    consent_revoke(actor=actor(world), consent=here)

    assert current_consent(young_person=world.young_person, e2c_site=world.other_site) == there


# --- The database holds the rule ----------------------------------------------------------------------


def consent_row(world, **fields):
    return Consent.objects.create(
        young_person=fields.pop("young_person", world.young_person),
        e2c_site=fields.pop("e2c_site", world.site),
        shared_data=fields.pop("shared_data", [SharedData.IDENTITY, SharedData.CONTACT]),
        given_on=fields.pop("given_on", TODAY),
        method=ConsentMethod.ORAL,
        attestation="Notice expliquée, accord donné.",
        recorded_by=world.user("adviser_ml"),
        **fields,
    )


def test_the_database_refuses_a_second_consent_in_force_for_one_site(world):
    consent_row(world)
    consent_row(world, revoked_at=timezone.now())  # withdrawn: allowed beside it
    consent_row(world, superseded_at=timezone.now())  # replaced: allowed too

    with pytest.raises(IntegrityError, match="consent_one_current_per_site"), transaction.atomic():
        consent_row(world, given_on=TODAY - DAY)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_recordings_of_one_consent_leave_one_row(world):
    # Given: two recordings of the same consent (a double click), both arriving while the file is held
    outcomes = []

    def record_once():
        try:
            record(world)
            outcomes.append("recorded")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    writers = [threading.Thread(target=record_once) for _ in range(2)]
    with transaction.atomic():
        YoungPerson.objects.select_for_update().get(pk=world.young_person.pk)
        for writer in writers:
            writer.start()
        wait_for_lock_waits(2)  # both recordings wait for the file
    # When: the file is let go, they go one after the other
    for writer in writers:
        writer.join(timeout=10)

    # Then: one consent; the other recording was told why nothing was added
    assert Consent.objects.count() == 1
    assert sorted(outcomes)[0].startswith("Cet accord est déjà enregistré") and "recorded" in outcomes


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_waits_for_a_recording_in_progress_on_the_same_file(world):
    # Given: a consent in force, and a recording of a new one in progress (it holds the file)
    first = record(world)
    holding = threading.Event()
    outcome = []

    def withdraw():
        holding.wait(timeout=10)
        try:
            consent_revoke(actor=actor(world), consent=first)
            outcome.append("withdrawn")
        except ValidationError as error:
            outcome.append(error.messages[0])
        finally:
            connection.close()

    withdrawer = threading.Thread(target=withdraw)
    withdrawer.start()
    with transaction.atomic():
        second = record(world, shared=(SharedData.IDENTITY,))
        holding.set()
        wait_for_lock_waits(1)  # the withdrawal waits for the file, not only for the consent row
    withdrawer.join(timeout=10)

    # Then: the withdrawal saw the replacement and said so; the new consent is the one in force
    assert outcome and "remplacé le" in outcome[0]
    assert current_consent(young_person=world.young_person, e2c_site=world.site) == second


# --- The migration that resolved the duplicates recorded before the rule -----------------------------


def test_the_migration_resolves_duplicates_keeping_every_row_and_honouring_past_withdrawals(world):
    constraint = next(c for c in Consent._meta.constraints if c.name == "consent_one_current_per_site")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Consent, constraint)
    now = timezone.now()
    # Given, as the old code let them be recorded:
    # - recorded twice, both in force: the newer agreement stays, the older is replaced
    twice = YoungPersonFactory(organisation=world.ml_a)
    older = consent_row(world, young_person=twice, given_on=TODAY - 10 * DAY)
    newer = consent_row(world, young_person=twice, given_on=TODAY - 5 * DAY)
    oldest = consent_row(world, young_person=twice, given_on=TODAY - 20 * DAY)
    # - recorded twice, one withdrawn afterwards (« plus aucun partage »): the other goes with it;
    #   an agreement given again after the withdrawal stays in force
    withdrawn_file = world.young_person
    left_behind = consent_row(world, created_at=now - 3 * DAY)
    withdrawal = consent_row(
        world,
        created_at=now - 3 * DAY,
        revoked_at=now - 2 * DAY,
        revoked_by=world.user("manager_ml"),
        revocation_reason="Demande du jeune.",
    )
    given_again = consent_row(world, created_at=now - DAY, shared_data=[SharedData.IDENTITY])
    # - untouched: a single consent, and the same file's consent with another site
    single = consent_row(world, young_person=YoungPersonFactory(organisation=world.ml_a))
    elsewhere = consent_row(world, young_person=twice, e2c_site=world.other_site)

    # When
    with connection.schema_editor() as editor:
        resolution.resolve_duplicates(apps, editor)
        editor.add_constraint(Consent, constraint)  # Then the index can be built: one in force per site

    for consent in (older, newer, oldest, left_behind, withdrawal, given_again, single, elsewhere):
        consent.refresh_from_db()
    assert Consent.objects.count() == 8  # nothing deleted
    assert newer.is_valid and newer.supersedes == older and older.supersedes == oldest
    assert older.superseded_at and oldest.superseded_at and oldest.revoked_at is None
    assert left_behind.revoked_at == withdrawal.revoked_at and left_behind.revoked_by == world.user("manager_ml")
    assert "un seul accord vaut par site" in left_behind.revocation_reason
    assert given_again.is_valid and single.is_valid and elsewhere.is_valid
    assert {consent.pk for consent in Consent.objects.current()} == {newer.pk, given_again.pk, single.pk, elsewhere.pk}
    # the file's history says what was done, and the change history kept each row's before and after
    assert YoungPersonEvent.objects.filter(young_person=twice, action__contains="2 remplacés").exists()
    assert YoungPersonEvent.objects.filter(young_person=withdrawn_file, action__contains="1 retiré").exists()
    assert ConsentChange.objects.filter(pgh_obj=left_behind, pgh_label="update", revoked_at__isnull=False).exists()
    assert ConsentChange.objects.filter(pgh_obj=oldest, pgh_label="update", superseded_at__isnull=False).exists()


def test_a_review_planned_from_a_form_shown_before_the_withdrawal_leaves_the_e2c_staff_out(world):
    # Given: a consent in force, so the E2C staff are offered as review participants; then it is withdrawn
    from cej.services.follow_ups import follow_up_schedule

    consent = record(world)
    offered = possible_participants(world.young_person)
    assert world.user("e2c_staff") in offered
    consent_revoke(actor=actor(world), consent=consent)

    # When: the review is planned with the participants chosen before
    with pytest.raises(ValidationError, match="plus d'accord de partage en vigueur"):
        follow_up_schedule(
            actor=actor(world), young_person=world.young_person, scheduled_on=TODAY + DAY, participants=offered
        )
