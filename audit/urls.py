"""Pages of the ``audit`` app, namespace ``audit``."""

from audit.views import urlpatterns

app_name = "audit"

__all__ = ["app_name", "urlpatterns"]
