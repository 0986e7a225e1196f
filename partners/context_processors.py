from django.http import HttpRequest

from partners.selectors import current_membership as select_current_membership


def current_membership(request: HttpRequest) -> dict[str, object]:
    """Exposes the membership shown in the header (name, role, organisation)."""
    return {"current_membership": select_current_membership(request)}
