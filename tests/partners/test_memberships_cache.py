"""Each session's memberships come from the cache between pages (issue 21), and any change shows on the next page."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.access import Actor
from partners.enums import Role
from partners.models import Membership, Organisation
from partners.services.members import membership_change_role, membership_deactivate
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

SITE_MAP = "site_map"


def acting(client: Client, url_name: str = "home"):
    response = client.get(reverse(url_name))
    return response.context["actor"], response.context["user_memberships"], response


def membership_queries(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"] for query in queries.captured_queries if query["sql"].startswith('SELECT "partners_membership"')
    ]


def test_a_signed_in_page_reads_only_the_session_and_the_user():
    # Given an adviser just signed in (the sign-in fills the cache)
    world = build_world()
    client = Client()
    client.force_login(world.user("adviser_ml"))

    # When they open a page that reads nothing of its own (the site map: header, menus, bell)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(SITE_MAP))

    # Then the page costs Django's own two queries, as a plain Django page: the session and the user;
    # their memberships, their organisation's sites and their unread count come from the cache
    assert response.status_code == 200
    assert len(queries) == 2, [query["sql"] for query in queries.captured_queries]
    assert response.context["actor"].membership == world.memberships["adviser_ml"]


def test_a_new_session_reads_the_memberships_once_then_never_again():
    world = build_world()
    client = Client()
    client.force_login(world.user("e2c_staff"))
    cache.clear()  # as after a Redis restart: the first page reads them, the second does not
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("home"))
    with CaptureQueriesContext(connection) as second:
        actor, _, _ = acting(client)

    assert len(membership_queries(first)) == 1
    assert membership_queries(second) == []
    # The sites of a school come with the memberships: family_ids reads nothing more.
    assert actor.family_ids == [world.site.pk]


def test_a_role_changed_by_a_manager_shows_on_the_persons_next_page():
    world = build_world()
    adviser = Client()
    adviser.force_login(world.user("adviser_ml"))
    assert acting(adviser)[0].role == Role.ADVISER

    manager = world.memberships["manager_ml"]
    membership_change_role(
        actor=Actor(user=manager.user, membership=manager),
        membership=world.memberships["adviser_ml"],
        role=Role.MANAGER,
    )

    assert acting(adviser)[0].role == Role.MANAGER


def test_a_deactivated_membership_disappears_from_the_next_page():
    # Given an adviser who also belongs to France Travail, and acts for their Mission Locale
    world = build_world()
    adviser = world.user("adviser_ml")
    second = MembershipFactory(user=adviser, organisation=world.ft, role=Role.ADVISER)
    client = Client()
    client.force_login(adviser)
    assert [m.pk for m in acting(client)[1]] == [world.memberships["adviser_ml"].pk, second.pk]

    # When their Mission Locale's manager closes that membership
    manager = world.memberships["manager_ml"]
    membership_deactivate(
        actor=Actor(user=manager.user, membership=manager), membership=world.memberships["adviser_ml"]
    )

    # Then their next page acts for France Travail only
    actor, memberships, _ = acting(client)
    assert [m.pk for m in memberships] == [second.pk]
    assert actor.membership == second


def test_a_membership_changed_in_bulk_shows_on_the_next_page():
    world = build_world()
    client = Client()
    client.force_login(world.user("adviser_ml"))
    assert client.get(reverse("partners:directory")).status_code == 200

    Membership.objects.filter(pk=world.memberships["adviser_ml"].pk).update(is_active=False)

    assert client.get(reverse("partners:directory")).status_code == 403


def test_a_new_membership_appears_on_the_next_page():
    world = build_world()
    client = Client()
    client.force_login(world.user("adviser_ml"))
    assert len(acting(client)[1]) == 1

    MembershipFactory(user=world.user("adviser_ml"), organisation=world.ft, role=Role.ADVISER)

    assert len(acting(client)[1]) == 2


def test_an_organisation_renamed_or_closed_shows_on_the_next_page():
    world = build_world()
    client = Client()
    client.force_login(world.user("e2c_staff"))
    assert acting(client)[0].organisation.name == world.site.name

    world.site.name = "E2C — site renommé"
    world.site.save(update_fields=["name"])
    assert acting(client)[0].organisation.name == "E2C — site renommé"

    Organisation.objects.filter(pk=world.site.pk).update(is_active=False)
    assert acting(client)[0].membership is None


def test_a_new_site_of_a_school_is_in_its_managers_reach_on_the_next_page():
    world = build_world()
    client = Client()
    client.force_login(world.user("manager_e2c"))
    before = acting(client)[0].family_ids

    new_site = OrganisationFactory(kind=world.site.kind, parent=world.school, departement=world.site.departement)

    assert set(acting(client)[0].family_ids) == {*before, new_site.pk}


def test_after_signing_out_and_in_as_someone_else_the_browser_sees_the_new_persons_memberships():
    world = build_world()
    client = Client()
    client.force_login(world.user("adviser_ml"))
    assert acting(client)[0].membership == world.memberships["adviser_ml"]

    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302  # signed out: the sign-in page
    client.force_login(world.user("e2c_staff"))

    assert acting(client)[0].membership == world.memberships["e2c_staff"]


def test_two_sessions_of_two_people_never_share_a_cached_value():
    world = build_world()
    first, second = Client(), Client()
    first.force_login(world.user("adviser_ml"))
    second.force_login(world.user("adviser_ft"))

    for _ in range(2):
        assert acting(first)[0].membership == world.memberships["adviser_ml"]
        assert acting(second)[0].membership == world.memberships["adviser_ft"]
    assert first.session[SESSION_KEY] != second.session[SESSION_KEY]


def test_a_cache_that_fails_reads_the_database_and_serves_the_page(monkeypatch):
    # Given a Redis that no longer answers
    world = build_world()
    client = Client()
    client.force_login(world.user("adviser_ml"))

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for method in ("get_many", "set", "set_many", "add", "delete"):
        monkeypatch.setattr(cache, method, down)

    # When the adviser opens a page, Then it is served from the database
    with CaptureQueriesContext(connection) as queries:
        actor, _, response = acting(client)
    assert response.status_code == 200
    assert actor.membership == world.memberships["adviser_ml"]
    assert len(membership_queries(queries)) == 1
    assert any("outbox_message" in query["sql"] for query in queries.captured_queries)
