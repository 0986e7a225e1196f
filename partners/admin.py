"""Django's admin is a technical read-mostly view for the operator: every change to organisations,
memberships and account status goes through the application's pages and services (checks, audit).

What could let an operator silently act as someone (issue 19) goes through the application's doors:
a new password through ``account_password_set`` (the owner is told), a new sign-in address through
``email_change_request`` (the link goes to the new address, nothing changes until the owner follows it
while signed in, then the old address is told); the authenticator secrets are never shown nor editable
(the team page's two-factor reset is the way to replace a lost device). Every change made here lands
in the account history (partners.admin_site).
"""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.forms.accounts import NoticedAdminPasswordChangeForm, UserChangeAdminForm, UserCreationAdminForm
from partners.models import Membership, Organisation, User
from partners.services.accounts import email_change_request, masked_address


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
    change_password_form = NoticedAdminPasswordChangeForm

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """The other fields are saved here; a new address is only requested, as on « Adresse e-mail »."""
        requested = ""
        if change and "email" in form.changed_data:
            requested = User.objects.normalize_email(obj.email).lower()
            obj.email = form.initial["email"]
        super().save_model(request, obj, form, change)
        if requested and requested != obj.email:
            email_change_request(
                user=obj,
                email=requested,
                link_for=lambda token: settings.SITE_URL + reverse("email_change_open", kwargs={"token": token}),
            )
            messages.warning(
                request,
                f"Adresse de connexion inchangée pour l'instant : un lien de confirmation a été envoyé à "
                f"{masked_address(requested)}. Le changement prendra effet quand la personne l'aura suivi en "
                "étant connectée à son compte ; son ancienne adresse en sera alors avertie.",
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


# django-otp's own admin shows the secret (and a QR code of it) and lets it be edited: replaced by a view
# without them. A lost device is reset from the team page (the owner told, the reset in the history).
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin[TOTPDevice]):
    """Which accounts have an authenticator application, and since when: never its secret."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__email", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = ["user", "name", "confirmed", "created_at", "last_used_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TOTPDevice]:
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
