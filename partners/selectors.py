"""Reads about users and their organisations, always for one given user."""

from django.http import HttpRequest

from partners.models import Membership, User


def memberships_for_user(*, user: User) -> list[Membership]:
    """The active memberships of ``user``, oldest first, with their organisation."""
    return list(
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership the user acts under for this request (cached on the request).

    Until issue #3 lets a user with several memberships pick one, it is the oldest.
    """
    if not hasattr(request, "_current_membership"):
        user = request.user
        membership = None
        if user.is_authenticated:
            memberships = memberships_for_user(user=user)
            membership = memberships[0] if memberships else None
        request._current_membership = membership  # type: ignore[attr-defined]
    return request._current_membership  # type: ignore[attr-defined,no-any-return]
