import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.world import build_world

pytestmark = pytest.mark.django_db


def refusal_records(caplog):
    return [record for record in caplog.records if getattr(record, "status_code", None) in (400, 403)]


def test_a_refused_page_is_logged_on_one_line_with_who_and_where_but_no_traceback_nor_name(client, caplog):
    world = build_world()
    adviser = world.user("adviser_ml")
    client.force_login(adviser)
    caplog.set_level(logging.INFO)

    response = client.get(reverse("audit:access_log"), {"recherche": "lea"})

    assert response.status_code == 403
    [record] = refusal_records(caplog)
    assert record.name == "django.request"
    assert record.exc_info is None and record.exc_text is None
    line = record.getMessage()
    assert line == (
        f"Forbidden (403): user={adviser.pk} path={reverse('audit:access_log')} "
        "view=audit:access_log reason=PermissionDenied"
    )
    assert "Traceback" not in caplog.text
    for personal in (adviser.email, adviser.first_name, adviser.last_name, "recherche", "lea"):
        assert personal not in caplog.text


def test_a_refused_csrf_check_says_anonymous_and_why_on_one_line(caplog):
    csrf_client = Client(enforce_csrf_checks=True)
    caplog.set_level(logging.INFO)

    response = csrf_client.post(reverse("login"), {"username": "planted@ml.exemple.fr", "password": "x"})

    assert response.status_code == 403
    [record] = refusal_records(caplog)
    line = record.getMessage()
    assert line.startswith("Forbidden (403): user=anonymous path=/connexion/ view=login reason=CSRF (")
    assert "\n" not in line and "planted" not in caplog.text


def test_a_bad_request_is_logged_without_its_traceback(client, caplog, settings):
    caplog.set_level(logging.INFO)
    settings.ALLOWED_HOSTS = ["testserver"]

    response = client.get("/connexion/", HTTP_HOST="evil.exemple.fr")

    assert response.status_code == 400
    [record] = refusal_records(caplog)
    assert record.exc_info is None
    assert record.getMessage() == "Bad Request (400): user=anonymous path=/connexion/ view=- reason=DisallowedHost"
    assert "Traceback" not in caplog.text


def test_the_reason_survives_the_filter_run_twice_on_one_record(rf):
    # dictConfig adds a logger's filters again without removing the former ones: logging configured twice
    # runs the filter twice on one record, and the second pass (the traceback already dropped) kept « - ».
    import sys

    from django.core.exceptions import PermissionDenied

    from common.log_filters import OneLineClientErrors

    try:
        raise PermissionDenied
    except PermissionDenied:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden (403): %s", ("/",), exc_info)
    record.status_code = 403
    record.request = rf.get("/journal-des-acces/")

    for _ in range(2):
        assert OneLineClientErrors().filter(record)

    assert record.getMessage().endswith("reason=PermissionDenied")
    assert record.exc_info is None
