from django.urls import URLPattern, URLResolver, path

from retention.views import retention_overview, retention_policy_edit
from retention.views_erasure import erasure_refuse_view, erasure_view

app_name = "retention"

urlpatterns: list[URLPattern | URLResolver] = [
    path("conservation/", retention_overview, name="overview"),
    path("conservation/<slug:category>/modifier/", retention_policy_edit, name="policy_edit"),
    path("jeunes/<uuid:public_id>/effacer/", erasure_view, name="erasure"),
    path("jeunes/<uuid:public_id>/effacer/refuser/", erasure_refuse_view, name="erasure_refuse"),
]
