"""Reading a submission: posted or not, and the posted data even when empty."""

from django.test import RequestFactory

from common.forms import is_submitted, submitted_data


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
