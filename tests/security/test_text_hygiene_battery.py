"""The attack battery, text hygiene: control and invisible characters in every single-line field.

Every page of the URL matrix is opened as a role that may read it; each of its POST forms is sent
back as a browser would (its own values, hidden ones included), one single-line text field at a time
carrying a control or invisible character (right-to-left override, zero-width space, tabulation, line
break, byte-order mark, NUL…). Each time: no server error, the form comes back with the French
message naming the character, and no table of the database holds the payload.

Counts are added to ``tests.security.COUNTS`` (« caractères de contrôle dans les champs d'une ligne »).
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from tests.security import COUNTS
from tests.security.test_attack_battery import FORM_ENTRIES, _client_for, _reader
from tests.world import build_world

pytestmark = pytest.mark.django_db
LABEL = "caractères de contrôle dans les champs d'une ligne"
MESSAGE = "Ce champ contient un caractère invisible ou de contrôle (U+"
# Right-to-left override, zero-width space, tabulation, line feed, carriage return, byte-order mark,
# left-to-right isolate, NUL, escape: one per field, in turn.
CHARACTERS = ["\u202e", "\u200b", "\t", "\n", "\r", "\ufeff", "\u2066", "\x00", "\x1b"]
SINGLE_LINE_TYPES = {"", "text", "email", "search", "tel", "url"}
# Forms that end the session or leave the site: not fed.
SKIPPED_ACTIONS = {"logout"}
# The same form (the header's, a list's filter) met on many pages is fed once.
FED: set[tuple[str, tuple[str, ...]]] = set()


class _Forms(HTMLParser):
    """The page's POST forms: action, and every field as the browser would send it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            if attributes.get("method", "get").lower() == "post":
                self._form = {"action": attributes.get("action", ""), "values": {}, "single_line": []}
                self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    form["values"][name] = attributes.get("value", "on")
                return
            form["values"][name] = attributes.get("value", "")
            if kind in SINGLE_LINE_TYPES and name != "csrfmiddlewaretoken" and "readonly" not in attributes:
                form["single_line"].append(name)
        elif tag == "select" and name:
            self._select = name
            form["values"].setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in attributes or not form["values"].get(self._select):
                form["values"][self._select] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            form["values"][name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["values"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _tables() -> list[str]:
    return sorted(
        {model._meta.db_table for model in apps.get_models() if model._meta.managed and not model._meta.proxy}
    )


def _tables_holding(payload: str) -> list[str]:
    """The tables with a row whose text holds ``payload`` (as typed, or escaped in a JSON column)."""
    escaped = json.dumps(payload, ensure_ascii=False)[1:-1]
    patterns = sorted({payload, escaped, escaped.replace("\\", "\\\\")})
    condition = " OR ".join("strpos(row_text, %s) > 0" for _ in patterns)
    sql = " UNION ALL ".join(
        f"SELECT '{table}' FROM (SELECT x::text AS row_text FROM \"{table}\" x) r WHERE {condition}"  # noqa: S608 (our table names)
        for table in _tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, patterns * len(_tables()))
        return [row[0] for row in cursor.fetchall()]


def _action_name(action: str) -> str:
    try:
        return resolve(urlsplit(action).path).view_name
    except Resolver404:
        return ""


@pytest.mark.parametrize("entry", FORM_ENTRIES, ids=[entry.name for entry in FORM_ENTRIES])
def test_control_and_invisible_characters_in_every_single_line_field_are_refused_in_french(entry):
    world = build_world()
    url = entry.url(world)
    client: Client = _client_for(world, _reader(entry))
    page = client.get(url)
    assert page.status_code == 200
    if not page["Content-Type"].startswith("text/html"):
        return
    parser = _Forms()
    parser.feed(page.content.decode())
    problems: list[str] = []
    for form in parser.forms:
        action = form["action"] or url
        name = _action_name(action)
        key = (name or action, tuple(sorted(form["values"])))
        if name in SKIPPED_ACTIONS or not form["single_line"] or key in FED:
            continue
        FED.add(key)
        for index, field in enumerate(form["single_line"]):
            char = CHARACTERS[(len(FED) + index) % len(CHARACTERS)]
            payload = f"Essai{char}valeur"
            # Followed: a page that redirects (a search) shows the message on the page it leads to.
            response = client.post(action, {**form["values"], field: payload}, follow=True)
            COUNTS[LABEL] += 1
            where = f"{name or action} « {field} » U+{ord(char):04X}"
            shown = response.content.decode(errors="replace")
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif char == "\x00":  # refused before any view by common.middleware, on a French page
                if (response.status_code, "Demande incorrecte" in shown) != (400, True):
                    problems.append(f"{where}: answered {response.status_code}, not the « Demande incorrecte » page")
            elif response.status_code != 200 or MESSAGE not in shown:
                problems.append(f"{where}: answered {response.status_code} without the French message")
            if char != "\x00":  # PostgreSQL text cannot hold NUL: nothing to look for
                stored = _tables_holding(payload)
                if stored:
                    problems.append(f"{where}: stored in {stored}")
    assert problems == []
