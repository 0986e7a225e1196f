"""A rendered form is carried out once, however many times it is posted (submissions.guard)."""

import datetime
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cej.models import FollowUp, YoungPerson
from scheduling.beat import beat_schedule
from scheduling.runs import run_job
from submissions.guard import ALREADY_SENT, FIELD, SENT_AGAIN
from submissions.models import SubmissionToken
from tests.cej.factories import YoungPersonFactory
from tests.submissions.concurrent import form_token, post_at_once, token_for_action
from tests.world import build_world


def new_file(**overrides):
    return {
        "last_name": "N'Diaye-Lefèvre",
        "first_name": "Éloïse",
        "birth_date": "2006-05-04",
        "qualification_level": "infra_3",
        "departement": "69",
    } | overrides


@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_posts_of_the_new_file_form_open_one_file(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    url = reverse("cej:young_person_create")
    token = token_for_action(client.get(url), None)

    answers = post_at_once(client, url, lambda: new_file(**{FIELD: token}))

    assert YoungPerson.objects.filter(last_name="N'Diaye-Lefèvre").count() == 1
    assert [getattr(answer, "status_code", answer) for answer in answers].count(302) == 1
    opened = YoungPerson.objects.get(last_name="N'Diaye-Lefèvre")
    detail = reverse("cej:young_person_detail", kwargs={"public_id": opened.public_id})
    assert {answer["Location"] for answer in answers} == {detail}  # the four others: where the first went


@pytest.mark.django_db
def test_a_second_post_of_a_sent_form_goes_where_the_first_went_with_a_french_message(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    url = reverse("cej:young_person_create")
    token = form_token(client.get(url))

    first = client.post(url, new_file(**{FIELD: token}))
    again = client.post(url, new_file(**{FIELD: token}), follow=True)

    assert YoungPerson.objects.count() == 1
    assert again.redirect_chain == [(first["Location"], 303)]
    assert ALREADY_SENT in [str(message) for message in get_messages(again.wsgi_request)]
    assert ALREADY_SENT.replace("'", "&#x27;") in again.content.decode()
    assert SubmissionToken.objects.get(token=token).result_url == first["Location"]


@pytest.mark.django_db
def test_a_form_shown_again_with_its_errors_can_be_corrected_and_sent_with_the_same_token(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    url = reverse("cej:young_person_create")
    token = form_token(client.get(url))

    refused = client.post(url, new_file(first_name="", **{FIELD: token}))
    assert refused.status_code == 200 and not SubmissionToken.objects.exists()
    assert f'name="{FIELD}"' in refused.content.decode()  # the page shown again carries a token too

    corrected = client.post(url, new_file(**{FIELD: token}))
    assert corrected.status_code == 302 and YoungPerson.objects.count() == 1


@pytest.mark.django_db
def test_another_accounts_token_does_not_tell_where_its_form_led(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    url = reverse("cej:young_person_create")
    token = form_token(client.get(url))
    client.post(url, new_file(**{FIELD: token}))

    client.force_login(world.user("manager_ml"))
    replayed = client.post(url, new_file(first_name="Autre", **{FIELD: token}))

    assert replayed.status_code == 303 and replayed["Location"] == url
    assert YoungPerson.objects.count() == 1


@pytest.mark.django_db
def test_every_rendering_of_a_form_carries_a_new_token_and_a_post_without_one_is_served_as_before(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    url = reverse("cej:young_person_create")
    assert form_token(client.get(url)) != form_token(client.get(url))

    assert client.post(url, new_file()).status_code == 302
    assert client.post(url, new_file(first_name="Inès", **{FIELD: "pas-un-jeton"})).status_code == 302
    assert YoungPerson.objects.count() == 2 and not SubmissionToken.objects.exists()


@pytest.mark.django_db
def test_tokens_are_purged_after_two_days_each_night():
    world = build_world()
    user = world.user("adviser_ml")
    now = timezone.now()
    old = SubmissionToken.objects.create(
        token=uuid.uuid4(), user=user, result_url="/", created_at=now - datetime.timedelta(days=2, minutes=1)
    )
    recent = SubmissionToken.objects.create(
        token=uuid.uuid4(), user=user, result_url="/", created_at=now - datetime.timedelta(days=1, hours=23)
    )

    run = run_job("submission_token_purge")

    assert run.examined == 1
    assert list(SubmissionToken.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk
    entry = beat_schedule()["submission-token-purge"]
    assert entry["args"] == ["submission_token_purge"] and entry["schedule"].hour == {4}


@pytest.mark.django_db(transaction=True)
def test_a_view_that_breaks_the_transaction_gets_its_own_answer_and_keeps_nothing(rf):
    """A query that fails with no savepoint of its own aborts the guard's transaction: the person gets
    the view's answer (not a second error from the guard), and neither the token nor the view's
    writes are kept, so the form can be sent again."""
    from django.db import DatabaseError, connection
    from django.http import HttpResponse, HttpResponseServerError

    from submissions.guard import SubmittedOnceMiddleware

    world = build_world()
    person = YoungPersonFactory(organisation=world.ml_a, last_name="Avant")
    token = uuid.uuid4()

    def broken_view(request):
        YoungPerson.objects.filter(pk=person.pk).update(last_name="Écrit-puis-annulé")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        except DatabaseError:
            return HttpResponse("Le calcul a échoué.", status=200)
        return HttpResponse("unreachable")

    def crashing_view(request):
        YoungPerson.objects.filter(pk=person.pk).update(last_name="Écrit-puis-annulé")
        return HttpResponseServerError("Erreur")

    for view, status in ((broken_view, 200), (crashing_view, 500)):
        request = rf.post("/formulaire/", {FIELD: str(token)})
        request.user = world.user("adviser_ml")
        response = SubmittedOnceMiddleware(view)(request)

        assert response.status_code == status
        assert not SubmissionToken.objects.filter(token=token).exists()
        person.refresh_from_db()
        assert person.last_name == "Avant"


def _follow_up_page(world):
    person = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    return person, reverse("cej:follow_up_create", kwargs={"public_id": person.public_id})


@pytest.mark.django_db
def test_back_then_send_again_with_the_same_content_creates_nothing_more(client):
    """The Back button refetches the form (no-store) with a new token while the browser refills the
    date typed: the same content sent again goes where the first went, a different one is created."""
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    person, url = _follow_up_page(world)
    date = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()

    first = client.post(url, {"scheduled_on": date, FIELD: token_for_action(client.get(url), None)})
    again = client.post(url, {"scheduled_on": date, FIELD: token_for_action(client.get(url), None)}, follow=True)

    assert FollowUp.objects.filter(young_person=person).count() == 1
    assert again.redirect_chain == [(first["Location"], 303)]
    assert SENT_AGAIN in [str(message) for message in get_messages(again.wsgi_request)]
    other = (timezone.localdate() + datetime.timedelta(days=8)).isoformat()
    client.post(url, {"scheduled_on": other, FIELD: token_for_action(client.get(url), None)})
    assert FollowUp.objects.filter(young_person=person).count() == 2
    # the digest is kept, never the content
    assert all(len(row.fingerprint) == 64 for row in SubmissionToken.objects.exclude(fingerprint=""))


@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_the_same_content_at_once_create_one_row(client):
    world = build_world()
    client.force_login(world.user("adviser_ml"))
    person, url = _follow_up_page(world)
    date = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    tokens = iter([token_for_action(client.get(url), None) for _ in range(3)])  # three tabs, three tokens

    answers = post_at_once(client, url, lambda: {"scheduled_on": date, FIELD: next(tokens)}, times=3)

    assert FollowUp.objects.filter(young_person=person).count() == 1
    assert len({answer["Location"] for answer in answers}) == 1


def test_every_creating_view_is_declared_by_its_domain():
    from submissions.registry import CREATING_VIEWS
    from tests.security.test_double_submit_battery import CREATING_NAMES

    assert CREATING_VIEWS == CREATING_NAMES
