from django.urls import reverse

from tests.cej.factories import YoungPersonFactory
from tests.url_matrix import Entry, everyone

ENTRIES = [
    Entry("retention:overview", lambda w: reverse("retention:overview"), everyone(403, administrator=200)),
    Entry(
        "retention:policy_edit",
        lambda w: reverse("retention:policy_edit", kwargs={"category": "account"}),
        everyone(403, administrator=200),
        methods=("GET", "POST"),
    ),
]


def _file_of_ml_a(w):
    return YoungPersonFactory(organisation=w.ml_a)


# The right to erasure (RGPD article 17): the referent structure's managers, and administrators (the
# DPO) for any file; its advisers may not (403); everyone else does not see the file (404).
ERASERS = everyone(404, adviser_ml=403, manager_ml=200, administrator=200)

ENTRIES += [
    Entry(
        "retention:erasure",
        lambda w: reverse("retention:erasure", kwargs={"public_id": _file_of_ml_a(w).public_id}),
        ERASERS,
        methods=("GET", "POST"),
    ),
    Entry(
        "retention:erasure_refuse",
        lambda w: reverse("retention:erasure_refuse", kwargs={"public_id": _file_of_ml_a(w).public_id}),
        # An empty refusal: the erasure page again, with the form's errors.
        everyone(404, adviser_ml=403, manager_ml=200, administrator=200),
        methods=("POST",),
    ),
]
