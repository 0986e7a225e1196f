from django.urls import reverse

from tests.url_matrix import Entry, everyone

# The E2C site's own staff, its school's manager and administrators edit the site's pairs.
SITE_EDITORS = everyone(403, e2c_staff=200, manager_e2c=200, administrator=200, no_membership=404)


def pair_url(name):
    return lambda w: reverse(name, kwargs={"public_id": w.site.public_id, "pair_id": w.correspondent.public_id})


ENTRIES = [
    Entry(
        "partners:correspondents",
        lambda w: reverse("partners:correspondents", kwargs={"public_id": w.site.public_id}),
        everyone(200, no_membership=404),
    ),
    Entry(
        "partners:correspondent_create",
        lambda w: reverse("partners:correspondent_create", kwargs={"public_id": w.site.public_id}),
        SITE_EDITORS,
        methods=("GET", "POST"),
    ),
    Entry(
        "partners:correspondent_update",
        pair_url("partners:correspondent_update"),
        SITE_EDITORS,
        methods=("GET", "POST"),
    ),
    Entry(
        "partners:correspondent_delete",
        pair_url("partners:correspondent_delete"),
        SITE_EDITORS,
        methods=("GET", "POST"),
    ),
]
