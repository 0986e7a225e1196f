"""Every text field of every form of the project applies the text hygiene (texthygiene.forms).

The guard imports every module of our applications that may declare a form (forms, forms_*,
views, admin), finds every Form and ModelForm class, and feeds each of its declared text fields
(ModelForms: the generated ones too) a value holding each refused character. A new form, field or
widget that lets one through fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError

from texthygiene.text import clean_text, forbidden_character, validate_has_letter

# Bidirectional override, zero-width space, byte-order mark, NUL, word joiner, isolates.
INVISIBLE = ["\u202e", "\u200b", "\ufeff", "\x00", "\u2060", "\u2066", "\u200f"]
LINE_BREAKS = ["\t", "\n", "\r", "\x0b", "\u2028", "\x1b"]


def _modules() -> list[str]:
    """Every module of our applications that may declare a form: forms, forms_*, views (and packages)."""
    names: list[str] = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue  # Django's and third-party apps: their forms are covered by the CharField override too
        for _finder, name, _is_package in pkgutil.walk_packages([config.path], prefix=f"{config.name}."):
            leaf = name.rsplit(".", 1)[-1]
            if ".migrations" in name or ".management" in name:
                continue
            if leaf.startswith("forms") or leaf in ("views", "admin") or ".forms." in name or ".views." in name:
                names.append(name)
    return names


def _form_classes() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for module_name in _modules():
        module = importlib.import_module(module_name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__.split(".")[0] in {
                config.name for config in apps.get_app_configs()
            }:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


FORM_CLASSES = _form_classes()


def _text_fields(form_class: type[forms.BaseForm]) -> dict[str, forms.Field]:
    """The form's declared fields (ModelForms: the generated ones too) that take typed text."""
    fields = dict(form_class.base_fields)
    return {
        name: field
        for name, field in fields.items()
        if isinstance(field.widget, (forms.TextInput, forms.Textarea, forms.HiddenInput))
        and not isinstance(field.widget, forms.PasswordInput)
        and not isinstance(field, (forms.DateField, forms.DateTimeField, forms.TimeField, forms.DecimalField))
        and not isinstance(field, (forms.IntegerField, forms.FloatField, forms.ChoiceField, forms.FileField))
    }


def test_the_guard_sees_the_project_s_forms():
    names = {form_class.__name__ for form_class in FORM_CLASSES}
    # One of each area, so that a change in how forms are found cannot empty the guard silently.
    assert {"YoungPersonForm", "OrganisationForm", "ReferralForm", "SessionForm", "AccessLogFilter"} <= names
    assert {"RetentionPolicyForm", "ErasureRefusalForm", "InvitationForm", "AgreementForm"} <= names
    assert len(FORM_CLASSES) >= 50


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=[form_class.__name__ for form_class in FORM_CLASSES])
def test_every_text_field_of_every_form_refuses_control_and_invisible_characters(form_class):
    fields = _text_fields(form_class)
    leaks: list[str] = []
    for name, field in fields.items():
        multiline = isinstance(field.widget, forms.Textarea)
        for char in INVISIBLE + ([] if multiline else LINE_BREAKS):
            value = f"Lyon{char}Part-Dieu"
            try:
                cleaned: Any = field.clean(value)
            except ValidationError:
                continue
            if isinstance(cleaned, str) and char in cleaned:
                leaks.append(f"{name}: U+{ord(char):04X}")
        if multiline:  # a note keeps its lines
            assert field.clean("Ligne 1\nLigne 2\tfin") == "Ligne 1\nLigne 2\tfin"
    assert leaks == []


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=[form_class.__name__ for form_class in FORM_CLASSES])
def test_every_text_field_of_every_form_stores_nfc_and_strips_its_ends(form_class):
    for name, field in _text_fields(form_class).items():
        if isinstance(field, (forms.EmailField, forms.URLField)) or getattr(field, "strip", True) is False:
            continue
        try:
            cleaned = field.clean("  Le\u0301a  ")  # « Léa » with a combining accent, spaces around
        except ValidationError:
            continue  # the field's own rule (a code, a number) refuses letters: nothing stored
        assert cleaned == "Léa", name


def test_a_single_line_field_refuses_with_a_french_message_naming_the_character():
    field = forms.CharField()

    with pytest.raises(ValidationError) as refused:
        field.clean("photo\u202egnp.exe")

    assert refused.value.messages == [
        "Ce champ contient un caractère invisible ou de contrôle (U+202E, forçage droite-à-gauche) : retirez-le."
    ]
    with pytest.raises(ValidationError, match="U\\+0009, tabulation"):
        field.clean("Lyon\tVilleurbanne")


def test_a_multi_line_field_keeps_its_lines_but_refuses_invisible_characters():
    field = forms.CharField(widget=forms.Textarea)

    assert field.clean(" Premier point\r\n\tSecond point ") == "Premier point\r\n\tSecond point"
    with pytest.raises(ValidationError, match="U\\+202E"):
        field.clean("Premier\u202epoint")
    with pytest.raises(ValidationError, match="U\\+0000"):
        field.clean("Premier\x00point")


def test_a_password_is_left_as_typed():
    field = forms.CharField(strip=False, widget=forms.PasswordInput)

    assert field.clean(" mot\tde passe ") == " mot\tde passe "


def test_names_need_a_letter():
    for refused in ("\u0301\u0301", "--", "1234", "'"):
        with pytest.raises(ValidationError, match=r"Le nom doit contenir au moins une lettre\."):
            validate_has_letter(clean_text(refused))
    for accepted in ("Ô", "李", "N'Diaye", "Жук"):
        validate_has_letter(accepted)


def test_the_refused_characters():
    assert forbidden_character("Lyon\u00a0Part-Dieu, 3e étage") is None  # no-break space: a space
    assert forbidden_character("ligne 1\nligne 2", multiline=True) is None
    assert forbidden_character("ligne 1\nligne 2") == "\n"
    assert forbidden_character("a\u202eb", multiline=True) == "\u202e"


def test_a_note_pasted_from_a_document_loses_its_invisible_characters_instead_of_being_refused():
    """An adviser pastes a diagnostic from a word processor: soft hyphens and zero-width spaces come
    with it, which nobody can see to remove — they are dropped; a one-line field still refuses them."""
    note = forms.CharField(widget=forms.Textarea)

    assert note.clean("Ac\u00adcompagne\u200bment ren\u2060forcé\ufeff") == "Accompagnement renforcé"
    with pytest.raises(ValidationError, match="U\\+200B"):
        forms.CharField().clean("Lé\u200ba")
