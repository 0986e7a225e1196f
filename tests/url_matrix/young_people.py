from django.urls import reverse

from tests.cej.factories import YoungPersonFactory
from tests.url_matrix import Entry, everyone


def file_of_ml_a(w):
    return YoungPersonFactory(organisation=w.ml_a)


# Files of Mission Locale A: its adviser and manager only; everyone else does not see them (404).
OWN_FILE = everyone(404, adviser_ml=200, manager_ml=200)
# Creating and editing: advisers and managers of a Mission Locale or a France Travail agency.
HOLDERS = everyone(403, adviser_ml=200, adviser_ft=200, manager_ml=200)
# Restricting processing (RGPD article 18): the file's own advisers and managers, and administrators
# (the DPO) for any file; everyone else does not see it (404).
RESTRICTERS = everyone(404, adviser_ml=200, manager_ml=200, administrator=200)
# Lifting it: the structure's managers and administrators; its advisers get 403.
LIFTERS = everyone(404, adviser_ml=403, manager_ml=200, administrator=200)

ENTRIES = [
    Entry(
        "cej:young_people",
        lambda w: reverse("cej:young_people"),
        everyone(200, no_membership=403, regional_coordinator=403, national_committee=403, administrator=403),
        methods=("GET", "POST"),
    ),
    Entry("cej:young_person_create", lambda w: reverse("cej:young_person_create"), HOLDERS, methods=("GET", "POST")),
    Entry(
        "cej:young_person_detail",
        lambda w: reverse("cej:young_person_detail", kwargs={"public_id": file_of_ml_a(w).public_id}),
        OWN_FILE,
    ),
    Entry(
        "cej:young_person_update",
        lambda w: reverse("cej:young_person_update", kwargs={"public_id": file_of_ml_a(w).public_id}),
        OWN_FILE,
        methods=("GET", "POST"),
    ),
    Entry(
        "cej:restriction_start",
        lambda w: reverse("cej:restriction_start", kwargs={"public_id": file_of_ml_a(w).public_id}),
        RESTRICTERS,
        methods=("GET", "POST"),
    ),
    Entry(
        "cej:restriction_lift",
        lambda w: reverse("cej:restriction_lift", kwargs={"public_id": file_of_ml_a(w).public_id}),
        LIFTERS,
        methods=("GET", "POST"),
    ),
]
