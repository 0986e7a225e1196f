"""The page frame every screen shares: skip link, landmarks, messages announced to screen readers."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.partners.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def render_home_frame(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    messages.success(request, "Orientation envoyée à l'E2C.")
    messages.error(request, "Le fichier dépasse 5 Mo.")
    return render_to_string("home.html", {"membership": None}, request=request)


def test_messages_are_announced_politely_and_errors_assertively():
    page = render_home_frame(MembershipFactory().user)

    assert re.search(r'class="alert alert-success"\s+role="status"', page)
    assert "Orientation envoyée à l&#x27;E2C." in page
    assert re.search(r'class="alert alert-danger"\s+role="alert"', page)
    assert "Le fichier dépasse 5 Mo." in page


def test_the_frame_has_a_skip_link_landmarks_and_french_language():
    page = render_home_frame(MembershipFactory().user)

    assert '<html lang="fr">' in page
    assert page.index('href="#contenu"') < page.index("<header")
    assert '<main id="contenu"' in page
    assert "<footer" in page
    assert 'aria-label="Navigation principale"' in page
