"""Who receives a reminder, read for a whole batch at once (one query, not one per row).

Walking the rows in batches is ``scheduling.batches.in_batches``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from partners.models import Membership, User


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
