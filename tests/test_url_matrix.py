"""Every URL × every role: the declared status, and no URL left out of the matrix."""

import importlib
import pkgutil

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import tests.url_matrix
from tests.security import COUNTS
from tests.url_matrix import Entry
from tests.world import ROLES, build_world

# Django admin's own pages (model lists, forms…) are guarded by its staff check; its index stands for them.
EXCLUDED_NAMESPACES = {"admin"}


def declared_entries() -> list[Entry]:
    entries = []
    for module in pkgutil.iter_modules(tests.url_matrix.__path__):
        entries.extend(importlib.import_module(f"tests.url_matrix.{module.name}").ENTRIES)
    return entries


def application_url_names() -> set[str]:
    names: set[str] = set()

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
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


ENTRIES = declared_entries()


def test_every_url_of_the_application_is_in_the_matrix():
    declared = {entry.name for entry in ENTRIES}
    assert application_url_names() - declared == set()
    assert len(declared) == len(ENTRIES), "a URL name is declared twice"


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_each_role_gets_the_declared_status(client, entry):
    world = build_world()
    url = entry.url(world)
    answered = {}
    for role in ROLES:
        client.logout()
        if world.user(role) is not None:
            client.force_login(world.user(role))
        answered[role] = client.get(url).status_code
    assert answered == entry.expected

    # The attack battery's POST half, on the same world: where a role may not read the page, a POST
    # does not succeed either (anonymous: sent to sign in); without a CSRF token, or with a wrong one, 403.
    unexpected = {}
    for role in ROLES:
        if entry.expected[role] not in (302, 403, 404):
            continue
        client.logout()
        if world.user(role) is not None:
            client.force_login(world.user(role))
        status = client.post(url, {}).status_code
        COUNTS["POST (URL × rôle)"] += 1
        allowed = {302} if entry.expected[role] == 302 else {403, 404, 405}
        if status not in allowed:
            unexpected[role] = status
    assert unexpected == {}
    reader = next((r for r, status in entry.expected.items() if status == 200 and r != "anonymous"), "adviser_ml")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.user(reader))
    missing = strict.post(url, {}).status_code
    strict.cookies["csrftoken"] = "a" * 32
    wrong = strict.post(url, {"csrfmiddlewaretoken": "b" * 32}, HTTP_X_CSRFTOKEN="b" * 32).status_code
    COUNTS["POST sans jeton CSRF ou avec un faux"] += 2
    assert (missing, wrong) == (403, 403)
