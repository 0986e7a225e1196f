"""Importing young people's files from an i-milo style export: upload, preview, apply or cancel, history.

ML and France Travail advisers and managers import into their own organisation only. The pages are
the shared ones of ``csvimport.views``; this module gives them the young people's import (its access
check and services), selectors and French words.
"""

from pathlib import Path

from django.urls import URLPattern

from cej.forms.imports import YoungPeopleImportForm
from cej.models import YoungPeopleImport
from cej.selectors.imports import (
    young_people_import_for_actor,
    young_people_import_report,
    young_people_imports_for_history,
)
from cej.services.imports import YOUNG_PEOPLE_IMPORT
from csvimport.views import ImportViews, Outcome
from partners.access import Actor, actor_for

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "exemple-export-imilo.csv"

YOUNG_PEOPLE_IMPORT_VIEWS = ImportViews[Actor, YoungPeopleImport](
    namespace="cej",
    form_class=YoungPeopleImportForm,
    example_file=EXAMPLE_FILE,
    pipeline=YOUNG_PEOPLE_IMPORT,
    actor=actor_for,
    get=young_people_import_for_actor,
    report=young_people_import_report,
    history=young_people_imports_for_history,
    outcome=Outcome(
        created=("dossier ouvert", "dossiers ouverts"),
        updated=("mis à jour", "mis à jour"),
        unchanged=("inchangé", "inchangés"),
        untouched="aucun dossier n'a été modifié",
    ),
)

# Forbidden roles get 403 before anything else; a file holder's GET on a POST-only URL gets 405.
urlpatterns: list[URLPattern] = YOUNG_PEOPLE_IMPORT_VIEWS.urlpatterns(one="jeunes/import/", history="jeunes/imports/")
