"""Django's admin is a technical read-mostly view for the operator: every change to organisations,
memberships and account status goes through the application's pages and services (checks, audit)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from partners.forms.accounts import UserChangeAdminForm, UserCreationAdminForm
from partners.models import Membership, Organisation, User


class ReadOnlyInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    can_delete = False
    fields = ("organisation", "role", "is_active", "created_at")
    readonly_fields = ("organisation", "role", "is_active", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [ReadOnlyInline]
    # Deactivation ends sessions and is logged: it is done from the team pages, not here.
    readonly_fields = ["is_active", "deactivated_at", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined", "deactivated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    """Read only: the directory pages and the CSV import keep the derived fields (région, sort name) right."""

    list_display = ["name", "kind", "departement", "is_active"]
    list_filter = ["kind", "is_active", "region"]
    search_fields = ["name", "siret"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
