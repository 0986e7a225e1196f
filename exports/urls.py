"""Pages of the ``exports`` app, namespace ``exports``."""

from exports.views import urlpatterns

app_name = "exports"

__all__ = ["app_name", "urlpatterns"]
