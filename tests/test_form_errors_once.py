"""A form-wide error is said once: our summary shows it, crispy's own list does not repeat it; a form
without our summary still gets crispy's."""

from django import forms
from django.template import Context, Template


class RefusedForm(forms.Form):
    name = forms.CharField()

    def clean(self):
        raise forms.ValidationError("Cet accord est déjà enregistré.")


def render(source: str) -> str:
    form = RefusedForm(data={"name": "Léa"})
    form.is_valid()
    return Template("{% load crispy_forms_tags %}" + source).render(Context({"form": form}))


def test_a_form_wide_error_shows_once_under_our_summary():
    page = render("{% error_summary form %}{{ form|crispy }}")
    assert page.count("Cet accord est déjà enregistré.") == 1
    assert "data-error-summary" in page


def test_a_form_without_our_summary_still_shows_its_form_wide_error():
    assert render("{{ form|crispy }}").count("Cet accord est déjà enregistré.") == 1
