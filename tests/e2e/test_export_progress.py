"""The export page in Chromium: the progress bar follows the worker without a reload (JavaScript
polling), then the page shows the download link; axe finds no WCAG A/AA violation."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from exports.models import ExportJob
from partners.enums import OrganisationKind, Role
from tests.e2e.conftest import assert_no_accessibility_violations, screenshot
from tests.partners.factories import DEFAULT_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_follows_the_job_then_the_file_is_offered(live_server, page: Page, axe):
    site = OrganisationFactory(name="E2C Lyon — site de Vénissieux", kind=OrganisationKind.E2C_SITE)
    membership = MembershipFactory(
        user=UserFactory(email="directrice@e2c.exemple.fr", first_name="Inès", last_name="Garnier"),
        organisation=site,
        # The job pages answer their requester whatever the role (a manager would first set up 2FA here).
        role=Role.E2C_STAFF,
    )
    job = ExportJob.objects.create(
        kind="referral_files",
        requested_by=membership.user,
        membership=membership,
        organisation=site,
        parameters={"organisation": str(site.public_id), "start": "2026-09-01", "end": "2026-09-30"},
    )
    page.goto(f"{live_server.url}/connexion/?next=/exports/{job.public_id}/")
    page.get_by_label("Adresse e-mail").fill("directrice@e2c.exemple.fr")
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Fiches de liaison d'une période (ZIP)")
    expect(page.locator("#export-status")).to_have_text("En attente")
    expect(page.get_by_role("link", name="Rafraîchir")).to_be_visible()  # without JavaScript
    assert_no_accessibility_violations(axe, page)

    # The worker reports progress: the page follows without being reloaded.
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress_done=3, progress_total=8)
    expect(page.locator("#export-count")).to_have_text("3 sur 8 éléments produits.")
    expect(page.locator("#export-status")).to_have_text("En cours")
    assert page.locator("#export-progress").evaluate("bar => [bar.value, bar.max]") == [3, 8]
    screenshot(page, "export-en-cours")

    # Done: the page reloads itself and offers the file.
    job.file.save("export.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    now = timezone.now()
    job.status, job.progress_done, job.progress_total, job.finished_at = ExportJob.Status.DONE, 8, 8, now
    job.expires_at = now + datetime.timedelta(hours=48)
    job.save()
    expect(page.get_by_role("link", name="Télécharger le fichier")).to_be_visible()
    assert_no_accessibility_violations(axe, page)
