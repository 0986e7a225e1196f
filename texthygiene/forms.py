"""The text hygiene of every form, installed once (``TextHygieneConfig.ready``).

Every ``forms.CharField`` (and what derives from it: EmailField, URLField, SlugField, RegexField,
the username field…) cleans its value through ``texthygiene.text.clean_text`` after Django's own
``to_python``: NFC, stripped, control and invisible format characters refused with a French
message; a Textarea keeps its line breaks and tabulations. One override instead of a mixin on each
of the project's forms, so that a new form — ours, Django's authentication forms, the admin's —
cannot forget it; ``tests/texthygiene/test_every_form.py`` walks every form class of the project
and fails if a text field lets such a character through.

Passwords are left as typed (a PasswordInput): they are secrets compared character for character,
never shown, and an existing password must keep working.
"""

from __future__ import annotations

from typing import Any

from django import forms

from texthygiene.text import clean_text


def is_multiline(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def applies_to(field: forms.Field) -> bool:
    return not isinstance(field.widget, forms.PasswordInput)


# Django's own, even when this module is imported again (a reload) after the override was installed:
# the override then replaces the previous one instead of wrapping it.
_django_to_python = getattr(forms.CharField.to_python, "__wrapped__", forms.CharField.to_python)


def _to_python(self: forms.CharField, value: Any) -> Any:
    value = _django_to_python(self, value)
    if isinstance(value, str) and value and applies_to(self):
        value = clean_text(value, multiline=is_multiline(self), strip=self.strip)
    return value


_to_python.__wrapped__ = _django_to_python  # type: ignore[attr-defined]


def install() -> None:
    """Idempotent: the override wraps Django's own ``CharField.to_python``, once."""
    forms.CharField.to_python = _to_python  # type: ignore[method-assign]
