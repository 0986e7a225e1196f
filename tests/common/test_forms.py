"""Reading a submission: posted or not, and the posted data even when empty."""

from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from common.forms import is_submitted, submit, submitted_data


def test_a_shown_page_is_not_a_submission():
    request = RequestFactory().get("/", {"q": "x"})
    assert not is_submitted(request)
    assert submitted_data(request) is None


def test_an_empty_post_is_still_a_submission_to_validate():
    request = RequestFactory().post("/", {})
    assert is_submitted(request)
    data = submitted_data(request)
    assert data is not None and len(data) == 0  # not None: the form shows its required fields' errors


def test_the_posted_fields_are_read():
    request = RequestFactory().post("/", {"reason": "Départ"})
    assert submitted_data(request)["reason"] == "Départ"


class ReasonForm(forms.Form):
    reason = forms.CharField()


def test_submit_runs_the_service_once_on_a_valid_post_and_returns_its_result():
    request = RequestFactory().post("/", {"reason": "Départ de l'équipe"})
    form = ReasonForm(submitted_data(request))
    calls = []
    done = submit(request, form, lambda: calls.append(form.cleaned_data["reason"]) or "fait")
    assert done is not None and done.result == "fait"
    assert calls == ["Départ de l'équipe"]


def test_submit_shows_the_services_refusal_on_the_form():
    request = RequestFactory().post("/", {"reason": "Œuvre d'Émile"})
    form = ReasonForm(submitted_data(request))

    def refuse() -> None:
        raise ValidationError({"reason": ["Cette raison est refusée."]})

    assert submit(request, form, refuse) is None
    assert form.errors == {"reason": ["Cette raison est refusée."]}


def test_submit_does_not_run_the_service_on_a_shown_page_or_an_invalid_form():
    calls = []
    for request in (RequestFactory().get("/"), RequestFactory().post("/", {"reason": ""})):
        form = ReasonForm(submitted_data(request))
        assert submit(request, form, lambda: calls.append(1)) is None
    assert calls == []
