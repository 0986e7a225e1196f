"""Importing young people's files from an i-milo style export: upload, preview, apply or cancel, history.

ML and France Travail advisers and managers import into their own organisation only. The pages are
the shared ones of ``csvimport.views``; this module gives them the file holder's access check, the
services, selectors and French messages.
"""

from pathlib import Path

from django.http import HttpRequest
from django.urls import URLPattern

from cej.access import require_file_holder
from cej.forms.imports import YoungPeopleImportForm
from cej.models import YoungPeopleImport
from cej.selectors.imports import (
    young_people_import_for_actor,
    young_people_import_report,
    young_people_imports_for_history,
)
from cej.services.imports import (
    young_people_import_apply,
    young_people_import_cancel,
    young_people_import_create,
)
from csvimport.views import ImportViews, plural
from partners.access import Actor, actor_for

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "exemple-export-imilo.csv"


def _file_holder(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    require_file_holder(actor)
    return actor


def _applied_message(applied: YoungPeopleImport) -> str:
    return (
        "L'import est appliqué : "
        f"{plural(applied.created_count, 'dossier ouvert', 'dossiers ouverts')}, "
        f"{plural(applied.updated_count, 'mis à jour', 'mis à jour')}, "
        f"{plural(applied.unchanged_count, 'inchangé', 'inchangés')}."
    )


def _cancelled_message(young_people_import: YoungPeopleImport) -> str:
    return f"L'import du fichier « {young_people_import.filename} » est annulé : aucun dossier n'a été modifié."


YOUNG_PEOPLE_IMPORT_VIEWS = ImportViews[Actor, YoungPeopleImport](
    namespace="cej",
    template_dir="cej/imports",
    context_name="young_people_import",
    form_class=YoungPeopleImportForm,
    example_file=EXAMPLE_FILE,
    actor=_file_holder,
    create=lambda actor, filename, content: young_people_import_create(actor=actor, filename=filename, content=content),
    get=lambda actor, public_id: young_people_import_for_actor(actor=actor, public_id=public_id),
    report=young_people_import_report,
    history=lambda actor, after, before: young_people_imports_for_history(actor=actor, after=after, before=before),
    apply=lambda actor, record: young_people_import_apply(actor=actor, young_people_import=record),
    cancel=lambda actor, record: young_people_import_cancel(actor=actor, young_people_import=record),
    applied_message=_applied_message,
    cancelled_message=_cancelled_message,
)

# Forbidden roles get 403 before anything else; a file holder's GET on a POST-only URL gets 405.
urlpatterns: list[URLPattern] = YOUNG_PEOPLE_IMPORT_VIEWS.urlpatterns(one="jeunes/import/", history="jeunes/imports/")
