"""Pages of the ``outbox`` app, namespace ``outbox``."""

from django.urls import URLPattern, URLResolver

app_name = "outbox"

urlpatterns: list[URLPattern | URLResolver] = []
