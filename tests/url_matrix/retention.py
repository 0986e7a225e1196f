from django.urls import reverse

from tests.url_matrix import Entry, everyone

ENTRIES = [
    Entry("retention:overview", lambda w: reverse("retention:overview"), everyone(403, administrator=200)),
    Entry(
        "retention:policy_edit",
        lambda w: reverse("retention:policy_edit", kwargs={"category": "account"}),
        everyone(403, administrator=200),
    ),
]
