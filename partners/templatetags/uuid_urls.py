"""``{% uuid_url %}``: ``{% url %}`` for the routes whose arguments are all UUIDs (issue 21).

A file page links some twenty times; each ``reverse()`` walks the resolver (about 40 µs). Here a
route is reversed once per process with placeholder UUIDs, then each link only fills its UUIDs in.
"""

from __future__ import annotations

import uuid

from django import template

from common.uuid_urls import uuid_reverse

register = template.Library()

__all__ = ["uuid_reverse", "uuid_url"]


@register.simple_tag
def uuid_url(viewname: str, **kwargs: uuid.UUID | str) -> str:
    """``{% uuid_url 'cej:young_person_update' public_id=young_person.public_id %}``."""
    return uuid_reverse(viewname, **kwargs)
