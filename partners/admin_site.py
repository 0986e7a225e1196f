"""Django's admin site, with every add, change and delete made there written to the account history.

Each ModelAdmin registered on the site — ours and the installed apps' (axes, django-otp, Celery beat,
Django's groups) — is given ``HistoryAdminMixin``: the admin's own log calls (``log_addition``,
``log_change``, ``log_deletions``: every save, inline, bulk action and password form reaches one) also
write AccountEvent rows (``partners.services.admin_changes``). No change made in the admin escapes it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.db.models import Model
from django.http import HttpRequest


class HistoryAdminMixin:
    """The admin's log calls, each also recorded as an account event (who, when, which fields)."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        from partners.services.admin_changes import admin_change_log

        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        admin_change_log(actor=request.user, obj=obj, action="add", message=message)
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        from partners.services.admin_changes import admin_change_log

        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        admin_change_log(actor=request.user, obj=obj, action="change", message=message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        from partners.services.admin_changes import admin_change_log

        # Called before the deletion: the objects (and their account's memberships) are still there.
        for obj in queryset:
            admin_change_log(actor=request.user, obj=obj, action="delete", message=[])
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class HistoryAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, HistoryAdminMixin):
            admin_class = type(admin_class.__name__, (HistoryAdminMixin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    default_site = "partners.admin_site.HistoryAdminSite"
