"""Importing the directory from a CSV file (administrators): upload, preview, apply or cancel, history.

The pages are the shared ones of ``csvimport.views``; this module gives them the directory's import
(its access check and services), selectors and French words.
"""

from pathlib import Path

from django.urls import URLPattern

from csvimport.views import ImportViews, Outcome
from partners.access import Actor, actor_for
from partners.forms.imports import DirectoryImportForm
from partners.models import DirectoryImport
from partners.selectors.imports import (
    directory_import_for_actor,
    directory_import_report,
    directory_imports_for_history,
)
from partners.services.imports import DIRECTORY_IMPORT

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "exemple-import-annuaire.csv"

DIRECTORY_IMPORT_VIEWS = ImportViews[Actor, DirectoryImport](
    namespace="partners",
    form_class=DirectoryImportForm,
    example_file=EXAMPLE_FILE,
    pipeline=DIRECTORY_IMPORT,
    actor=actor_for,
    get=directory_import_for_actor,
    report=directory_import_report,
    history=directory_imports_for_history,
    outcome=Outcome(
        created=("organisation créée", "organisations créées"),
        updated=("mise à jour", "mises à jour"),
        unchanged=("inchangée", "inchangées"),
        untouched="l'annuaire est inchangé",
    ),
)

# Forbidden roles get 403 before anything else; an administrator's GET on a POST-only URL gets 405.
urlpatterns: list[URLPattern] = DIRECTORY_IMPORT_VIEWS.urlpatterns(one="annuaire/import/", history="annuaire/imports/")
