"""The form-wide errors shown once: our error summary marks the form, crispy's own list then stays quiet.

``cej/_form_errors.html`` and ``e2c_referrals/_form_errors.html`` show a form's non-field errors in an
alert of their own (announced, with a link where one helps); ``templates/bootstrap5/errors.html``
(crispy's, overridden) skips a form so marked, instead of printing the same sentences a second time.
"""

from __future__ import annotations

from django import forms, template

register = template.Library()

MARK = "non_field_errors_shown"


@register.simple_tag
def non_field_errors_shown(form: forms.BaseForm | None) -> str:
    """Mark ``form``: its non-field errors are on the page already. Writes nothing."""
    if form is not None:
        setattr(form, MARK, True)
    return ""
