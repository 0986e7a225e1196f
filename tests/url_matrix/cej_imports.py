"""Import of young people from an i-milo export: advisers and managers of a Mission Locale or a
France Travail agency, into their own organisation. Another organisation's import is not found (404).
Apply and cancel are POST-only (a GET answers 405 to everyone): the import's holders are sent back to its
page, France Travail's adviser does not find it, any other role 403 (the role check comes before the import
is looked up)."""

from django.urls import reverse

from cej.models import YoungPeopleImport
from tests.url_matrix import Entry, everyone

HOLDERS = everyone(403, adviser_ml=200, adviser_ft=200, manager_ml=200)
# An import of Mission Locale A: the France Travail adviser holds files, but not this organisation's.
OWN_IMPORT = everyone(403, adviser_ml=200, manager_ml=200, adviser_ft=404)
POST_ONLY = everyone(403, adviser_ml=302, manager_ml=302, adviser_ft=404)


def _import_url(name):
    def url(w):
        young_people_import = YoungPeopleImport.objects.create(
            organisation=w.ml_a, created_by=w.users["adviser_ml"], filename="export-imilo.csv", encoding="utf-8"
        )
        return reverse(name, kwargs={"public_id": young_people_import.public_id})

    return url


ENTRIES = [
    Entry("cej:import_upload", lambda w: reverse("cej:import_upload"), HOLDERS, methods=("GET", "POST")),
    Entry("cej:import_example", lambda w: reverse("cej:import_example"), HOLDERS),
    Entry("cej:import_list", lambda w: reverse("cej:import_list"), HOLDERS),
    Entry("cej:import_preview", _import_url("cej:import_preview"), OWN_IMPORT),
    Entry("cej:import_apply", _import_url("cej:import_apply"), POST_ONLY, methods=("POST",)),
    Entry("cej:import_cancel", _import_url("cej:import_cancel"), POST_ONLY, methods=("POST",)),
]
