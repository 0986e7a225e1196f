import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.models import SemesterClosing, SemesterSnapshot
from reporting.services.facts import refresh_facts
from reporting.services.snapshots import semester_close
from tests.reporting.builders import at, known_dataset, referral
from tests.world import build_world

pytestmark = pytest.mark.django_db

S1 = "?semestre=2026-S1"


@pytest.fixture
def world():
    w = build_world()
    known_dataset(w)
    return w


def client_of(client, w, role):
    client.force_login(w.user(role))
    return client


def cell_of(content: str, label: str) -> str:
    """The value cell following an indicator's row header in the page."""
    start = content.index(f'<th scope="row" class="fw-normal">{label}</th>')
    cell_start = content.index("<td", start)
    return content[content.index(">", cell_start) + 1 : content.index("</td>", cell_start)]


def test_national_committee_sees_the_national_figures_masked_below_5_and_no_name(client, world):
    # When
    response = client_of(client, world, "national_committee").get(reverse("reporting:dashboard") + S1)

    # Then
    assert response.status_code == 200
    content = response.content.decode()
    assert cell_of(content, "Orientations envoyées") == "10"
    assert cell_of(content, "Prises en compte par l&#x27;E2C") == "8"
    assert cell_of(content, "Entrées en parcours") == "&lt; 5"  # 3 young people
    assert cell_of(content, "Taux d&#x27;intégration (entrées / orientations)") == "secret"
    assert cell_of(content, "Délai envoi → prise en compte, médiane (jours)") == "3,5 j"
    assert cell_of(content, "Délai envoi → information collective, médiane (jours)") == "12,0 j"
    assert cell_of(content, "Délai envoi → entrée en parcours, médiane (jours)") == "secret"  # 3 enrolments
    # the régions, with links to drill down, and the charts with their tables
    assert f'href="{reverse("reporting:region", kwargs={"code": "84"})}?semestre=2026-S1"' in content
    assert content.count('role="img"') == 3
    assert "Lefèvre" not in content and "Zoé" not in content  # never a young person's name


def test_drill_down_to_departement_and_organisation(client, world):
    member = client_of(client, world, "national_committee")
    departement = member.get(reverse("reporting:departement", kwargs={"code": "69"}) + S1)
    assert departement.status_code == 200
    site_url = reverse("reporting:organisation", kwargs={"public_id": world.site.public_id})
    assert site_url in departement.content.decode()
    site = member.get(site_url + S1)
    assert site.status_code == 200
    assert cell_of(site.content.decode(), "Orientations envoyées") == "8"


def test_filters_offer_the_semesters_the_regions_and_the_departements_of_the_region_shown(client, world):
    # When: the Rhône's page of the first semester 2026
    member = client_of(client, world, "national_committee")
    content = member.get(reverse("reporting:departement", kwargs={"code": "69"}) + S1).content.decode()

    # Then: that semester and that département chosen, the other départements of its région offered
    assert '<option value="2026-S1" selected>1er semestre 2026</option>' in content
    assert '<option value="2025-S2">2d semestre 2025</option>' in content
    assert '<option value="84">Auvergne-Rhône-Alpes</option>' in content
    assert '<option value="69" selected>Rhône (69)</option>' in content
    assert '<option value="42">Loire (42)</option>' in content
    assert '<option value="59">' not in content  # the Nord: another région


def test_regional_coordinator_sees_their_region_only(client, world):
    coordinator = client_of(client, world, "regional_coordinator")  # ARML Auvergne-Rhône-Alpes (84)
    assert coordinator.get(reverse("reporting:dashboard") + S1).url == reverse(
        "reporting:region", kwargs={"code": "84"}
    ) + S1.replace("?", "?")
    own = coordinator.get(reverse("reporting:region", kwargs={"code": "84"}) + S1)
    assert own.status_code == 200
    assert cell_of(own.content.decode(), "Orientations envoyées") == "9"
    assert coordinator.get(reverse("reporting:departement", kwargs={"code": "69"}) + S1).status_code == 200
    # another région, its départements and organisations are not found
    assert coordinator.get(reverse("reporting:region", kwargs={"code": "32"})).status_code == 404
    assert coordinator.get(reverse("reporting:departement", kwargs={"code": "59"})).status_code == 404
    other = reverse("reporting:organisation", kwargs={"public_id": world.other_site.public_id})
    assert coordinator.get(other).status_code == 404


@pytest.mark.parametrize("role", ["adviser_ml", "e2c_staff", "manager_ml", "administrator"])
def test_other_roles_are_refused(client, world, role):
    assert client_of(client, world, role).get(reverse("reporting:dashboard")).status_code == 403


@pytest.mark.parametrize(
    ("level", "budget"),
    [
        # session, user, memberships, then the level's snapshot (none kept for an organisation: its lookup
        # instead), savepoint + work_mem + the families' statements + release, closing and refresh date
        # (one statement), the bell
        ("national", 16),  # 7 statements (coverage included); région rows named from the geography cache
        ("departement", 18),  # 7 statements, + the organisations' names and public ids
        ("organisation", 15),  # 6 statements (no coverage for one organisation)
    ],
)
def test_query_budget_of_the_dashboard(client, world, level, budget):
    member = client_of(client, world, "national_committee")
    url = {
        "national": reverse("reporting:dashboard"),
        "departement": reverse("reporting:departement", kwargs={"code": "69"}),
        "organisation": reverse("reporting:organisation", kwargs={"public_id": world.site.public_id}),
    }[level]
    member.get(url + S1)  # warm: the régions and départements are read once per process
    with CaptureQueriesContext(connection) as queries:
        assert member.get(url + S1).status_code == 200
    # the same count whatever the volume; régions and départements never read again
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= budget, [sql[:80] for sql in statements]
    assert not [sql for sql in statements if '"partners_region"' in sql or '"partners_departement"' in sql]


def test_closed_semester_shows_frozen_figures_after_data_changes(client, world):
    member = client_of(client, world, "national_committee")
    close_url = reverse("reporting:close_semester", kwargs={"semester": "2026-S1"})
    # Given: the confirmation page, then the closing
    confirmation = member.get(close_url)
    assert confirmation.status_code == 200
    assert "Cette action est définitive" in confirmation.content.decode()
    assert member.post(close_url).status_code == 302
    closing = SemesterClosing.objects.get(semester="2026-S1")
    assert closing.closed_at is None and not SemesterSnapshot.objects.exists()
    waiting = member.get(reverse("reporting:dashboard") + S1).content.decode()
    assert "Clôture de ce semestre en cours" in waiting
    # the worker freezes the 120 areas (national, 18 régions, 101 départements); a second run changes nothing
    assert semester_close(closing_id=closing.pk) == 120
    assert semester_close(closing_id=closing.pk) == 0
    assert SemesterSnapshot.objects.filter(semester="2026-S1", level="national").count() == 1
    # When: a referral is added to the semester afterwards
    referral(world, referrer=world.ml_a, site=world.site, sent_at=at("2026-03-10"))
    refresh_facts()  # what beat does every 10 minutes

    # Then: the closed semester still shows 10, with its closing date and author
    content = member.get(reverse("reporting:dashboard") + S1).content.decode()
    assert cell_of(content, "Orientations envoyées") == "10"
    assert "Semestre clos le" in content and world.user("national_committee").get_full_name() in content
    region = member.get(reverse("reporting:region", kwargs={"code": "84"}) + S1).content.decode()
    assert cell_of(region, "Orientations envoyées") == "9"
    # a free range is live (the same range as the semester would be the semester)
    live = member.get(reverse("reporting:dashboard") + "?du=2026-01-01&au=2026-07-01").content.decode()
    assert cell_of(live, "Orientations envoyées") == "11"
    # a second closing is refused
    refused = member.post(close_url, follow=True)
    assert "déjà clos" in refused.content.decode()
    assert SemesterSnapshot.objects.filter(semester="2026-S1", level="national").count() == 1


def test_only_the_national_committee_closes_a_semester(client, world):
    close_url = reverse("reporting:close_semester", kwargs={"semester": "2026-S1"})
    assert client_of(client, world, "regional_coordinator").post(close_url).status_code == 403
    assert not SemesterClosing.objects.exists()
    # the semester in progress cannot be closed
    member = client_of(client, world, "national_committee")
    refused = member.post(reverse("reporting:close_semester", kwargs={"semester": "2026-S2"}), follow=True)
    assert "pas terminé" in refused.content.decode()
    assert not SemesterClosing.objects.exists()


def test_menu_link_for_the_committee_and_coordinators_only(client, world):
    link = f'href="{reverse("reporting:dashboard")}"'
    assert link in client_of(client, world, "national_committee").get(reverse("home")).content.decode()
    assert link in client_of(client, world, "regional_coordinator").get(reverse("home")).content.decode()
    assert link not in client_of(client, world, "manager_ml").get(reverse("home")).content.decode()
