from django.urls import reverse

from tests.url_matrix import Entry
from tests.world import ROLES

ENTRIES = [
    # Public, for everyone, signed in or not.
    Entry("accessibility", lambda w: reverse("accessibility"), dict.fromkeys(ROLES, 200)),
    # The site map (RGAA 12.1): the public pages, and signed in, those of the acting role.
    Entry("site_map", lambda w: reverse("site_map"), dict.fromkeys(ROLES, 200)),
]
