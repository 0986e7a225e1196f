"""French as the people read it on pages, in e-mails and in PDFs: elision before a vowel sound,
the singular for 0 and 1, labels keeping their capitals inside a sentence."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from cej.models import YoungPersonEvent
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.services.sessions import session_cancel
from e2c_referrals.workflow import referral_transition
from outbox.models import Message
from outbox.services import deliver_pending
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import invite, make_session
from tests.outbox.helpers import actor, sent
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def person(world, first_name, last_name="Essai"):
    return YoungPersonFactory(
        organisation=world.ml_a, referent=world.user("adviser_ml"), first_name=first_name, last_name=last_name
    )


def test_the_referral_page_elides_before_a_vowel_and_not_before_a_consonant(client, world):
    adam = sent(world, person(world, "Adam"))
    yanis = sent(world, person(world, "Yanis", "Martin"))
    client.force_login(world.user("adviser_ml"))

    page = client.get(reverse("e2c_referrals:referral_detail", kwargs={"public_id": adam.public_id})).content.decode()
    other = client.get(reverse("e2c_referrals:referral_detail", kwargs={"public_id": yanis.public_id})).content.decode()

    assert "<title>Orientation d'Adam Essai" in page
    assert "Orientation d'Adam Essai vers" in page and "de Adam" not in page
    assert "Orientation de Yanis Martin vers" in other


def test_an_empty_session_shows_0_inscrit_in_the_singular(client, world):
    session = make_session(world.site, created_by=world.user("e2c_staff"), capacity=1)
    client.force_login(world.user("e2c_staff"))

    page = client.get(reverse("e2c_referrals:session_detail", kwargs={"public_id": session.public_id})).content.decode()
    listing = client.get(reverse("e2c_referrals:sessions")).content.decode()

    assert "0 inscrit," in page and "0 inscrits" not in page
    assert "1 restante" in page
    assert "1 place, 0 inscrit" in listing and "1 places" not in listing


def test_the_attendance_sheet_says_1_place_in_the_singular(client, world):
    session = make_session(world.site, created_by=world.user("e2c_staff"), capacity=1)
    client.force_login(world.user("e2c_staff"))

    response = client.get(reverse("e2c_referrals:session_attendance_sheet", args=[session.public_id]))

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "0 sur 1 place" in text and "1 places" not in text


def test_e_mails_elide_and_keep_the_capitals_of_a_status_label(world):
    referral = sent(world, person(world, "Adam"))
    Message.objects.all().delete()
    referral_transition(actor=actor(world, "e2c_staff"), referral=referral, to=ReferralStatus.ACKNOWLEDGED)
    session = make_session(world.site, created_by=world.user("e2c_staff"))
    elodie = sent(world, person(world, "Élodie"))
    referral_transition(actor=actor(world, "e2c_staff"), referral=elodie, to=ReferralStatus.ACKNOWLEDGED)
    invite(world, elodie, session=session)
    session_cancel(actor=actor(world, "e2c_staff"), session=session, reason="Salle indisponible")

    deliver_pending()

    acknowledged = next(e for e in mail.outbox if e.subject.startswith("Orientation :") and "Adam" in e.body)
    assert acknowledged.subject == "Orientation : prise en compte par l'E2C"
    assert "L'orientation d'Adam E. vers" in acknowledged.body
    cancelled = next(e for e in mail.outbox if e.subject.startswith("Séance annulée"))
    assert f"Information collective d'{world.site}" in cancelled.body


def test_the_file_history_keeps_the_capitals_of_a_status_label(world):
    referral = sent(world, person(world, "Adam"))

    referral_transition(actor=actor(world, "e2c_staff"), referral=referral, to=ReferralStatus.ACKNOWLEDGED)

    actions = list(YoungPersonEvent.objects.filter(young_person=referral.young_person).values_list("action", flat=True))
    assert f"Orientation vers {world.site} : prise en compte par l'E2C" in actions


def test_the_session_choice_and_attendance_forms_speak_french(world):
    from e2c_referrals.forms.sessions import AttendanceForm, ChooseSessionForm, RegisterForm

    session = make_session(world.site, created_by=world.user("e2c_staff"), capacity=1)
    session.registered = 0
    adam = sent(world, person(world, "Adam"))
    referral_transition(actor=actor(world, "e2c_staff"), referral=adam, to=ReferralStatus.ACKNOWLEDGED)
    adam.refresh_from_db()

    seats = dict(ChooseSessionForm(sessions=[session]).fields["session"].choices)
    labels = dict(RegisterForm(referrals=[adam]).fields["referral"].choices)

    assert seats[str(session.public_id)].endswith("— 1 place restante")
    assert labels[str(adam.public_id)].endswith("— prise en compte par l'E2C")

    class Seat:
        public_id = "x"
        referral = adam

    form = AttendanceForm(data={}, seats=[Seat()])
    assert not form.is_valid()
    assert form.errors["seat-x"] == ["Indiquez la présence d'Adam Essai."]
