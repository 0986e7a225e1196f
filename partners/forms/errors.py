from django import forms
from django.core.exceptions import ValidationError


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
