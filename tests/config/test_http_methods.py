"""A method a view does not implement answers 405 with Allow, a French page and one log line, before the CSRF
check (common/http_methods.py). Every URL × every method: tests/test_url_matrix.py."""

import logging

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from common.http_methods import http_methods
from partners.views.home import switch_organisation
from tests.partners.factories import UserFactory

pytestmark = pytest.mark.django_db


def method_refusals(caplog):
    return [record for record in caplog.records if getattr(record, "status_code", None) == 405]


def test_a_put_with_a_valid_session_and_token_answers_405_in_french_with_allow_and_one_log_line(caplog):
    # Given a person signed in, with the CSRF check on and a real token, as curl with a stolen cookie would have
    user = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get(reverse("password_change"))
    token = browser.cookies["csrftoken"].value
    caplog.set_level(logging.INFO)

    # When the password form is sent with PUT, DELETE or TRACE
    answers = {
        method: browser.generic(method, reverse("password_change"), "x=1", HTTP_X_CSRFTOKEN=token)
        for method in ("PUT", "DELETE", "TRACE")
    }

    # Then each is refused as a method (not as a token), with the methods the page takes and a French page
    for response in answers.values():
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
        page = response.content.decode()
        assert '<html lang="fr"' in page and "Action non prévue sur cette page" in page
        assert "rien n'a été modifié" in page.replace("&#x27;", "'")
    lines = [record.getMessage() for record in method_refusals(caplog)]
    assert lines == [
        f"Method Not Allowed (405): user={user.pk} path={reverse('password_change')} view=password_change "
        f"reason=method {method}"
        for method in ("PUT", "DELETE", "TRACE")
    ]


def test_without_a_token_a_put_is_still_a_405_and_a_post_a_403():
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory())

    assert browser.put(reverse("email_change")).status_code == 405
    assert browser.post(reverse("email_change")).status_code == 403


def test_opening_a_post_only_address_says_it_receives_a_form():
    browser = Client()
    browser.force_login(UserFactory())

    response = browser.get(reverse("switch_organisation"))

    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"
    assert "elle ne s'ouvre pas directement" in response.content.decode()


def test_options_answers_the_allowed_methods_without_reaching_the_view(client):
    response = client.options(reverse("e2c_referrals:inbox"))  # not signed in: the view would send to sign in

    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


def test_an_empty_405_of_a_view_itself_gets_the_french_page(client):
    # Django's admin declares nothing (GET, HEAD, POST pass): its sign-out view refuses a GET on its own
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse("admin:logout"))

    assert response.status_code == 405
    assert "Action non prévue sur cette page" in response.content.decode()


def test_the_declaration_holds_without_the_middleware():
    request = RequestFactory().put("/organisation-active/")
    request.user = UserFactory()

    response = switch_organisation(request)

    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"


def test_a_declaration_names_implemented_methods_only():
    for wrong in ((), ("HEAD",), ("OPTIONS",), ("GET", "FETCH")):
        with pytest.raises(ValueError):
            http_methods(*wrong)
