"""The home page and the young people's information notice (names without namespace)."""

from cej.views.home import urlpatterns

__all__ = ["urlpatterns"]
