from django.http import HttpRequest

from partners.access import actor_for
from partners.models import User


def current_membership(request: HttpRequest) -> dict[str, object]:
    """The header shows who acts, for which organisation, and lets a user with several switch."""
    # No user on a page refused before the middleware ran (a bad Host header's 400 page).
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    actor = actor_for(request)
    return {
        "actor": actor,
        "current_membership": actor.membership,
        "user_memberships": getattr(request, "_memberships", []),
    }
