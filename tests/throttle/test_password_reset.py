"""The password-reset request: throttled per address typed and per client network, the same answer for
a known and an unknown address, and the e-mail sent by the worker through the outbox, never during the
request."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from outbox.models import Message
from outbox.services import deliver_pending
from outbox.tasks import deliver_pending as deliver_pending_task
from tests.partners.factories import UserFactory
from throttle.limits import PASSWORD_RESETS_PER_ADDRESS, PASSWORD_RESETS_PER_NETWORK

pytestmark = pytest.mark.django_db

KNOWN = "lea.benoit@ml.exemple.fr"
UNKNOWN = "personne@ml.exemple.fr"


@pytest.fixture(autouse=True)
def _clock_stopped(monkeypatch):
    """django-ratelimit's windows are fixed: a slow machine must not see one end in the middle of a test."""
    import time
    import types

    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: now))


@pytest.fixture
def lea():
    return UserFactory(email=KNOWN, first_name="Léa")


def ask(email: str, *, network: str = "192.0.2.10", client: Client | None = None):
    return (client or Client()).post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=network)


def without_csrf(page: bytes) -> bytes:
    """The page less what ``{% csrf_token %}`` writes afresh each time: the CSRF and submission tokens."""
    return re.sub(rb'name="(csrfmiddlewaretoken|submission_token)" value="[^"]*"', b"", page)


def test_a_known_and_an_unknown_address_get_the_same_answer_and_no_mail_is_sent_in_the_request(lea):
    # When someone asks for a link for a known address, and someone else for an unknown one
    answers = {}
    for email in (KNOWN, UNKNOWN):
        client = Client()
        form = client.get(reverse("password_reset"))
        posted = ask(email, client=client)
        done = client.get(posted["Location"])
        answers[email] = (form.status_code, without_csrf(form.content), posted.status_code, posted["Location"])
        answers[email] += (posted.content, sorted(posted.headers.items()), done.status_code, without_csrf(done.content))

    # Then both answers are the same, byte for byte (the CSRF token aside)
    assert answers[KNOWN] == answers[UNKNOWN]
    # and no e-mail left during either request: one outbox row for the known account, none for the other
    assert mail.outbox == []
    message = Message.objects.get()
    assert (message.kind, message.recipient, message.address) == ("account.password_reset", lea, KNOWN)
    # and the row keeps no link nor token: the worker makes it when it sends
    assert "mot-de-passe/nouveau" not in str(message.context)


def test_the_worker_sends_the_link_and_the_link_resets_the_password(lea):
    ask(KNOWN)
    assert mail.outbox == []

    # When the worker runs the delivery task (published after the request's commit)
    assert deliver_pending_task.apply().get() == 1

    # Then one e-mail in French, with a link that works once
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [KNOWN]
    assert email.subject == "Orientations E2C : réinitialisation de votre mot de passe"
    assert email.body.startswith("Bonjour Léa,")
    assert "Si vous n'êtes pas à l'origine de cette demande" in email.body
    link = re.search(
        r"Pour choisir un nouveau mot de passe : http://testserver(/mot-de-passe/nouveau/\S+/)", email.body
    )
    html, _mimetype = email.alternatives[0]
    assert ">Choisir un nouveau mot de passe</a>" in html
    client = Client()
    form_url = client.get(link.group(1)).url
    response = client.post(form_url, {"new_password1": "Nouveau-mot-2passe", "new_password2": "Nouveau-mot-2passe"})
    assert response.status_code == 302
    lea.refresh_from_db()
    assert lea.check_password("Nouveau-mot-2passe")
    assert Message.objects.get(kind="account.password_reset").status == Message.Status.SENT


def test_the_sixth_request_for_one_address_in_an_hour_is_refused_known_or_not(lea):
    assert (PASSWORD_RESETS_PER_ADDRESS.count, PASSWORD_RESETS_PER_ADDRESS.seconds) == (5, 3600)
    refusals = {}
    for number, email in enumerate((KNOWN, UNKNOWN)):
        # Given 5 requests for one address, each from another network
        for attempt in range(PASSWORD_RESETS_PER_ADDRESS.count):
            assert ask(email, network=f"198.51.100.{number * 10 + attempt}").status_code == 302
        # When a 6th comes, typed in another case, from yet another network
        refusals[email] = ask(email.upper(), network=f"203.0.113.{number}")

    # Then it is refused, with the French page and the wait in seconds, the same for both addresses
    for response in refusals.values():
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 3600
        assert "Trop de demandes de réinitialisation du mot de passe" in response.content.decode()
    # (the wait depends on the address typed, whose window starts at its own second, not on an account)
    pages = [re.sub(rb"dans \d+&nbsp;minutes?", b"dans N", without_csrf(refusals[e].content)) for e in (KNOWN, UNKNOWN)]
    assert pages[0] == pages[1]
    # and only 5 e-mails were written for the known address
    assert Message.objects.filter(recipient=lea).count() == PASSWORD_RESETS_PER_ADDRESS.count
    # while another address is still served from the same network
    assert ask("autre@ml.exemple.fr", network="203.0.113.0").status_code == 302


def test_the_twenty_first_request_from_one_network_in_an_hour_is_refused(lea):
    assert (PASSWORD_RESETS_PER_NETWORK.count, PASSWORD_RESETS_PER_NETWORK.seconds) == (20, 3600)
    for number in range(PASSWORD_RESETS_PER_NETWORK.count):
        assert ask(f"personne{number}@ml.exemple.fr", network="192.0.2.10").status_code == 302

    response = ask(KNOWN, network="192.0.2.10")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not Message.objects.exists()
    # Another network is not affected; an IPv6 client is one network per /64
    assert ask(KNOWN, network="192.0.2.11").status_code == 302
    for number in range(PASSWORD_RESETS_PER_NETWORK.count):
        assert ask(f"v6-{number}@ml.exemple.fr", network=f"2001:db8:1:2::{number + 1:x}").status_code == 302
    assert ask(UNKNOWN, network="2001:db8:1:2:ffff::1").status_code == 429
    assert ask(UNKNOWN, network="2001:db8:1:3::1").status_code == 302


def test_the_relay_sends_nothing_for_an_unknown_address():
    ask(UNKNOWN)

    assert deliver_pending() == 0
    assert mail.outbox == []
