"""Django's admin for the CEJ allowance table: administrators add the amounts of future decrees.

Amounts already in force are history (they explain past payments): read only, never deleted.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from cej.models import AllowanceRate


class AllowanceRateForm(forms.ModelForm[AllowanceRate]):
    class Meta:
        model = AllowanceRate
        fields = ["category", "valid_from", "monthly_amount"]

    def clean_valid_from(self) -> Any:
        valid_from = self.cleaned_data["valid_from"]
        if valid_from is not None and valid_from <= timezone.localdate():
            raise forms.ValidationError(
                "Seuls les montants à venir s'ajoutent ici : choisissez une date d'entrée en vigueur après aujourd'hui."
            )
        return valid_from


def _in_force(rate: AllowanceRate | None) -> bool:
    return rate is not None and rate.valid_from <= timezone.localdate()


@admin.register(AllowanceRate)
class AllowanceRateAdmin(admin.ModelAdmin[AllowanceRate]):
    form = AllowanceRateForm
    list_display = ["category", "valid_from", "monthly_amount", "created_by"]
    list_filter = ["category"]
    ordering = ["-valid_from", "category"]
    readonly_fields = ["created_by"]

    def has_change_permission(self, request: HttpRequest, obj: AllowanceRate | None = None) -> bool:
        return not _in_force(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: AllowanceRate | None = None) -> bool:
        return not _in_force(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: AllowanceRate, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
