"""Every absolute link the application writes (e-mails, calendar feeds) starts with the SITE_URL setting.

`make run` serves http://127.0.0.1:<port> and sets SITE_URL to it: a link to another address
(« localhost:8000 ») would open the site without its session cookie. In production it is the public
HTTPS address, never the Host header of whichever request caused the e-mail.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from e2c_referrals.models import CalendarFeed
from outbox.models import Preference
from outbox.services import deliver_pending, send_digests
from partners.enums import Role
from tests.outbox.helpers import sent
from tests.world import build_world

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8123"
# Any address in an e-mail's text or HTML.
ADDRESS = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def world(settings):
    settings.SITE_URL = SITE
    # Requests arrive under another allowed name: their Host header must not leak into the links.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "autre-nom.exemple.fr"]
    return build_world()


def addresses(email) -> list[str]:
    found = ADDRESS.findall(email.body)
    for content, _mimetype in getattr(email, "alternatives", []):
        found += ADDRESS.findall(content)
    return found


def assert_links_to_the_site(email) -> None:
    links = addresses(email)
    assert links, email.body
    assert [link for link in links if not link.startswith(f"{SITE}/")] == [], email.body


def test_notification_e_mails_and_the_daily_digest_link_to_the_site_address(world):
    # Given a referral sent: its notification is e-mailed at once
    sent(world)
    assert deliver_pending() == 1
    assert_links_to_the_site(mail.outbox[-1])
    # And someone who chose the digest gets it with the same address
    recipient = world.user("e2c_staff")
    Preference.objects.create(user=recipient, frequency=Preference.Frequency.DAILY_DIGEST)
    sent(world)
    deliver_pending()
    send_digests()
    digest = mail.outbox[-1]
    assert digest.to == [recipient.email] and "notification" in digest.subject
    assert_links_to_the_site(digest)


def test_a_password_reset_link_uses_the_site_address_not_the_requests_host(world, client):
    user = world.user("adviser_ml")

    client.post(reverse("password_reset"), {"email": user.email}, HTTP_HOST="autre-nom.exemple.fr")
    deliver_pending()

    assert len(mail.outbox) == 1
    assert_links_to_the_site(mail.outbox[0])
    assert f"{SITE}/mot-de-passe/nouveau/" in mail.outbox[0].body


def test_an_invitation_link_uses_the_site_address(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.user("manager_ml"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("partners:invitation_create", kwargs={"public_id": world.ml_a.public_id}),
            {
                "email": "ines.moreau@ml-lyon.exemple.fr",
                "first_name": "Inès",
                "last_name": "Moreau",
                "role": Role.ADVISER,
            },
            HTTP_HOST="autre-nom.exemple.fr",
        )

    invitation = [email for email in mail.outbox if email.to == ["ines.moreau@ml-lyon.exemple.fr"]]
    assert len(invitation) == 1
    assert_links_to_the_site(invitation[0])
    assert f"{SITE}/invitation/" in invitation[0].body


def test_an_address_change_link_uses_the_site_address(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.user("adviser_ml"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("email_change"), {"email": "nouvelle@ml-lyon.exemple.fr"}, HTTP_HOST="autre-nom.exemple.fr")

    to_new = [email for email in mail.outbox if email.to == ["nouvelle@ml-lyon.exemple.fr"]]
    assert len(to_new) == 1
    assert_links_to_the_site(to_new[0])


def test_the_calendar_feed_and_its_address_use_the_site_address(world, client):
    client.force_login(world.user("manager_e2c"))

    address = client.get(reverse("e2c_referrals:calendar"), HTTP_HOST="autre-nom.exemple.fr").context["address"]

    feed = CalendarFeed.objects.get()
    assert address == f"{SITE}{reverse('e2c_referrals:calendar_feed', kwargs={'token': feed.token})}"
