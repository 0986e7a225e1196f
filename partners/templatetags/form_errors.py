"""A form's errors said once, where a person looks, and announced: the error summary and the page title.

``{% error_summary form %}`` (templates/form_errors/summary.html) puts at the top of a form that has
errors an alert titled « Le formulaire contient 2 erreurs », listing each error with a link to its field,
which takes the focus when the page loads (static/js/error-summary.js). It marks the form: its form-wide
errors are on the page already, so crispy's own list (``templates/bootstrap5/errors.html``, overridden)
stays quiet instead of printing the same sentences a second time.

``{% error_title_prefix %}``, in base.html's ``<title>``, writes « Erreur : » when the page answers a
submission that failed: a form of the context validated with errors, or a message of level error
(a refusal said after a redirect) — found once here rather than in every view.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms, template
from django.contrib import messages

register = template.Library()

MARK = "non_field_errors_shown"
TITLE_PREFIX = "Erreur : "


@dataclasses.dataclass(frozen=True)
class SummaryError:
    message: str
    label: str = ""
    target: str = ""  # the id of the field the link moves to; none for a form-wide error


def _target(field: forms.BoundField) -> str:
    """The id of the control a person types in: the field's own, or its first choice (radio buttons,
    check boxes), whose ``<label for>`` is that choice's."""
    if field.id_for_label:
        return str(field.id_for_label)
    subwidgets = field.subwidgets
    return str(subwidgets[0].id_for_label or "") if subwidgets else str(field.auto_id or "")


def summary_errors(form: forms.BaseForm) -> list[SummaryError]:
    """The form's errors in the order a person meets them: form-wide first, each a link to the form's first
    field (where a correction starts: the sign-in's address), then field by field."""
    visible = form.visible_fields()
    first = _target(visible[0]) if visible else ""
    found = [SummaryError(str(message), target=first) for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            if field.is_hidden:  # nothing to go to: said as a form-wide error
                found.append(SummaryError(str(message)))
            else:
                found.append(SummaryError(str(message), label=str(field.label or ""), target=_target(field)))
    return found


@register.simple_tag
def non_field_errors_shown(form: forms.BaseForm | None) -> str:
    """Mark ``form``: its non-field errors are on the page already. Writes nothing."""
    if form is not None:
        setattr(form, MARK, True)
    return ""


@register.inclusion_tag("form_errors/summary.html")
def error_summary(form: forms.BaseForm | None, link_url: str = "", link_text: str = "") -> dict[str, Any]:
    """The summary of ``form``'s errors (nothing when it has none), with an optional way out under the
    list (``link_url``, ``link_text``: the page that lifts the cause of a refusal)."""
    if form is None or not form.is_bound or not form.errors:
        return {"errors": []}
    non_field_errors_shown(form)
    return {
        "errors": summary_errors(form),
        "summary_id": f"resume-erreurs-{form.prefix}" if form.prefix else "resume-erreurs",
        "link_url": link_url,
        "link_text": link_text,
    }


def _failed(value: object) -> bool:
    # Only a form already validated by its view: asking a bound form for its errors would validate it
    # here (a sign-in form would try the password once more).
    return isinstance(value, forms.BaseForm) and value.is_bound and bool(getattr(value, "_errors", None))


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """« Erreur : » when the page answers a failed submission, else nothing."""
    values = context.flatten().values()
    if any(_failed(value) for value in values):
        return TITLE_PREFIX
    storage = context.get("messages")
    if storage is not None and any(message.level == messages.ERROR for message in storage):
        return TITLE_PREFIX
    return ""
