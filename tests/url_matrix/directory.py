from django.urls import reverse

from tests.url_matrix import Entry, everyone


def detail(w):
    return reverse("partners:organisation_detail", kwargs={"public_id": w.ml_b.public_id})


ENTRIES = [
    Entry("partners:directory", lambda w: reverse("partners:directory"), everyone(200, no_membership=403)),
    Entry(
        "partners:organisation_create",
        lambda w: reverse("partners:organisation_create"),
        everyone(403, administrator=200),
        methods=("GET", "POST"),
    ),
    Entry("partners:organisation_detail", detail, everyone(200, no_membership=404)),
    Entry(
        "partners:organisation_update",
        lambda w: reverse("partners:organisation_update", kwargs={"public_id": w.ml_b.public_id}),
        everyone(403, administrator=200, no_membership=404),
        methods=("GET", "POST"),
    ),
    Entry("partners:my_organisation", lambda w: reverse("partners:my_organisation"), everyone(200, no_membership=404)),
]
