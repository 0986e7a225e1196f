"""The attack battery: every URL of the matrix attacked the ways a curious or hostile person would.

- POST as every role: no success where the role may not even read the page, and CSRF token missing
  or wrong: 403 (both in ``tests/test_url_matrix.py``, on the world its GETs use);
- random and guessed identifiers on every detail URL: 404, never a page, never a server error;
- every form fed malformed input (Hypothesis): no server error, every payload shown back escaped;
- a planted name and e-mail address never reach the application's logs.

Counts are added up in ``tests.security.COUNTS`` and printed at the end of the run.
"""

from __future__ import annotations

import logging
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.runs import run_job
from tests.security import COUNTS
from tests.test_url_matrix import ENTRIES
from tests.world import build_world

pytestmark = pytest.mark.django_db
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
GUESSES = ["00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000001", "1", "0", "-1", "..%2F"]
RANDOM_IDENTIFIERS_TOTAL = 1000


def _client_for(world, role: str) -> Client:
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def _reader(entry) -> str | None:
    """A signed-in role that may read the page (the strongest attacker: one with access); none for an action
    posted from another page (POST only: its form, and the attack on it, are that page's)."""
    if "GET" not in entry.methods:
        return None
    return next((role for role, status in entry.expected.items() if status == 200 and role != "anonymous"), None)


# --- The access matrix, POST, and CSRF: in tests/test_url_matrix.py (same world as the GETs) ---------


# --- Random and guessed identifiers ---------------------------------------------------------------


def _uuid_url_names() -> set[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and "<uuid:" in str(pattern.pattern):
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


UUID_URL_NAMES = _uuid_url_names()
WITH_IDENTIFIERS = [entry for entry in ENTRIES if _reader(entry) and entry.name in UUID_URL_NAMES]
PER_URL = -(-RANDOM_IDENTIFIERS_TOTAL // max(len(WITH_IDENTIFIERS), 1))


@pytest.mark.parametrize("entry", WITH_IDENTIFIERS, ids=[entry.name for entry in WITH_IDENTIFIERS])
def test_random_and_guessed_identifiers_are_not_found(entry, settings):
    settings.RATELIMIT_ENABLE = False  # the scoping is tested here; the brake (429) in tests/throttle
    world = build_world()
    url = entry.url(world)
    identifiers = UUID.findall(url)
    assert identifiers, f"{entry.name}: a <uuid> URL whose matrix entry carries no identifier"
    client = _client_for(world, _reader(entry))
    answered = set()
    for identifier in identifiers:
        for attempt in [*(str(uuid.uuid4()) for _ in range(PER_URL)), *GUESSES]:
            status = client.get(url.replace(identifier, attempt, 1)).status_code
            COUNTS["identifiants aléatoires ou devinés"] += 1
            answered.add(status)
    assert answered == {404}


# --- Malformed input in every form -------------------------------------------------------------------


class _FormFields(HTMLParser):
    """Names of the fields of the page's forms, by method (file inputs and the CSRF token left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.method: str | None = None
        self.fields: dict[str, list[str]] = {"get": [], "post": []}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.method = (attributes.get("method") or "get").lower()
        elif self.method in self.fields and tag in ("input", "select", "textarea"):
            name = attributes.get("name")
            kind = (attributes.get("type") or "").lower()
            if name and name != "csrfmiddlewaretoken" and kind not in ("file", "submit", "hidden"):
                self.fields[self.method].append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.method = None


PAYLOADS = st.one_of(
    st.text(min_size=0, max_size=40),
    # Very long strings, built once (Hypothesis is slow at generating thousands of characters).
    st.sampled_from(["é'\"<>&a" * 800, "x" * 20_000]),
    st.sampled_from(
        [
            "<script>alert('x')</script>",
            '"><img src=x onerror=alert(1)>',
            "'; DROP TABLE cej_youngperson; --",
            "1 OR 1=1",
            "\x00nul\x00",
            "2026-02-30",
            "31/13/2026",
            "9999-99-99",
            "-1",
            "-999999999999",
            "1e309",
            "../../etc/passwd",
            "{{ 7*7 }}",
        ]
    ),
)
ESCAPE_MARKERS = ("<script>alert('x')</script>", '"><img src=x onerror=alert(1)>')
FORM_ENTRIES = [entry for entry in ENTRIES if _reader(entry) and entry.name not in ("logout",)]


# Query parameters every list understands (search, filters, keyset cursors), fuzzed on every page.
COMMON_QUERY = ["q", "apres", "avant", "etat", "page", "semestre"]


@pytest.mark.parametrize("entry", FORM_ENTRIES, ids=[entry.name for entry in FORM_ENTRIES])
def test_malformed_input_in_every_form_is_refused_or_escaped_never_a_server_error(entry):
    world = build_world()
    url = entry.url(world)
    client = _client_for(world, _reader(entry))
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    if page["Content-Type"].startswith("text/html"):
        parser.feed(page.content.decode())
    form_query_fields = sorted(set(parser.fields["get"]))
    query_fields = sorted(set(form_query_fields) | set(COMMON_QUERY))
    post_fields = sorted(set(parser.fields["post"]))

    if post_fields:  # invalid UTF-8 and NUL bytes in the raw body
        body = b"&".join(name.encode() + b"=%FF%FE%00" for name in post_fields)
        raw = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert raw.status_code < 500
        COUNTS["formulaires : saisies malformées"] += 1

    def check(response, data):
        assert response.status_code < 500, (data, response.status_code)
        if response.get("Content-Type", "").startswith("text/html"):
            shown = response.content.decode(errors="replace")
            for marker in ESCAPE_MARKERS:
                assert marker not in shown, f"{marker!r} shown back unescaped"

    @settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    @given(st.fixed_dictionaries(dict.fromkeys(query_fields, PAYLOADS)))
    def attack_query(data):
        check(client.get(url, data), data)
        COUNTS["formulaires : saisies malformées"] += 1

    # Every page: the common list parameters, each given a script and a NUL byte.
    for payload in (*ESCAPE_MARKERS, "\x00", "9" * 400):
        data = dict.fromkeys(query_fields, payload)
        check(client.get(url, data), data)
        COUNTS["formulaires : saisies malformées"] += 1
    if form_query_fields:  # a search or filter form: Hypothesis on its fields
        attack_query()
    if post_fields:

        @settings(
            max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        @given(st.fixed_dictionaries(dict.fromkeys(post_fields, PAYLOADS)))
        def attack_post(data):
            check(client.post(url, data), data)
            COUNTS["formulaires : saisies malformées"] += 1

        attack_post()


# --- Logs ---------------------------------------------------------------------------------------------


@override_settings(AXES_ENABLED=True)  # its sign-in failure lines are among the logs inspected
def test_a_planted_name_and_e_mail_never_reach_the_logs(client, caplog):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    caplog.set_level(logging.DEBUG)
    planted_name, planted_email = "Plantetémoin", "plante.temoin@exemple.fr"

    client.post(
        reverse("cej:young_person_create"),
        {
            "last_name": planted_name,
            "first_name": "Zéphyrin",
            "birth_date": "2006-05-04",
            "departement": "69",
            "email": planted_email,
            "phone": "06 12 34 56 78",
        },
    )
    client.post(reverse("cej:young_people"), {"q": planted_name}, follow=True)
    client.get(f"/jeunes/{uuid.uuid4()}/")
    client.logout()
    for _attempt in range(6):  # up to the lockout
        client.post(reverse("login"), {"username": planted_email, "password": "faux"})
    run_job("delivery_sweep")  # the messages the new file caused, delivered by the job's code path
    COUNTS["journaux inspectés (lignes)"] += len(caplog.records)
    assert len(caplog.records) > 5  # the inspection saw the sign-in failures, the lockout and the job

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert planted_name not in logged and planted_email not in logged
