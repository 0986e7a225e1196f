"""``reverse`` for the routes whose arguments are all UUIDs, reversed once per process (issue 21).

A page links many rows; each ``reverse()`` walks the resolver (about 40 µs). Here a route is reversed
once with placeholder UUIDs, then each link only fills its UUIDs in (``{% uuid_url %}``, list rows).
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=256)
def _pattern(viewname: str, names: tuple[str, ...], prefix: str, urlconf: Any) -> tuple[str, dict[str, str]]:
    """The route's address with a distinct placeholder UUID for each argument (``prefix``: the
    script prefix ``reverse`` writes first, part of the key like the URLconf)."""
    placeholders = {name: str(uuid.UUID(int=index + 1)) for index, name in enumerate(names)}
    return reverse(viewname, kwargs=placeholders, urlconf=urlconf), placeholders


def uuid_reverse(viewname: str, **kwargs: uuid.UUID | str) -> str:
    """``reverse(viewname, kwargs=kwargs)`` for UUID arguments (a string must be a valid UUID)."""
    url, placeholders = _pattern(viewname, tuple(sorted(kwargs)), get_script_prefix(), get_urlconf())
    for name, value in kwargs.items():
        url = url.replace(placeholders[name], str(value if isinstance(value, uuid.UUID) else uuid.UUID(value)))
    return url
