from django.http import HttpRequest

from cej.services.young_people import can_hold_files
from partners.access import actor_for
from partners.models import User


def files(request: HttpRequest) -> dict[str, object]:
    """Whether the menu shows the young people's files (ML and France Travail advisers and managers)."""
    # No user on a page refused before the middleware ran (a bad Host header's 400 page).
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"can_hold_files": can_hold_files(actor_for(request))}
