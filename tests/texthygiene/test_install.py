"""The text hygiene wraps Django's ``CharField.to_python`` exactly once, however often it is installed."""

import importlib

from django import forms

import texthygiene.forms


def test_installing_again_after_a_reimport_still_wraps_djangos_own_cleaning_once():
    module = importlib.reload(texthygiene.forms)
    module.install()
    module.install()

    installed = forms.CharField.to_python
    assert installed is module._to_python
    assert installed.__wrapped__.__module__ == "django.forms.fields"  # Django's, not a previous override
    field = forms.CharField()
    assert field.clean("  Le\u0301a  ") == "Léa"
