"""An unknown variable in one of our templates fails the test that renders it (config/settings/test.py); the
templates of Django's admin and of crispy-forms, which rely on silent missing variables, keep rendering."""

import pytest
from django.template import Context, Template
from django.template.loader import get_template

from config.settings.test import UnknownTemplateVariable


def test_an_unknown_variable_in_a_template_of_ours_raises():
    with pytest.raises(UnknownTemplateVariable, match="prenom"):
        Template("Bonjour {{ prenom }}").render(Context({}))
    with pytest.raises(UnknownTemplateVariable, match=r"referent\.get_full_name"):
        Template("{{ contract.referent.get_full_name|default:'—' }}").render(Context({"contract": {"referent": None}}))


def test_an_unknown_variable_in_a_file_of_templates_raises_and_names_the_file():
    with pytest.raises(UnknownTemplateVariable, match=r"templates/cej/contracts/cej_detail\.html"):
        get_template("cej/contracts/cej_detail.html").render({})


def test_if_and_for_still_test_a_missing_variable_silently():
    assert (
        Template("{% if absent %}oui{% else %}non{% endif %}{% for x in absent %}x{% endfor %}").render(Context({}))
        == "non"
    )


def test_django_s_own_templates_keep_their_silent_missing_variables():
    # Django's admin filter: ``title`` missing renders as nothing, as in production.
    html = get_template("admin/filter.html").render({"choices": [{"display": "Tous", "query_string": "?"}]})
    assert '<details data-filter-title="" open>' in html
    assert "Tous" in html


def test_a_method_needing_arguments_prints_the_marker_the_page_tests_look_for():
    class Person:
        def greet(self, whom):
            return whom

    assert Template("{{ person.greet }}").render(Context({"person": Person()})) == "%(invalid)s"
