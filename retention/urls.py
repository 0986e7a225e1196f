from django.urls import URLPattern, URLResolver, path

from retention.views import retention_overview, retention_policy_edit

app_name = "retention"

urlpatterns: list[URLPattern | URLResolver] = [
    path("conservation/", retention_overview, name="overview"),
    path("conservation/<slug:category>/modifier/", retention_policy_edit, name="policy_edit"),
]
