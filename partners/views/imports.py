"""Importing the directory from a CSV file (administrators): upload, preview, apply or cancel, history.

The pages are the shared ones of ``csvimport.views``; this module gives them the directory's access
check, services, selectors and French messages.
"""

from pathlib import Path

from django.http import HttpRequest
from django.urls import URLPattern

from csvimport.views import ImportViews, plural
from partners.access import Actor, Capability, actor_for
from partners.forms.imports import DirectoryImportForm
from partners.models import DirectoryImport
from partners.selectors.imports import (
    directory_import_for_actor,
    directory_import_report,
    directory_imports_for_history,
)
from partners.services.imports import directory_import_apply, directory_import_cancel, directory_import_create

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "exemple-import-annuaire.csv"


def _administrator(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    actor.require(Capability.MANAGE_DIRECTORY)
    return actor


def _applied_message(applied: DirectoryImport) -> str:
    return (
        "L'import est appliqué : "
        f"{plural(applied.created_count, 'organisation créée', 'organisations créées')}, "
        f"{plural(applied.updated_count, 'mise à jour', 'mises à jour')}, "
        f"{plural(applied.unchanged_count, 'inchangée', 'inchangées')}."
    )


def _cancelled_message(directory_import: DirectoryImport) -> str:
    return f"L'import du fichier « {directory_import.filename} » est annulé : l'annuaire est inchangé."


DIRECTORY_IMPORT_VIEWS = ImportViews[Actor, DirectoryImport](
    namespace="partners",
    template_dir="partners/imports",
    context_name="directory_import",
    form_class=DirectoryImportForm,
    example_file=EXAMPLE_FILE,
    actor=_administrator,
    create=lambda actor, filename, content: directory_import_create(actor=actor, filename=filename, content=content),
    get=lambda actor, public_id: directory_import_for_actor(actor=actor, public_id=public_id),
    report=directory_import_report,
    history=lambda actor, after, before: directory_imports_for_history(actor=actor, after=after, before=before),
    apply=lambda actor, record: directory_import_apply(actor=actor, directory_import=record),
    cancel=lambda actor, record: directory_import_cancel(actor=actor, directory_import=record),
    applied_message=_applied_message,
    cancelled_message=_cancelled_message,
)

# Forbidden roles get 403 before anything else; an administrator's GET on a POST-only URL gets 405.
urlpatterns: list[URLPattern] = DIRECTORY_IMPORT_VIEWS.urlpatterns(one="annuaire/import/", history="annuaire/imports/")
