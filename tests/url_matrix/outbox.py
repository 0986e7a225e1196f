"""The bell (every signed-in person, their own notifications) and the administrators' monitoring."""

import uuid

from django.urls import reverse

from tests.url_matrix import Entry, everyone

ENTRIES = [
    Entry("outbox:notifications", lambda w: reverse("outbox:notifications"), everyone(200)),
    Entry(
        "outbox:notification_read",
        lambda w: reverse("outbox:notification_read", kwargs={"public_id": uuid.uuid4()}),
        everyone(404),  # someone else's notification, or none: not found
        methods=("POST",),
    ),
    Entry(
        "outbox:notifications_read_all",
        lambda w: reverse("outbox:notifications_read_all"),
        everyone(302),
        methods=("POST",),
    ),
    Entry("outbox:preferences", lambda w: reverse("outbox:preferences"), everyone(200), methods=("GET", "POST")),
    Entry("outbox:monitoring", lambda w: reverse("outbox:monitoring"), everyone(403, administrator=200)),
    Entry(
        "outbox:message_retry",
        lambda w: reverse("outbox:message_retry", kwargs={"public_id": uuid.uuid4()}),
        everyone(403, administrator=404),  # administrators only; no such message
        methods=("POST",),
    ),
]
