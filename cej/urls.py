"""Young people's files and contracts, namespace ``cej``. Each area's view module declares its urlpatterns."""

from cej.views import young_people

app_name = "cej"

urlpatterns = [
    *young_people.urlpatterns,
]
