from django.urls import reverse

from tests.url_matrix import Entry, everyone

ENTRIES = [
    Entry("audit:access_log", lambda w: reverse("audit:access_log"), everyone(403, administrator=200)),
    Entry(
        "audit:access_log_export",
        lambda w: reverse("audit:access_log_export") + f"?user_email={w.user('adviser_ml').email}",
        everyone(403, administrator=200),
    ),
]
