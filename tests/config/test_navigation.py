"""The « Plan du site » (RGAA 12.1, a second navigation system) and the header's menus, both read
from config/navigation.py: for each role of the test world, every link of the site map opens, and
every link of the header is in the site map."""

import html
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from config.navigation import menus
from partners.access import actor_for
from tests.world import ROLES, build_world

pytestmark = pytest.mark.django_db

SIGNED_IN = [role for role in ROLES if role != "anonymous"]

# What each role's main menu showed before it was read from config/navigation.py (base.html's own
# conditions): the extraction changed no one's menu.
MAIN_MENUS = {
    "no_membership": ["Accueil"],
    "adviser_ml": [
        "Accueil",
        "Jeunes",
        "Mes orientations",
        "Séances",
        "Annuaire",
        "Accords",
        "Diagnostics",
        "Mon organisation",
    ],
    "adviser_ft": [
        "Accueil",
        "Jeunes",
        "Mes orientations",
        "Séances",
        "Annuaire",
        "Accords",
        "Diagnostics",
        "Mon organisation",
    ],
    "e2c_staff": [
        "Accueil",
        "Orientations reçues",
        "Séances",
        "Annuaire",
        "Accords",
        "Diagnostics",
        "Mon organisation",
    ],
    "manager_ml": [
        "Accueil",
        "Jeunes",
        "Mes orientations",
        "Séances",
        "Annuaire",
        "Accords",
        "Diagnostics",
        "Mon organisation",
        "Exports",
    ],
    "manager_e2c": [
        "Accueil",
        "Orientations reçues",
        "Séances",
        "Annuaire",
        "Accords",
        "Diagnostics",
        "Mon organisation",
        "Exports",
    ],
    "regional_coordinator": ["Accueil", "Annuaire", "Accords", "Diagnostics", "Indicateurs", "Mon organisation"],
    "national_committee": ["Accueil", "Annuaire", "Accords", "Diagnostics", "Indicateurs", "Mon organisation"],
    "administrator": [
        "Accueil",
        "Annuaire",
        "Accords",
        "Diagnostics",
        "Mon organisation",
        "Envois et tâches",
        "Journal des accès",
        "Conservation",
    ],
}
PUBLIC_PAGES = {"login", "password_reset", "accessibility", "site_map", "information_notice"}


def element(page: str, tag: str) -> str:
    match = re.search(rf"<{tag}[\s>].*?</{tag}>", page, re.S)
    assert match is not None, f"no <{tag}>"
    return match.group(0)


def hrefs(fragment: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'<a [^>]*href="([^"]+)"', fragment)]


def client_for(world, role: str) -> Client:
    client = Client()
    if world.user(role) is not None:
        client.force_login(world.user(role))
    return client


def site_map_links(client: Client) -> list[str]:
    response = client.get(reverse("site_map"))
    assert response.status_code == 200
    return hrefs(element(response.content.decode(), "main"))


@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_the_site_map_opens_for_the_role(role):
    world = build_world()
    client = client_for(world, role)

    links = site_map_links(client)

    refused = {}
    for link in links:
        response = client.get(link, follow=True)
        # The regional coordinator's « Indicateurs » lands on their région: one redirect, as from the menu.
        landed = response.request["PATH_INFO"]
        if (
            response.status_code != 200
            or len(response.redirect_chain) > 1
            or (landed != link and landed == "/connexion/")
        ):
            refused[link] = (response.status_code, response.redirect_chain)
    assert refused == {}
    assert len(links) == len(set(links)), "a page is listed twice"


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_link_of_the_header_is_in_the_site_map(role):
    world = build_world()
    client = client_for(world, role)
    header = element(client.get(reverse("home")).content.decode(), "header")

    in_header = set(hrefs(header))

    assert in_header - set(site_map_links(client)) == set()
    # The header does hold the menus (a role's main menu, the user bar's account links).
    assert reverse("password_change") in in_header


@pytest.mark.parametrize("role", SIGNED_IN)
def test_the_main_menu_of_each_role_is_unchanged_by_its_extraction(role):
    world = build_world()
    header = element(client_for(world, role).get(reverse("home")).content.decode(), "header")

    labels = re.findall(r'<a class="nav-link" href="[^"]+"[^>]*>([^<]+)</a>', header)

    assert labels == MAIN_MENUS[role]


def test_anonymous_visitors_see_the_public_pages_only():
    client = Client()

    links = site_map_links(client)

    assert set(links) == {reverse(name) for name in PUBLIC_PAGES}
    assert all(client.get(link).status_code == 200 for link in links)


def test_a_role_sees_more_than_the_public_pages_and_none_of_the_anonymous_ones():
    world = build_world()

    administrator = set(site_map_links(client_for(world, "administrator")))
    adviser = set(site_map_links(client_for(world, "adviser_ml")))

    assert reverse("login") not in adviser
    assert reverse("audit:access_log") in administrator
    assert reverse("audit:access_log") not in adviser
    assert reverse("cej:young_person_create") in adviser
    assert reverse("partners:team", kwargs={"public_id": world.ml_a.public_id}) not in adviser
    manager = set(site_map_links(client_for(world, "manager_ml")))
    assert reverse("partners:team", kwargs={"public_id": world.ml_a.public_id}) in manager


def test_the_site_map_groups_pages_under_headings_in_nested_lists():
    world = build_world()

    page = client_for(world, "manager_ml").get(reverse("site_map")).content.decode()

    assert "<title>Plan du site — Orientations E2C</title>" in page
    main = element(page, "main")
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", main) == [
        "Accueil",
        "Jeunes et orientations",
        "Réseau des partenaires",
        "Mon organisation",
        "Mon compte",
        "À propos",
    ]
    # « Jeunes » holds its sub-pages in a list of its own.
    assert re.search(r">Jeunes</a>\s*<ul>\s*<li><a href=\"/jeunes/nouveau/\">", main)


@pytest.mark.parametrize("role", ["anonymous", "adviser_ml"])
def test_the_footer_links_to_the_site_map_on_every_page(role):
    world = build_world()
    client = client_for(world, role)

    pages = [reverse("accessibility"), reverse("login") if role == "anonymous" else reverse("home")]

    for url in pages:
        footer = element(client.get(url).content.decode(), "footer")
        assert reverse("site_map") in hrefs(footer), url


@pytest.mark.parametrize("role", SIGNED_IN)
def test_the_menus_cost_no_query_on_each_page(role, rf, django_assert_num_queries):
    world = build_world()
    request = rf.get(reverse("home"))
    request.user = world.user(role)
    request.session = SessionStore()
    actor_for(request)  # the header's identity line has already read the memberships

    with django_assert_num_queries(0):
        links = menus(request)

    assert links["main_menu"][0].label == "Accueil"
