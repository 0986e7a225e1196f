from django.http import HttpRequest

from cej.services.young_people import can_hold_files
from partners.access import actor_for
from partners.models import User


def files(request: HttpRequest) -> dict[str, object]:
    """Whether the menu shows the young people's files (ML and France Travail advisers and managers)."""
    if not isinstance(request.user, User) or not request.user.is_authenticated:
        return {}
    return {"can_hold_files": can_hold_files(actor_for(request))}
