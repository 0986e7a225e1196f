"""Who receives a reminder, read for a whole batch at once (one query, not one per row)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.db.models import Model, QuerySet

from partners.models import Membership, User

M = TypeVar("M", bound=Model)


def members_by_organisation(organisation_ids: Iterable[int], roles: Iterable[str]) -> dict[int, list[User]]:
    """Active people with one of ``roles`` in each of the organisations (active memberships only)."""
    found: dict[int, list[User]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(
            organisation_id__in=set(organisation_ids),
            role__in=list(roles),
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("organisation_id", "user_id")
    )
    for membership in memberships:
        found[membership.organisation_id].append(membership.user)
    return found


def in_batches(queryset: QuerySet[M], size: int = 500) -> Iterator[list[M]]:
    """The rows of ``queryset`` by increasing primary key, ``size`` at a time (bounded memory)."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk
