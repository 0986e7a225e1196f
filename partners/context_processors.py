from django.http import HttpRequest

from partners.access import actor_for
from partners.models import User


def current_membership(request: HttpRequest) -> dict[str, object]:
    """The header shows who acts, for which organisation, and lets a user with several switch."""
    if not isinstance(request.user, User) or not request.user.is_authenticated:
        return {}
    actor = actor_for(request)
    return {
        "actor": actor,
        "current_membership": actor.membership,
        "user_memberships": getattr(request, "_memberships", []),
    }
