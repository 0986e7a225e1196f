"""``{% uuid_url %}``: ``{% url %}`` for the routes whose arguments are all UUIDs (issue 21).

A file page links some twenty times; each ``reverse()`` walks the resolver (about 40 µs). Here a
route is reversed once per process with placeholder UUIDs, then each link only fills its UUIDs in.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


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


@register.simple_tag
def uuid_url(viewname: str, **kwargs: uuid.UUID | str) -> str:
    """``{% uuid_url 'cej:young_person_update' public_id=young_person.public_id %}``."""
    return uuid_reverse(viewname, **kwargs)
