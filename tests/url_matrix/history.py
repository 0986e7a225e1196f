from django.urls import reverse

from tests.url_matrix import Entry
from tests.url_matrix.young_people import OWN_FILE, file_of_ml_a

ENTRIES = [
    Entry(
        "history:young_person_history",
        lambda w: reverse("history:young_person_history", kwargs={"public_id": file_of_ml_a(w).public_id}),
        OWN_FILE,
    ),
]
