"""Pages of the ``exports`` app, namespace ``exports``: a job's pages, and the request page of each
registered kind that has one (``exports:<kind name>``, its view in the app owning the kind)."""

from django.urls import URLPattern, URLResolver, path
from django.utils.module_loading import import_string

from exports import registry
from exports.views import urlpatterns as job_patterns

app_name = "exports"

urlpatterns: list[URLPattern | URLResolver] = [
    *(
        path(f"exports/{kind.request_path}/", import_string(kind.request_view), name=kind.name)
        for kind in registry.kinds()
        if kind.request_view
    ),
    *job_patterns,
]
