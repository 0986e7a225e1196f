"""Reading a submission, the same way in every view."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def is_submitted(request: HttpRequest) -> bool:
    """The form was posted (the page is not only shown)."""
    return request.method == "POST"


def submitted_data(request: HttpRequest) -> QueryDict | None:
    """The posted data, even empty: not ``request.POST or None``, since an empty POST (a confirmation
    without reason, a form whose required fields are all blank) is still a submission to validate."""
    return request.POST if is_submitted(request) else None
