"""Request forms of the export kinds defined here (other apps bring their own)."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from partners.access import Actor, can_export_referral_files
from partners.enums import OrganisationKind
from partners.forms.widgets import DateInput
from partners.models import Organisation

# The organisations whose referral files may be exported: an E2C site's received, an ML's or agency's sent.
REFERRAL_FILE_KINDS = (OrganisationKind.E2C_SITE, OrganisationKind.MISSION_LOCALE, OrganisationKind.FRANCE_TRAVAIL)
LONGEST_PERIOD = datetime.timedelta(days=366)
DATE_ERRORS = {
    "required": "Indiquez une date.",
    "invalid": "Saisissez une date valide, par exemple 15/09/2026.",
}


def referral_file_organisations(actor: Actor) -> list[Organisation]:
    """The organisations whose referral files ``actor`` may export (none: the page is refused)."""
    if not can_export_referral_files(actor):
        return []
    return list(
        Organisation.objects.filter(pk__in=actor.family_ids, kind__in=REFERRAL_FILE_KINDS, is_active=True).order_by(
            "sort_name", "id"
        )
    )


class ReferralFilesExportForm(forms.Form):
    organisation = forms.ChoiceField(label="Orientations de")
    start = forms.DateField(label="Du", widget=DateInput(), error_messages=DATE_ERRORS)
    end = forms.DateField(label="Au (inclus)", widget=DateInput(), error_messages=DATE_ERRORS)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(organisation.public_id): organisation for organisation in organisations}
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = [
            (key, f"{organisation} — {'reçues' if organisation.is_e2c else 'envoyées'}")
            for key, organisation in self.organisations.items()
        ]
        field.help_text = "Un site E2C : les orientations reçues ; une Mission Locale ou une agence : les envoyées."
        self.fields["start"].help_text = "Date d'envoi de l'orientation (de création pour un brouillon)."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "La date de fin doit suivre la date de début.")
            elif end - start > LONGEST_PERIOD:
                self.add_error("end", "La période ne peut pas dépasser un an : faites plusieurs exports.")
            elif start > timezone.localdate():
                self.add_error("start", "La date de début est dans le futur : aucune orientation ne peut s'y trouver.")
        return data

    def parameters(self) -> dict[str, str]:
        """What the job stores: identifiers and ISO dates, no personal data."""
        return {
            "organisation": self.cleaned_data["organisation"],
            "start": self.cleaned_data["start"].isoformat(),
            "end": self.cleaned_data["end"].isoformat(),
        }
