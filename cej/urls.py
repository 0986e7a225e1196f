"""Young people's files and contracts, namespace ``cej``. Each area's view module declares its urlpatterns."""

from cej.views import consents, contracts, follow_ups, imports, restrictions, young_people

app_name = "cej"

urlpatterns = [
    *young_people.urlpatterns,
    *consents.urlpatterns,
    *contracts.urlpatterns,
    *follow_ups.urlpatterns,
    *imports.urlpatterns,
    *restrictions.urlpatterns,
]
