"""The words of a young people search never travel in a URL: the form posts them, the session keeps
them under a random token, and the results page's address holds only that token."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from audit.models import AccessLog
from cej.views.young_people import SEARCHES_KEPT, SEARCHES_SESSION_KEY
from tests.cej.factories import YoungPersonFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

EXPIRED = escape("Cette recherche n'est plus disponible : saisissez-la de nouveau.")  # as the page shows it


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def adviser(client, world):
    client.force_login(world.user("adviser_ml"))
    return client


def searches_logged():
    return list(AccessLog.objects.filter(purpose="search").order_by("id"))


def every_url(response):
    """The request's own URL, each redirect of the chain, and the final page's address."""
    return [response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", "")] + [
        url for url, _status in response.redirect_chain
    ]


def test_a_search_shows_its_results_but_the_name_is_in_no_url(adviser, world):
    # Given: two files of the adviser's Mission Locale
    wanted = YoungPersonFactory(organisation=world.ml_a, last_name="Ndiaye", first_name="Awa")
    YoungPersonFactory(organisation=world.ml_a, last_name="Martin", first_name="Paul")

    # When: she types « Ndiaye » and submits
    first = adviser.post(reverse("cej:young_people"), {"q": "Ndiaye"})
    response = adviser.post(reverse("cej:young_people"), {"q": "Ndiaye"}, follow=True)

    # Then: a 303 to a token address, whose page shows the match and the words typed back in the field
    assert first.status_code == 303
    assert first["Location"].startswith(reverse("cej:young_people") + "?recherche=")
    assert [status for _url, status in response.redirect_chain] == [303]
    assert response.status_code == 200 and response.context["results"] == [wanted]
    page = response.content.decode()
    assert 'name="q" value="Ndiaye"' in page and "Ndiaye Awa" in page and "Martin Paul" not in page
    assert all("ndiaye" not in url.lower() for url in [first["Location"], *every_url(response)])


def test_a_search_kept_with_only_mine_keeps_the_box_ticked(adviser, world):
    response = adviser.post(reverse("cej:young_people"), {"q": "Ndiaye", "mes-jeunes": "1"}, follow=True)

    (url, _status), *_ = response.redirect_chain
    assert "mes-jeunes=1" in url and "Ndiaye" not in url
    assert 'id="mes-jeunes" name="mes-jeunes" value="1" checked' in response.content.decode()


def test_an_empty_search_goes_back_to_the_list_without_a_token(adviser):
    response = adviser.post(reverse("cej:young_people"), {"q": "   "})

    assert (response.status_code, response["Location"]) == (303, reverse("cej:young_people"))
    assert SEARCHES_SESSION_KEY not in adviser.session


def test_another_session_cannot_use_the_token(adviser, world):
    # Given: the adviser's search for « Ndiaye » and its token address
    YoungPersonFactory(organisation=world.ml_a, last_name="Ndiaye", first_name="Awa")
    results_url = adviser.post(reverse("cej:young_people"), {"q": "Ndiaye"})["Location"]
    assert "Ndiaye Awa" in adviser.get(results_url).content.decode()

    for other in ("manager_ml", "adviser_ml"):  # a colleague of the same organisation; herself, elsewhere
        # When: another browser opens that address
        client = Client()
        client.force_login(world.user(other))
        response = client.get(results_url, follow=True)

        # Then: the list with a French message: no results, no words typed back, no error
        page = response.content.decode()
        assert response.status_code == 200 and EXPIRED in page, other
        assert response.redirect_chain == [(reverse("cej:young_people"), 303)], other
        assert response.context["query"] == "" and "results" not in response.context, other
        assert 'name="q" value=""' in page and "Résultats pour" not in page, other
    assert len(searches_logged()) == 1  # the adviser's own results page only


def test_the_session_keeps_only_the_last_searches(adviser, world):
    # Given: the first search's address
    first_url = adviser.post(reverse("cej:young_people"), {"q": "recherche 0"})["Location"]

    # When: many more searches
    for number in range(1, SEARCHES_KEPT + 5):
        last_url = adviser.post(reverse("cej:young_people"), {"q": f"recherche {number}"})["Location"]

    # Then: the session holds the last ones only; the oldest address answers « plus disponible »
    kept = adviser.session[SEARCHES_SESSION_KEY]
    assert list(kept.values()) == [f"recherche {n}" for n in range(5, SEARCHES_KEPT + 5)]
    assert EXPIRED in adviser.get(first_url, follow=True).content.decode()
    assert adviser.get(last_url).context["query"] == f"recherche {SEARCHES_KEPT + 4}"


def test_an_old_address_with_q_sends_the_words_to_a_token(adviser, world):
    wanted = YoungPersonFactory(organisation=world.ml_a, last_name="Ndiaye")

    response = adviser.get(reverse("cej:young_people"), {"q": "Ndiaye", "mes-jeunes": "1"}, follow=True)

    ((url, status),) = response.redirect_chain
    assert status == 303 and "recherche=" in url and "mes-jeunes=1" in url and "Ndiaye" not in url
    assert response.context["results"] == [wanted]


def test_one_access_log_row_per_results_page_none_for_the_post(adviser, world):
    YoungPersonFactory(organisation=world.ml_a, last_name="Ndiaye")

    results_url = adviser.post(reverse("cej:young_people"), {"q": "Ndiaye"})["Location"]
    assert searches_logged() == []

    adviser.get(results_url)
    adviser.get(results_url)  # shown again (reload): logged again
    assert len(searches_logged()) == 2
    assert AccessLog.objects.filter(object_type="young_people").count() == 0


@pytest.mark.parametrize("query", ["Ndiaye\x00", "\x00"])
def test_a_nul_byte_is_refused_in_french(adviser, query):
    response = adviser.post(reverse("cej:young_people"), {"q": query})

    assert response.status_code == 400 and "Demande incorrecte" in response.content.decode()
    assert SEARCHES_SESSION_KEY not in adviser.session and searches_logged() == []


def test_a_very_long_search_is_clipped_and_answers(adviser):
    response = adviser.post(reverse("cej:young_people"), {"q": "Ndiaye" + "x" * 10_000}, follow=True)

    assert response.status_code == 200
    assert len(response.context["query"]) == 100 and response.context["results"] == []
    assert "Aucun dossier ne correspond" in response.content.decode()
    assert searches_logged() == []  # nobody shown, nothing to log (log_listing skips empty pages)


def test_the_search_form_posts_with_a_csrf_token(world):
    # Given: a browser that enforces CSRF, as a real one does
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.user("adviser_ml"))
    page = browser.get(reverse("cej:young_people")).content.decode()
    assert 'method="post"' in page and 'name="csrfmiddlewaretoken"' in page

    # When / Then: without the token, refused; with it, the search goes through
    assert browser.post(reverse("cej:young_people"), {"q": "Ndiaye"}).status_code == 403
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(reverse("cej:young_people"), {"q": "Ndiaye", "csrfmiddlewaretoken": token})
    assert response.status_code == 303 and "recherche=" in response["Location"]


def test_roles_without_access_to_files_cannot_post_a_search(world):
    client = Client()
    client.force_login(world.user("regional_coordinator"))

    assert client.post(reverse("cej:young_people"), {"q": "Ndiaye"}).status_code == 403
