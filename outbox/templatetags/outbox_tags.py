"""The bell in the user bar: unread notifications of the signed-in person (one indexed count)."""

from __future__ import annotations

from typing import Any

from django import template

from outbox.selectors import unread_count

register = template.Library()


@register.inclusion_tag("outbox/_bell.html", takes_context=True)
def notification_bell(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    count = unread_count(user.pk) if user is not None and user.is_authenticated else 0
    return {"unread": count, "request": request}
