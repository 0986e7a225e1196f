"""Forms of CEJ and PACEA contracts: typed input for the contract services (which hold the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from cej.enums import AllowanceCategory, ContractEndReason
from cej.services.cej_contracts import CejData
from cej.services.pacea_contracts import PaceaData, PaceaPhaseData
from cej.services.structuring_steps import StructuringStepData
from partners.forms.widgets import DateInput
from partners.models import Organisation, User


class _ReferentMixin(forms.Form):
    """The contract's referent, chosen among the organisation's advisers and managers."""

    referent = forms.ChoiceField(label="Conseiller référent", required=False)

    def __init__(self, *args: Any, referents: Iterable[User], default_referent: User | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.referents = {str(user.public_id): user for user in referents}
        field = cast(forms.ChoiceField, self.fields["referent"])
        field.choices = [("", "—")] + [(key, user.get_full_name()) for key, user in self.referents.items()]
        if default_referent is not None and str(default_referent.public_id) in self.referents:
            field.initial = str(default_referent.public_id)

    def chosen_referent(self) -> User | None:
        return self.referents.get(self.cleaned_data.get("referent") or "")


class CejForm(_ReferentMixin, forms.Form):
    signed_on = forms.DateField(label="Signé le", widget=DateInput())
    starts_on = forms.DateField(label="Début", widget=DateInput())
    planned_end_on = forms.DateField(
        label="Fin prévue",
        widget=DateInput(),
        help_text="De 6 à 12 mois après le début (18 mois au plus avec les prolongations).",
    )
    weekly_hours = forms.IntegerField(
        label="Heures d'activité par semaine", help_text="De 15 à 20 heures.", widget=forms.NumberInput()
    )
    allowance_category = forms.ChoiceField(label="Catégorie d'allocation", choices=AllowanceCategory.choices)
    activity_plan = forms.CharField(
        label="Programme d'activités de la semaine", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    field_order = [
        "referent",
        "signed_on",
        "starts_on",
        "planned_end_on",
        "weekly_hours",
        "allowance_category",
        "activity_plan",
    ]

    def to_data(self) -> CejData:
        data = self.cleaned_data
        return CejData(
            signed_on=data["signed_on"],
            starts_on=data["starts_on"],
            planned_end_on=data["planned_end_on"],
            weekly_hours=data["weekly_hours"],
            allowance_category=data["allowance_category"],
            activity_plan=data["activity_plan"],
            referent=self.chosen_referent(),
        )


class PaceaForm(_ReferentMixin, forms.Form):
    signed_on = forms.DateField(label="Signé le", widget=DateInput())
    starts_on = forms.DateField(label="Début", widget=DateInput())
    planned_end_on = forms.DateField(
        label="Fin prévue", widget=DateInput(), help_text="24 mois consécutifs au plus après le début."
    )
    field_order = ["referent", "signed_on", "starts_on", "planned_end_on"]

    def to_data(self) -> PaceaData:
        data = self.cleaned_data
        return PaceaData(
            signed_on=data["signed_on"],
            starts_on=data["starts_on"],
            planned_end_on=data["planned_end_on"],
            referent=self.chosen_referent(),
        )


class ExtendForm(forms.Form):
    new_end_on = forms.DateField(label="Nouvelle fin prévue", widget=DateInput())
    reason = forms.CharField(label="Motif", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(forms.Form):
    occurred_on = forms.DateField(label="Suspendu à partir du", widget=DateInput())
    reason = forms.CharField(label="Motif de la suspension", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ResumeForm(forms.Form):
    occurred_on = forms.DateField(label="Reprise le", widget=DateInput())
    reason = forms.CharField(
        label="Commentaire", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BreachForm(forms.Form):
    occurred_on = forms.DateField(label="Date du manquement", widget=DateInput())
    reason = forms.CharField(
        label="Manquement constaté",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : absence non justifiée à un atelier, rendez-vous manqué.",
    )

    def __init__(self, *args: Any, ends_contract: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ends_contract:
            self.fields["confirm_end"] = forms.BooleanField(
                label="Je confirme : ce 3e manquement met fin au contrat à cette date.", required=True
            )
            self.fields["confirm_end"].error_messages["required"] = "Cochez la case pour confirmer la fin du contrat."


class EndForm(forms.Form):
    ended_on = forms.DateField(label="Date de fin", widget=DateInput())
    end_reason = forms.ChoiceField(label="Motif de fin", choices=[("", "—"), *ContractEndReason.choices])
    comment = forms.CharField(
        label="Commentaire", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, with_comment: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_comment:
            del self.fields["comment"]


class StructuringStepForm(forms.Form):
    label = forms.CharField(label="Intitulé", max_length=200, help_text="Par exemple : parcours E2C, EPIDE, formation.")
    is_e2c = forms.BooleanField(label="Parcours en École de la 2e Chance (E2C)", required=False)
    e2c_site = forms.ModelChoiceField(
        label="Site E2C",
        queryset=Organisation.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text="Pour un parcours E2C seulement.",
    )
    starts_on = forms.DateField(label="Début", widget=DateInput())
    ends_on = forms.DateField(
        label="Fin",
        required=False,
        widget=DateInput(),
        help_text="Si elle est connue. La fin d'un parcours E2C prolonge le CEJ jusqu'au dernier jour "
        "du 2e mois suivant.",
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["e2c_site"]).queryset = sites  # type: ignore[type-arg]

    def to_data(self) -> StructuringStepData:
        data = self.cleaned_data
        return StructuringStepData(
            label=data["label"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            is_e2c=data["is_e2c"],
            e2c_site=data["e2c_site"],
        )


class StepEndForm(forms.Form):
    ends_on = forms.DateField(label="Fin de la solution structurante", widget=DateInput())


class PaceaPhaseForm(forms.Form):
    label = forms.CharField(label="Phase", max_length=200, help_text="Par exemple : diagnostic, accès à l'emploi.")
    starts_on = forms.DateField(label="Début", widget=DateInput())
    ends_on = forms.DateField(label="Fin", required=False, widget=DateInput())
    objectives = forms.CharField(label="Objectifs", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def to_data(self) -> PaceaPhaseData:
        data = self.cleaned_data
        return PaceaPhaseData(
            label=data["label"], starts_on=data["starts_on"], ends_on=data["ends_on"], objectives=data["objectives"]
        )
