"""Régions and départements are read once per process (partners/geography.py)."""

import importlib

import pytest
from django.apps import apps

from partners.geography import clear_cache, geography
from partners.models import Departement, Region

pytestmark = pytest.mark.django_db

geography_migration = importlib.import_module("partners.migrations.0002_load_geography")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """These tests change the reference rows inside their transaction: nothing they cached outlives it."""
    clear_cache()
    yield
    clear_cache()


def test_read_once_then_served_without_query(django_assert_num_queries):
    with django_assert_num_queries(2):
        places = geography()
    with django_assert_num_queries(0):
        assert geography() is places
    assert len(places.regions) == 18 and len(places.departements) == 101
    assert places.region_name("84") == "Auvergne-Rhône-Alpes"
    assert places.departement_label("69") == "Rhône (69)" == str(Departement.objects.get(code="69"))
    assert places.region_of("2A") == "94"
    assert [code for code, _name in places.departements_of("94")] == ["2A", "2B"]
    # the régions in name order, as the database sorts them
    assert list(places.regions.values()) == list(Region.objects.order_by("name").values_list("name", flat=True))
    assert places.region_name("99") is None and places.departement_label(None) is None


def test_a_change_in_this_process_is_seen():
    geography()
    Region.objects.filter(code="84").update(name="ignored by the cache")  # no signal: still cached
    assert geography().region_name("84") == "Auvergne-Rhône-Alpes"
    region = Region.objects.get(code="84")
    region.name = "Rhône-Alpes-Auvergne"
    region.save()  # post_save drops the cache
    assert geography().region_name("84") == "Rhône-Alpes-Auvergne"


def test_an_empty_read_is_not_kept(django_assert_num_queries):
    Departement.objects.all().delete()
    Region.objects.all().delete()
    assert geography().regions == {}
    geography_migration.load(apps, None)  # the reference data back (as after a test database's flush)
    assert geography().region_name("11") == "Île-de-France"
    with django_assert_num_queries(0):
        geography()
