import pytest
from django.urls import reverse

from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_an_oversized_upload_is_refused_before_being_read(client, settings):
    world = build_world()
    client.force_login(world.user("administrator"))
    settings.MAX_REQUEST_BODY_BYTES = 1024

    response = client.post(reverse("partners:import_upload"), {"file": "x" * 5000})

    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.content.decode()
    assert "rien n'a été enregistré" in response.content.decode()


def test_a_normal_request_goes_through(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    assert client.get(reverse("home")).status_code == 200
