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


@pytest.mark.django_db
def test_a_nul_byte_in_a_query_or_a_form_gets_a_400_page_not_a_server_error(client):
    assert client.get("/connexion/", {"next": "/\x00"}).status_code == 400
    response = client.post("/connexion/", {"username": "a\x00@exemple.fr", "password": "x"})
    assert response.status_code == 400
    assert "Demande incorrecte" in response.content.decode()
    assert client.get("/connexion/", {"next": "/"}).status_code == 200
