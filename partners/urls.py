"""The partners' pages, namespace ``partners``. Each area's view module declares its own urlpatterns."""

from django.urls import path

from partners.views import agreements, correspondents, directory, imports, members

app_name = "partners"

urlpatterns = [
    path("annuaire/", directory.directory, name="directory"),
    path("annuaire/nouvelle/", directory.organisation_create_view, name="organisation_create"),
    path("annuaire/<uuid:public_id>/", directory.organisation_detail, name="organisation_detail"),
    path("annuaire/<uuid:public_id>/modifier/", directory.organisation_update_view, name="organisation_update"),
    path("mon-organisation/", directory.my_organisation, name="my_organisation"),
    *members.urlpatterns,
    *correspondents.urlpatterns,
    *agreements.urlpatterns,
    *imports.urlpatterns,
]
