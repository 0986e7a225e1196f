from django.urls import reverse

from tests.url_matrix import Entry, everyone

# The national committee sees every area; the coordinator of ARML Auvergne-Rhône-Alpes (région 84)
# sees that région only; every other role is refused (403).
IN_REGION_84 = everyone(403, regional_coordinator=200, national_committee=200)

ENTRIES = [
    Entry(
        "reporting:dashboard",
        lambda w: reverse("reporting:dashboard"),
        everyone(403, regional_coordinator=302, national_committee=200),
    ),
    Entry(
        "reporting:go",
        lambda w: reverse("reporting:go") + "?region=32",
        everyone(403, regional_coordinator=302, national_committee=302),
    ),
    Entry("reporting:region", lambda w: reverse("reporting:region", kwargs={"code": "84"}), IN_REGION_84),
    Entry(
        "reporting:departement",
        lambda w: reverse("reporting:departement", kwargs={"code": "59"}),
        everyone(403, regional_coordinator=404, national_committee=200),
    ),
    Entry(
        "reporting:organisation",
        lambda w: reverse("reporting:organisation", kwargs={"public_id": w.site.public_id}),
        IN_REGION_84,
    ),
    Entry(
        "reporting:close_semester",
        lambda w: reverse("reporting:close_semester", kwargs={"semester": "2025-S1"}),
        everyone(403, national_committee=200),
        methods=("GET", "POST"),
    ),
    Entry(
        "reporting:export_xlsx",
        lambda w: reverse("reporting:export_xlsx") + "?region=84",
        IN_REGION_84,
    ),
    Entry(
        "reporting:export_csv",
        lambda w: reverse("reporting:export_csv") + "?region=32",
        everyone(403, regional_coordinator=404, national_committee=200),
    ),
    Entry(
        "reporting:export_pdf",
        lambda w: reverse("reporting:export_pdf") + "?organisation=" + str(w.site.public_id),
        IN_REGION_84,
    ),
    Entry(
        "reporting:export_in_background",
        lambda w: reverse("reporting:export_in_background"),
        everyone(403, regional_coordinator=302, national_committee=302),
        methods=("POST",),
    ),
]
