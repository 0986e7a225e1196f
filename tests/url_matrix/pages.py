from django.urls import reverse

from tests.url_matrix import Entry
from tests.world import ROLES

ENTRIES = [
    # Public, for everyone, signed in or not.
    Entry("accessibility", lambda w: reverse("accessibility"), dict.fromkeys(ROLES, 200)),
]
