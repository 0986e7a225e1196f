"""Pages of the ``reporting`` app, namespace ``reporting``. Each view module declares its urlpatterns."""

from django.urls import URLPattern, URLResolver

from reporting.views import dashboard, exports, snapshots

app_name = "reporting"

urlpatterns: list[URLPattern | URLResolver] = [*dashboard.urlpatterns, *snapshots.urlpatterns, *exports.urlpatterns]
