"""Directory import: administrators only. Apply and cancel are POST-only (a GET answers 405 to
everyone): the administrator is sent back to the import, any other role 403."""

from django.urls import reverse

from partners.models import DirectoryImport
from tests.url_matrix import Entry, everyone

ADMINISTRATORS_ONLY = everyone(403, administrator=200)
POST_ONLY = everyone(403, administrator=302)


def _import_url(name):
    def url(w):
        directory_import = DirectoryImport.objects.create(
            created_by=w.users["administrator"], filename="annuaire.csv", encoding="utf-8", delimiter=";"
        )
        return reverse(name, kwargs={"public_id": directory_import.public_id})

    return url


ENTRIES = [
    Entry(
        "partners:import_upload",
        lambda w: reverse("partners:import_upload"),
        ADMINISTRATORS_ONLY,
        methods=("GET", "POST"),
    ),
    Entry("partners:import_example", lambda w: reverse("partners:import_example"), ADMINISTRATORS_ONLY),
    Entry("partners:import_list", lambda w: reverse("partners:import_list"), ADMINISTRATORS_ONLY),
    Entry("partners:import_preview", _import_url("partners:import_preview"), ADMINISTRATORS_ONLY),
    Entry("partners:import_apply", _import_url("partners:import_apply"), POST_ONLY, methods=("POST",)),
    Entry("partners:import_cancel", _import_url("partners:import_cancel"), POST_ONLY, methods=("POST",)),
]
