"""Reading a submission and showing a service's refusal on it, the same way in every view."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict

T = TypeVar("T")


def is_submitted(request: HttpRequest) -> bool:
    """The form was posted (the page is not only shown)."""
    return request.method == "POST"


def submitted_data(request: HttpRequest) -> QueryDict | None:
    """The posted data, even empty: not ``request.POST or None``, since an empty POST (a confirmation
    without reason, a form whose required fields are all blank) is still a submission to validate."""
    return request.POST if is_submitted(request) else None


def attach_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def refusal_form(error: ValidationError, *, fields: tuple[str, ...] = (), auto_id: str = "id_%s") -> forms.Form:
    """A refusal said by a page without a Django form (a confirmation, a hand-written filter): a posted
    form holding it, shown like any form that failed (``{% error_summary %}``, « Erreur : » in the title).
    ``fields``: the names of the page's own fields the error may name, whose ids follow ``auto_id``,
    so that the summary links to them."""
    form = forms.Form(data={}, auto_id=auto_id)
    for name in fields:
        form.fields[name] = forms.CharField(required=False, label="")
    form.full_clean()
    attach_errors(form, error)
    return form


@dataclasses.dataclass(frozen=True)
class Done(Generic[T]):
    """A submission the service accepted, with what it returned (always true in an ``if``)."""

    result: T


def submit(request: HttpRequest, form: forms.Form, action: Callable[[], T]) -> Done[T] | None:
    """The thin view's one step: when ``form`` was posted and is valid, run ``action`` (the service call).

    ``Done`` with the service's result when it ran; a ``ValidationError`` it raises is shown on the form
    (``attach_errors``) and gives None, as does a page only shown or a form with errors: the caller then
    renders the page.
    """
    if not is_submitted(request) or not form.is_valid():
        return None
    try:
        return Done(action())
    except ValidationError as error:
        attach_errors(form, error)
        return None
