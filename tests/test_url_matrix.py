"""Every URL × every role: the declared status, and no URL left out of the matrix."""

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import tests.url_matrix
from common.http_methods import declared_methods
from tests import query_snapshots
from tests.security import COUNTS
from tests.url_matrix import Entry
from tests.world import ROLES, World

# Django admin's own pages (model lists, forms…) are guarded by its staff check; its index stands for them.
EXCLUDED_NAMESPACES = {"admin"}


def declared_entries() -> list[Entry]:
    entries = []
    for module in pkgutil.iter_modules(tests.url_matrix.__path__):
        entries.extend(importlib.import_module(f"tests.url_matrix.{module.name}").ENTRIES)
    return entries


def application_views() -> dict[str, Callable[..., Any]]:
    """Each URL name of the application, with namespace, and its view."""
    views: dict[str, Callable[..., Any]] = {}

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if inner in EXCLUDED_NAMESPACES:
                    continue
                walk(
                    pattern.url_patterns,
                    f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else inner,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                views[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern.callback

    walk(get_resolver().url_patterns, None)
    return views


def application_url_names() -> set[str]:
    return set(application_views())


ENTRIES = declared_entries()


def test_every_url_of_the_application_is_in_the_matrix():
    declared = {entry.name for entry in ENTRIES}
    assert application_url_names() - declared == set()
    assert len(declared) == len(ENTRIES), "a URL name is declared twice"


@pytest.fixture
def world(shared_world) -> World:
    """One world for the module (tests/conftest.py), not one per entry: each test's savepoint is rolled back."""
    return shared_world


def request_as(client, world, role, method, url, signed_in=False):
    if not signed_in:
        client.logout()
        if world.user(role) is not None:
            client.force_login(world.user(role))
    if method == "POST":
        return client.post(url, {})
    return client.generic(method, url)


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_each_role_gets_the_declared_status(client, world, entry):
    url = entry.url(world)
    answered = {}
    queries: dict[str, list[str]] = {}
    for role in ROLES:
        client.logout()
        if world.user(role) is not None:
            client.force_login(world.user(role))
        # Each page's queries, recorded on the way (tests/query_snapshots), compared at the end of the test.
        with query_snapshots.recording() as queries[role]:
            answered[role] = request_as(client, world, role, entry.first_method, url, signed_in=True).status_code
    assert answered == entry.expected

    # The attack battery's POST half, on the same world: where a role may not read the page, a POST
    # does not succeed either (anonymous: sent to sign in); a page without a form refuses any POST (405).
    unexpected = {}
    for role in ROLES:
        if entry.first_method != "GET" or entry.expected[role] not in (302, 403, 404):
            continue
        status = request_as(client, world, role, "POST", url).status_code
        COUNTS["POST (URL × rôle)"] += 1
        refusals = {302} if entry.expected[role] == 302 else {403, 404}
        allowed = refusals if "POST" in entry.methods else {405}
        if status not in allowed:
            unexpected[role] = status
    assert unexpected == {}
    # Without a CSRF token, or with a wrong one: 403 where the view takes a POST; 405 where it takes none (the
    # method is refused before the token is looked at: common/http_methods.py).
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.user(reader_of(entry)))
    missing = strict.post(url, {}).status_code
    strict.cookies["csrftoken"] = "a" * 32
    wrong = strict.post(url, {"csrfmiddlewaretoken": "b" * 32}, HTTP_X_CSRFTOKEN="b" * 32).status_code
    COUNTS["POST sans jeton CSRF ou avec un faux"] += 2
    assert (missing, wrong) == ((403, 403) if "POST" in entry.methods else (405, 405))

    # The page's queries for each role are those of its committed snapshot (a GET page; a POST-only URL is
    # an action, not a page).
    if entry.first_method == "GET":
        difference = query_snapshots.compare(entry.name, queries)
        assert difference is None, difference


def test_every_query_snapshot_is_a_page_of_the_matrix():
    """No snapshot file is left behind by a page removed or renamed (removed in update mode)."""
    pages = {entry.name for entry in ENTRIES if entry.first_method == "GET"}
    stale = query_snapshots.committed() - pages
    if query_snapshots.UPDATING:
        for name in stale:
            query_snapshots.path_of(name).unlink()
        stale = set()
    assert stale == set()


def reader_of(entry: Entry) -> str:
    """A signed-in role the URL answers (200, else a redirection), to try its methods as."""
    for wanted in ({200}, {200, 302}):
        for role, status in entry.expected.items():
            if role != "anonymous" and status in wanted:
                return role
    return "adviser_ml"


EVERY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS")


def implemented(entry: Entry) -> set[str]:
    return set(entry.methods) | ({"HEAD"} if "GET" in entry.methods else set())


def methods_answered(client: Client, entry: Entry, url: str) -> dict[str, object]:
    """Each method's answer: the status and Allow header of a 405 and of OPTIONS, the status of a POST the
    view takes (without its token: the CSRF check's 403), else only that the view was reached."""
    answered: dict[str, object] = {}
    for method in EVERY_METHOD:
        if method == "GET" and "GET" in entry.methods:
            answered[method] = "reached"  # each role's GET: test_each_role_gets_the_declared_status; HEAD runs it
            continue
        response = client.generic(method, url)
        COUNTS["méthodes HTTP (URL × méthode)"] += 1
        if response.status_code == 405 or method == "OPTIONS":
            answered[method] = (response.status_code, response.get("Allow"))
        elif method == "POST":
            answered[method] = response.status_code
        else:
            answered[method] = "reached"
    return answered


def methods_expected(entry: Entry) -> dict[str, object]:
    allow = ", ".join(method for method in EVERY_METHOD if method in implemented(entry) | {"OPTIONS"})
    expected: dict[str, object] = {}
    for method in EVERY_METHOD:
        if method == "OPTIONS" or method not in implemented(entry):
            expected[method] = (200 if method == "OPTIONS" else 405, allow)
        else:
            expected[method] = 403 if method == "POST" else "reached"
    return expected


@pytest.mark.django_db
def test_each_url_answers_only_the_methods_its_view_implements(world):
    # Given one world, and for each URL a role it answers, with the CSRF check on as for a browser or curl
    client = Client(enforce_csrf_checks=True)
    wrong = {}
    for entry in ENTRIES:
        # Each URL in a savepoint rolled back: what one creates or posts does not reach the next.
        with transaction.atomic():
            url = entry.url(world)
            client.logout()
            client.force_login(world.user(reader_of(entry)))
            # When every method is tried
            answered = methods_answered(client, entry, url)
            transaction.set_rollback(True)
        if answered != methods_expected(entry):
            wrong[entry.name] = answered
    # Then the methods the view does not implement answer 405 with the Allow header, before the CSRF check;
    # OPTIONS answers 200 with it; the implemented ones reach the view (a POST: the CSRF check's 403)
    assert wrong == {}


def test_every_view_of_the_application_declares_its_methods():
    """The declaration the middleware reads (common/http_methods.py): no view is left to the default."""
    assert {name for name, view in application_views().items() if declared_methods(view) is None} == set()
