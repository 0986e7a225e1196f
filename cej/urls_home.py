"""The young people's information notice (name without namespace)."""

from cej.views.home import urlpatterns

__all__ = ["urlpatterns"]
