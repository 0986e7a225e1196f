"""Forms of agreements, amendments and territorial diagnostics: typed input for the services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils import timezone

from partners.enums import AgreementFramework, AgreementLevel, CollaborationLevel
from partners.forms.widgets import DateInput
from partners.models import Agreement, Organisation, Region, TerritorialDiagnostic
from partners.services.agreements import AgreementData
from partners.uploads import PDF_UPLOAD

PDF_HELP = "PDF de 10 Mo au plus."


def pdf_input() -> forms.FileInput:
    """A file picker that proposes PDFs; the server checks the content whatever the browser says."""
    return forms.FileInput(attrs={"accept": "application/pdf,.pdf"})


class AgreementForm(forms.Form):
    title = forms.CharField(label="Intitulé", max_length=250)
    framework = forms.ChoiceField(label="Cadre", choices=AgreementFramework.choices)
    level = forms.ChoiceField(label="Niveau")
    parent = forms.ChoiceField(
        label="Accord national décliné",
        required=False,
        help_text="Pour un accord régional ou local : l'accord national dont il est la déclinaison.",
    )
    region = forms.ChoiceField(
        label="Région", required=False, help_text="Obligatoire pour un accord régional ou local."
    )
    parties = forms.MultipleChoiceField(
        label="Signataires",
        required=False,
        help_text="Au moins deux organisations pour un accord régional ou local. "
        "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
    )
    signed_on = forms.DateField(label="Signé le", widget=DateInput())
    starts_on = forms.DateField(label="Début", widget=DateInput())
    ends_on = forms.DateField(
        label="Fin",
        required=False,
        widget=DateInput(),
        help_text="Laissée vide : trois ans après le début, moins un jour.",
    )
    signed_document = forms.FileField(
        label="Accord signé (PDF)", required=False, widget=pdf_input(), help_text=PDF_HELP, validators=[PDF_UPLOAD]
    )

    def __init__(
        self,
        *args: Any,
        levels: Iterable[str],
        regions: Iterable[Region],
        parents: Iterable[Agreement],
        party_choices: Iterable[Organisation],
        instance: Agreement | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": instance.title,
                "framework": instance.framework,
                "level": instance.level,
                "parent": str(instance.parent.public_id) if instance.parent else "",
                "region": instance.region_id or "",
                "parties": [str(party.public_id) for party in instance.parties.all()],
                "signed_on": instance.signed_on,
                "starts_on": instance.starts_on,
                "ends_on": instance.ends_on,
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.regions = {region.code: region for region in regions}
        self.parents = {str(a.public_id): a for a in parents if instance is None or a.pk != instance.pk}
        self.party_options = {str(o.public_id): o for o in party_choices}
        if instance is not None:  # keep today's parties choosable even if outside the usual list
            self.party_options.update({str(p.public_id): p for p in instance.parties.all()})
        labels = dict(AgreementLevel.choices)
        cast(forms.ChoiceField, self.fields["level"]).choices = [(level, labels[level]) for level in levels]
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", "—")] + [
            (code, region.name) for code, region in self.regions.items()
        ]
        cast(forms.ChoiceField, self.fields["parent"]).choices = [("", "—")] + [
            (key, f"{agreement.title} ({agreement.starts_on:%Y})") for key, agreement in self.parents.items()
        ]
        parties_field = cast(forms.MultipleChoiceField, self.fields["parties"])
        parties_field.choices = [
            (key, f"{organisation} — {organisation.get_kind_display()}")
            for key, organisation in self.party_options.items()
        ]
        parties_field.widget.attrs["size"] = 12
        if instance is not None and instance.signed_document:
            self.fields[
                "signed_document"
            ].help_text = f"{PDF_HELP} Un document est déjà enregistré : en envoyer un autre le remplace."

    def to_data(self) -> AgreementData:
        data = self.cleaned_data
        return AgreementData(
            title=data["title"],
            framework=data["framework"],
            level=data["level"],
            parent=self.parents.get(data["parent"]),
            region=self.regions.get(data["region"]),
            parties=[self.party_options[key] for key in data["parties"]],
            signed_on=data["signed_on"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            signed_document=data["signed_document"] or None,
        )


class AmendmentForm(forms.Form):
    summary = forms.CharField(label="Objet", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    signed_on = forms.DateField(label="Signé le", widget=DateInput())
    new_end_on = forms.DateField(
        label="Nouvelle date de fin",
        required=False,
        widget=DateInput(),
        help_text="Si l'avenant prolonge l'accord. Elle doit suivre la fin actuelle.",
    )
    signed_document = forms.FileField(
        label="Avenant signé (PDF)",
        required=False,
        widget=pdf_input(),
        help_text=PDF_HELP,
        validators=[PDF_UPLOAD],
    )


class DiagnosticForm(forms.Form):
    mission_locale = forms.ChoiceField(label="Mission Locale")
    e2c_site = forms.ChoiceField(label="Site E2C")
    collaboration = forms.ChoiceField(label="Collaboration existante", choices=CollaborationLevel.choices)
    assessed_on = forms.DateField(label="Date du diagnostic", widget=DateInput())
    notes = forms.CharField(
        label="Constats et pistes",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Sans donnée personnelle sur les jeunes.",
    )

    def __init__(
        self,
        *args: Any,
        missions: Iterable[Organisation] = (),
        sites: Iterable[Organisation] = (),
        instance: TerritorialDiagnostic | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "collaboration": instance.collaboration,
                "assessed_on": instance.assessed_on,
                "notes": instance.notes,
            }
        kwargs.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            # The pair of a recorded diagnostic does not change.
            del self.fields["mission_locale"]
            del self.fields["e2c_site"]
            self.missions: dict[str, Organisation] = {}
            self.sites: dict[str, Organisation] = {}
            return
        self.missions = {str(o.public_id): o for o in missions}
        self.sites = {str(o.public_id): o for o in sites}
        cast(forms.ChoiceField, self.fields["mission_locale"]).choices = [("", "—")] + [
            (key, str(o)) for key, o in self.missions.items()
        ]
        cast(forms.ChoiceField, self.fields["e2c_site"]).choices = [("", "—")] + [
            (key, str(o)) for key, o in self.sites.items()
        ]
