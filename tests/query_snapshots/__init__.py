"""The SQL each page runs, pinned (issue 20, les-emplois style): a new query on a page shows in review.

``tests/test_url_matrix.py`` already requests every page as every role; around each GET it records the
queries (:func:`recording`), shaped so that the same code gives the same text whatever the data, the
process or the order of the tests (:func:`shape`), and compares them with the page's committed file,
``tests/query_snapshots/<url name>.json`` (``:`` of the namespace written ``.``): one list of queries per
role. A page without its file fails. To write the files again after a deliberate change::

    UPDATE_QUERY_SNAPSHOTS=1 .venv/bin/pytest -p no:cacheprovider -n 2 tests/test_url_matrix.py

then read the diff of ``tests/query_snapshots/`` before committing it.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection

from partners import geography

FOLDER = Path(__file__).parent
UPDATING = os.environ.get("UPDATE_QUERY_SNAPSHOTS") == "1"

_SAVEPOINT = re.compile(r'"s\d+_x\d+"')
_IN_LIST = re.compile(r"\bIN \((?:%s(?:, )?)+\)")
_VALUES = re.compile(r"VALUES (?:\((?:%s|DEFAULT|NULL)(?:, (?:%s|DEFAULT|NULL))*\)(?:, )?)+")
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w.\"])\d+(?:\.\d+)?\b")
_SPACES = re.compile(r"\s+")
_COLUMNS = re.compile(r'"(\w+)"\."\w+"(?:, "\1"\."\w+")+')


def shape(sql: str) -> str:
    """The query without what varies from one run to the next: its parameters are already placeholders
    (recorded before psycopg fills them in); savepoint names (the thread's id), the length of IN and VALUES
    lists, literal strings and numbers written into the SQL are replaced by a mark. For reading, a list of a
    table's columns is written ``table.*`` and identifiers lose their quotes."""
    sql = _SPACES.sub(" ", sql).strip()
    sql = _SAVEPOINT.sub('"s"', sql)
    sql = _IN_LIST.sub("IN (…)", sql)
    sql = _VALUES.sub("VALUES (…)", sql)
    sql = _STRING.sub("'…'", sql)
    sql = _NUMBER.sub("N", sql)
    return _COLUMNS.sub(r"\1.*", sql).replace('"', "")


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """The shaped queries run on the default database inside the block. The process caches that would make
    a query depend on what ran before (content types, régions and départements, the Redis cache) are emptied
    first, so a page runs the same queries whichever test or role came before it."""
    ContentType.objects.clear_cache()
    geography.clear_cache()
    cache.clear()
    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(("[many] " if many else "") + shape(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield queries


def path_of(url_name: str) -> Path:
    return FOLDER / f"{url_name.replace(':', '.')}.json"


def url_name_of(path: Path) -> str:
    return path.stem.replace(".", ":")


def committed() -> set[str]:
    """The URL names that have a snapshot file."""
    return {url_name_of(path) for path in FOLDER.glob("*.json")}


def render(queries: dict[str, list[str]]) -> str:
    return json.dumps(queries, indent=1, ensure_ascii=False) + "\n"


def compare(url_name: str, queries: dict[str, list[str]]) -> str | None:
    """None if the page ran the committed queries (or the file was just written, in update mode), else
    what differs, as a diff of the file."""
    path = path_of(url_name)
    text = render(queries)
    if UPDATING:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        return None
    if not path.exists():
        return f"{path.relative_to(FOLDER.parent.parent)} is missing: {HOW_TO_UPDATE}"
    before = path.read_text(encoding="utf-8")
    if before == text:
        return None
    diff = difflib.unified_diff(before.splitlines(), text.splitlines(), "committed", "this run", lineterm="", n=1)
    return "\n".join(["The page's queries changed (" + HOW_TO_UPDATE + "):", *diff])


HOW_TO_UPDATE = "if intended, UPDATE_QUERY_SNAPSHOTS=1 .venv/bin/pytest -n 2 tests/test_url_matrix.py, then review"
