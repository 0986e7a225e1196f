"""Pages of the ``reporting`` app, namespace ``reporting``."""

from django.urls import URLPattern, URLResolver

app_name = "reporting"

urlpatterns: list[URLPattern | URLResolver] = []
