"""The attack battery: every creating form posted five times at once, as a double click or a retried
request does — exactly one row, and every answer sends the person where the first post went.

Each post carries the submission token of the page it was read from (``submissions.guard``); the
five run in threads, each on its own database connection, released together by a barrier. The guard
test reads every page of the URL matrix and fails when a form that posts carries no token, or posts
to a URL declared neither creating (tested here) nor not creating (with why).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from submissions.guard import FIELD
from tests import crafted_files
from tests.security import COUNTS
from tests.submissions.concurrent import post_at_once
from tests.submissions.forms import form_posting_to, post_forms
from tests.test_url_matrix import ENTRIES
from tests.url_matrix.referrals import referral
from tests.world import World, build_world

TIMES = 5
TODAY = timezone.localdate
PDF = crafted_files.pdf()  # a real one: uploads are parsed (partners/uploads.py)
ENTRY = {entry.name: entry for entry in ENTRIES}


def day(offset: int = 0) -> str:
    return (TODAY() + datetime.timedelta(days=offset)).isoformat()


def public_id(organisation) -> str:
    return str(organisation.public_id)


@dataclasses.dataclass(frozen=True)
class Creating:
    name: str  # the URL name the form posts to
    role: str
    # The model whose rows it creates, "app_label.Model"; "app_label.Model handled": its rows whose
    # ``handled_at`` is set; "app_label.Model applied": its rows in that status.
    rows: str
    values: Callable[[World], dict[str, object]] = lambda w: {}  # typed over what the page shows
    files: Callable[[], dict[str, object]] = dict
    # (page showing the form, URL it posts to); by default the matrix entry's URL for both.
    setup: Callable[[World, Client], tuple[str, str]] | None = None


def _csv_upload(name: str, example: Path) -> Callable[[], dict[str, object]]:
    return lambda: {"file": SimpleUploadedFile(name, example.read_bytes(), content_type="text/csv")}


CEJ_EXAMPLE = Path("cej/data/exemple-export-imilo.csv")
DIRECTORY_EXAMPLE = Path("partners/data/exemple-import-annuaire.csv")


def _uploaded_import(upload_name: str, example: Path) -> Callable[[World, Client], tuple[str, str]]:
    """The example file uploaded: the preview page shows the form that applies it."""

    def setup(world: World, client: Client) -> tuple[str, str]:
        response = client.post(reverse(upload_name), _csv_upload("exemple.csv", example)())
        assert response.status_code == 302, response.status_code
        preview = response["Location"]
        namespace = upload_name.split(":")[0]
        return preview, reverse(f"{namespace}:import_apply", kwargs=resolve(urlsplit(preview).path).kwargs)

    return setup


def _session_register(world: World, client: Client) -> tuple[str, str]:
    from tests.url_matrix.sessions import session

    found = session(world)
    referral(world, status="acknowledged")
    page = reverse("e2c_referrals:session_detail", kwargs={"public_id": found.public_id})
    return page, reverse("e2c_referrals:session_register", kwargs={"public_id": found.public_id})


def _referral_register(world: World, client: Client) -> tuple[str, str]:
    from tests.url_matrix.sessions import session

    session(world)
    url = reverse(
        "e2c_referrals:referral_register", kwargs={"public_id": referral(world, status="acknowledged").public_id}
    )
    return url, url


def _correspondents(world: World, client: Client) -> tuple[str, str]:
    url = f"{ENTRY['partners:correspondent_create'].url(world)}?avec={world.ft.public_id}"
    return url, url


def _export_in_background(world: World, client: Client) -> tuple[str, str]:
    return reverse("reporting:dashboard"), reverse("reporting:export_in_background")


def _erasure_refuse(world: World, client: Client) -> tuple[str, str]:
    page = ENTRY["retention:erasure"].url(world)
    return page, page.rstrip("/") + "/refuser/"


CREATING = [
    Creating(
        "cej:young_person_create",
        "adviser_ml",
        "cej.YoungPerson",
        lambda w: {"last_name": "Lefèvre-Œuvray", "first_name": "Adèle", "birth_date": "2006-05-04"},
    ),
    Creating(
        "cej:consent_create",
        "adviser_ml",
        "cej.Consent",
        lambda w: {
            "given_on": day(),
            "shared_data": ["identity", "situation"],
            "method": "oral",
            "attestation": "Accord donné en entretien.",
        },
    ),
    Creating("cej:follow_up_create", "adviser_ml", "cej.FollowUp", lambda w: {"scheduled_on": day(7)}),
    Creating(
        "cej:cej_create",
        "adviser_ml",
        "cej.CejContract",
        lambda w: {
            "signed_on": day(),
            "starts_on": day(),
            "planned_end_on": day(240),
            "weekly_hours": "15",
            "activity_plan": "Remise à niveau et stages.",
        },
    ),
    Creating(
        "cej:cej_extend",
        "adviser_ml",
        "cej.CejEvent",
        lambda w: {"new_end_on": "2026-03-31", "reason": "Formation qualifiante à terminer."},
    ),
    Creating(
        "cej:cej_suspend",
        "adviser_ml",
        "cej.CejEvent",
        lambda w: {"occurred_on": "2025-06-02", "reason": "Hospitalisation."},
    ),
    Creating(
        "cej:cej_breach",
        "adviser_ml",
        "cej.CejEvent",
        lambda w: {"occurred_on": "2025-06-02", "reason": "Absences répétées sans nouvelles."},
    ),
    Creating(
        "cej:structuring_step_add",
        "adviser_ml",
        "cej.StructuringStep",
        lambda w: {"label": "Stage en entreprise", "e2c_site": "", "starts_on": "2025-03-03", "ends_on": "2025-03-14"},
    ),
    Creating(
        "cej:pacea_create",
        "adviser_ml",
        "cej.PaceaContract",
        lambda w: {"signed_on": day(), "starts_on": day(), "planned_end_on": day(180)},
    ),
    Creating(
        "cej:pacea_phase_add",
        "adviser_ml",
        "cej.PaceaPhase",
        lambda w: {
            "label": "Phase de diagnostic",
            "starts_on": "2025-02-03",
            "ends_on": "2025-03-03",
            "objectives": "Définir un projet.",
        },
    ),
    Creating(
        "cej:restriction_start",
        "adviser_ml",
        "cej.Restriction",
        lambda w: {"note": "Le jeune conteste l'exactitude de son adresse."},
    ),
    Creating("cej:import_upload", "adviser_ml", "cej.YoungPeopleImport", files=_csv_upload("jeunes.csv", CEJ_EXAMPLE)),
    Creating(
        "cej:import_apply",
        "adviser_ml",
        "cej.YoungPeopleImport applied",
        setup=_uploaded_import("cej:import_upload", CEJ_EXAMPLE),
    ),
    Creating(
        "e2c_referrals:referral_create",
        "adviser_ml",
        "e2c_referrals.Referral",
        lambda w: {"diagnostic": "Projet à consolider.", "motivation": "Veut reprendre un rythme."},
    ),
    Creating(
        "e2c_referrals:attachment_add",
        "adviser_ml",
        "e2c_referrals.Attachment",
        lambda w: {"label": "Attestation"},
        lambda: {"file": SimpleUploadedFile("attestation.pdf", PDF, content_type="application/pdf")},
    ),
    Creating(
        "e2c_referrals:post_exit_news_add",
        "adviser_ml",
        "e2c_referrals.PostExitNews",
        lambda w: {"news_on": day(), "note": "En formation."},
    ),
    Creating(
        "e2c_referrals:hand_back_handle",
        "adviser_ml",
        "e2c_referrals.HandBack handled",
        lambda w: {"follow_up_note": "Rendez-vous pris."},
    ),
    Creating("e2c_referrals:referral_move", "e2c_staff", "e2c_referrals.ReferralTransition"),
    Creating(
        "e2c_referrals:session_create",
        "e2c_staff",
        "e2c_referrals.InformationSession",
        lambda w: {
            "day": day(10),
            "starts": "09:30",
            "ends": "11:30",
            "address": "12 rue de la Gare",
            "capacity": "12",
            "registration_deadline": day(8),
        },
    ),
    Creating(
        "e2c_referrals:session_register", "e2c_staff", "e2c_referrals.SessionRegistration", setup=_session_register
    ),
    Creating(
        "e2c_referrals:referral_register", "adviser_ml", "e2c_referrals.SessionRegistration", setup=_referral_register
    ),
    Creating(
        "e2c_referrals:immersion_create",
        "adviser_ml",
        "e2c_referrals.AdviserImmersion",
        lambda w: {
            "starts_on": day(5),
            "ends_on": day(6),
            "host_contacts": "Mme Martin, accueil.",
            "participants": [str(w.user("adviser_ml").public_id)],
        },
    ),
    Creating(
        "partners:organisation_create",
        "administrator",
        "partners.Organisation",
        lambda w: {"name": "Mission Locale de Bastia", "siret": "73282932000074", "departement": "2B"},
    ),
    Creating(
        "partners:invitation_create",
        "manager_ml",
        "partners.Invitation",
        lambda w: {"email": "ines.moreau@ml-lyon.exemple.fr", "first_name": "Inès", "last_name": "Moreau"},
    ),
    Creating("partners:correspondent_create", "e2c_staff", "partners.Correspondent", setup=_correspondents),
    Creating(
        "partners:agreement_create",
        "manager_ml",
        "partners.Agreement",
        lambda w: {
            "title": "Convention locale Lyon × Vénissieux",
            "signed_on": day(-30),
            "starts_on": day(-20),
            "parties": [public_id(w.ml_a), public_id(w.site)],
        },
    ),
    Creating(
        "partners:amendment_create",
        "manager_ml",
        "partners.Amendment",
        lambda w: {"summary": "Prolongation", "signed_on": day()},
    ),
    Creating(
        "partners:diagnostic_create",
        "manager_ml",
        "partners.TerritorialDiagnostic",
        lambda w: {"mission_locale": public_id(w.ml_a), "e2c_site": public_id(w.site)},
    ),
    Creating(
        "partners:import_upload",
        "administrator",
        "partners.DirectoryImport",
        files=_csv_upload("annuaire.csv", DIRECTORY_EXAMPLE),
    ),
    Creating(
        "partners:import_apply",
        "administrator",
        "partners.DirectoryImport applied",
        setup=_uploaded_import("partners:import_upload", DIRECTORY_EXAMPLE),
    ),
    Creating("exports:referral_files", "manager_ml", "exports.ExportJob", lambda w: {"start": day(-30), "end": day()}),
    Creating("reporting:export_in_background", "national_committee", "exports.ExportJob", setup=_export_in_background),
    Creating("reporting:close_semester", "national_committee", "reporting.SemesterClosing"),
    Creating(
        "retention:erasure",
        "manager_ml",
        "retention.ErasureRequest",
        lambda w: {"requested_on": day(), "confirm": "on"},
    ),
    Creating(
        "retention:erasure_refuse",
        "manager_ml",
        "retention.ErasureRequest",
        lambda w: {"refus-requested_on": day(), "refus-refusal_reason": "Dossier en cours d'orientation."},
        setup=_erasure_refuse,
    ),
]


def count_rows(rows: str) -> int:
    label, _, status = rows.partition(" ")
    found = apps.get_model(label)._default_manager.all()
    if status == "handled":
        return found.filter(handled_at__isnull=False).count()
    return found.filter(status=status).count() if status else found.count()


def the_form(html: str, page_url: str, post_url: str) -> dict[str, object]:
    """The fields of the page's form posting to ``post_url`` (by its action, or to the page itself)."""
    actions = [action for action, _ in post_forms(html)]
    if post_url in actions:
        return dict(form_posting_to(html, post_url))
    assert urlsplit(page_url).path == urlsplit(post_url).path, f"no form posts to {post_url}: {actions}"
    return dict(form_posting_to(html, None))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", CREATING, ids=[form.name for form in CREATING])
def test_five_simultaneous_posts_of_a_creating_form_create_one_row(form):
    world = build_world()
    client = Client()
    client.force_login(world.user(form.role))
    page_url, post_url = form.setup(world, client) if form.setup else (ENTRY[form.name].url(world),) * 2
    page = client.get(page_url)
    assert page.status_code == 200
    fields = the_form(page.content.decode(), page_url, post_url)
    assert fields.get(FIELD), "the form carries no submission token"
    data = {**{k: v for k, v in fields.items() if v not in ("", [])}, **form.values(world)}
    before = count_rows(form.rows)

    answers = post_at_once(client, post_url, lambda: {**data, **form.files()}, times=TIMES)
    COUNTS["doubles soumissions simultanées"] += TIMES

    errors = [answer for answer in answers if isinstance(answer, Exception)]
    assert not errors, errors
    statuses = sorted(answer.status_code for answer in answers)
    assert count_rows(form.rows) - before == 1, statuses
    assert all(300 <= status < 400 for status in statuses), statuses  # never a page with an error
    assert len({answer["Location"] for answer in answers}) == 1  # all sent where the first one went


# Forms that post but create nothing a person would find twice (a choice, a sign-in, a change of
# state the service refuses to repeat, an edit): they carry a token too, the battery does not post them.
NOT_CREATING = {
    "switch_organisation": "chooses the organisation of the session",
    "logout": "signs out",
    "session_extend": "marks the session active (a script's post, not a form)",
    "login": "signs in",
    "password_change": "replaces the password",
    "password_reset": "sends a link (signed out)",
    "two_factor_verify": "checks a code",
    "two_factor_setup": "enrols one device per account",
    "reauthenticate": "checks the password",
    "email_change": "one pending request per account, replaced",
    "email_change_confirm": "applies a single-use link",
    "backup_codes_regenerate": "replaces the codes",
    "cej:young_people": "a search",
    "cej:young_person_update": "an edit",
    "cej:consent_revoke": "a state change",
    "cej:cej_resume": "a state change the service refuses twice",
    "cej:cej_end": "a state change the service refuses twice",
    "cej:pacea_end": "a state change the service refuses twice",
    "cej:structuring_step_end": "a state change",
    "cej:follow_up_record": "fills in an existing follow-up",
    "cej:follow_up_cancel": "a state change",
    "cej:restriction_lift": "a state change",
    "cej:import_cancel": "a state change",
    "partners:import_cancel": "a state change",
    "partners:organisation_update": "an edit",
    "partners:invitation_revoke": "a state change",
    "partners:invitation_accept_form": "signed out: one membership per invitation",
    "partners:membership_role": "an edit",
    "partners:membership_deactivate": "a state change",
    "partners:membership_reactivate": "a state change",
    "partners:two_factor_reset": "a state change",
    "partners:correspondent_update": "an edit",
    "partners:correspondent_delete": "a deletion",
    "partners:agreement_update": "an edit",
    "partners:diagnostic_update": "an edit",
    "e2c_referrals:referral_detail": "the page's own forms post elsewhere",
    "e2c_referrals:session_edit": "an edit",
    "e2c_referrals:session_cancel": "a state change",
    "e2c_referrals:registration_withdraw": "a state change",
    "e2c_referrals:session_attendance": "an edit of the registrations",
    "e2c_referrals:calendar_regenerate": "replaces the address",
    "outbox:notification_read": "marks as read",
    "outbox:notifications_read_all": "marks as read",
    "outbox:preferences": "an edit",
    "outbox:message_retry": "sends an existing message again",
    "retention:policy_edit": "an edit",
}
CREATING_NAMES = {form.name for form in CREATING}


def test_the_declared_forms_exist_and_no_creating_form_is_declared_twice():
    from tests.test_url_matrix import application_url_names

    names = application_url_names()
    assert names >= CREATING_NAMES | set(NOT_CREATING)
    assert not CREATING_NAMES & set(NOT_CREATING)
    assert len(CREATING_NAMES) == len(CREATING)


@pytest.mark.django_db
def test_every_form_that_posts_carries_a_token_and_is_declared_creating_or_not():
    world = build_world()
    seen: dict[str, str] = {}
    undeclared: dict[str, str] = {}
    untokened: dict[str, str] = {}
    for entry in ENTRIES:
        reader = next((role for role, status in entry.expected.items() if status == 200 and role != "anonymous"), None)
        if reader is None:
            continue
        client = Client()
        client.force_login(world.user(reader))
        url = entry.url(world)
        page = client.get(url)
        if not page["Content-Type"].startswith("text/html"):
            continue
        for action, fields in post_forms(page.content.decode()):
            name = resolve(urlsplit(action or url).path).view_name
            seen[name] = url
            if not fields.get(FIELD):
                untokened[name] = url
            if name not in CREATING_NAMES and name not in NOT_CREATING:
                undeclared[name] = url
    assert untokened == {}
    assert undeclared == {}, (
        f"{undeclared}: a form that posts: add it to CREATING (and its scenario) or NOT_CREATING (why)"
    )
    assert len(seen) > 40  # the crawl saw the forms (not an empty page set)
