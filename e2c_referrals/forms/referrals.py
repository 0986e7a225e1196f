"""Forms of the referral pages. Business checks stay in the services and the workflow."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from cej.models import YoungPerson
from cej.validators import validate_no_nir
from e2c_referrals.enums import ExitOutcome, NotAdmittedReason
from e2c_referrals.selectors.inbox import active_cej_contracts, e2c_site_choices
from e2c_referrals.services.referrals import (
    ATTACHMENT_KINDS,
    ATTACHMENT_MAX_BYTES,
    ReferralData,
    eligibility_warnings,
)
from e2c_referrals.workflow import Field, Move, TransitionData
from partners.forms.widgets import DateInput
from partners.uploads import UploadValidator

TEXT_MAX_LENGTH = 5000
NEAR_GROUP = "Sites proches"


class ReferralForm(forms.Form):
    e2c_site = forms.ChoiceField(
        label="Site E2C",
        help_text="Les sites du département du jeune sont proposés en premier.",
    )
    diagnostic = forms.CharField(
        label="Votre diagnostic",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Parcours, freins levés ou à lever, ce qui rend l'E2C pertinente aujourd'hui.",
    )
    motivation = forms.CharField(
        label="La motivation du jeune",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Avec ses mots si possible : ce qu'il ou elle attend de l'E2C.",
    )
    cej_contract = forms.ChoiceField(label="CEJ en cours à rattacher", required=False)
    aware_of_other_network = forms.BooleanField(
        label="J'ai vu que ce jeune est déjà orienté par une autre structure", required=False
    )
    eligibility_checked = forms.BooleanField(label="J'ai vérifié l'éligibilité avec le jeune", required=False)

    def __init__(self, *args: Any, young_person: YoungPerson, with_confirmation: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        near, others = e2c_site_choices(young_person)
        self.sites = {str(site.public_id): site for site in [*near, *others]}
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        if near:
            groups.append((NEAR_GROUP, [(str(site.public_id), site.name) for site in near]))
        for site in others:
            region = site.region.name if site.region else "Autres"
            if not groups or groups[-1][0] != region:
                groups.append((region, []))
            groups[-1][1].append((str(site.public_id), site.name))
        cast(forms.ChoiceField, self.fields["e2c_site"]).choices = [("", "—"), *groups]
        contracts = active_cej_contracts(young_person)
        self.contracts = {str(contract.public_id): contract for contract in contracts}
        cej_field = cast(forms.ChoiceField, self.fields["cej_contract"])
        cej_field.choices = [("", "Aucun")] + [
            (key, f"CEJ du {c.starts_on:%d/%m/%Y} au {c.planned_end_on:%d/%m/%Y}") for key, c in self.contracts.items()
        ]
        if not contracts:
            del self.fields["cej_contract"]
        elif len(contracts) == 1 and not self.is_bound:
            self.initial.setdefault("cej_contract", next(iter(self.contracts)))
        if not with_confirmation:
            del self.fields["aware_of_other_network"]
        self.eligibility_warnings = eligibility_warnings(young_person)
        if not self.eligibility_warnings:
            del self.fields["eligibility_checked"]

    def to_data(self) -> ReferralData:
        contract_key = self.cleaned_data.get("cej_contract") or ""
        return ReferralData(
            e2c_site=self.sites[self.cleaned_data["e2c_site"]],
            diagnostic=self.cleaned_data["diagnostic"],
            motivation=self.cleaned_data["motivation"],
            cej_contract=self.contracts.get(contract_key),
        )

    @property
    def eligibility_confirmed(self) -> bool:
        return bool(self.cleaned_data.get("eligibility_checked"))

    @property
    def other_network_confirmed(self) -> bool:
        return bool(self.cleaned_data.get("aware_of_other_network"))


class AttachmentForm(forms.Form):
    label = forms.CharField(
        label="Intitulé", max_length=120, help_text="Par exemple « CV » ou « Lettre de motivation »."
    )
    file = forms.FileField(
        label=f"Fichier (PDF, JPEG ou PNG, {ATTACHMENT_MAX_BYTES // (1024 * 1024)} Mo au plus)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
        validators=[UploadValidator(kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)],
    )


class MoveForm(forms.Form):
    """Exactly the fields the move's ``requires`` lists; a move without any is a plain confirmation."""

    reason = forms.CharField(
        label="Motif", max_length=500, widget=forms.Textarea(attrs={"rows": 3}), validators=[validate_no_nir]
    )
    not_admitted_reason = forms.ChoiceField(
        label="Motif de non-admission", choices=NotAdmittedReason.choices, widget=forms.RadioSelect
    )
    integration_starts_on = forms.DateField(label="Début de la période d'intégration", widget=DateInput())
    integration_planned_end_on = forms.DateField(
        label="Fin prévue de la période d'intégration",
        widget=DateInput(),
        help_text="De 3 à 6 semaines après le début.",
    )
    enrolled_on = forms.DateField(label="Date d'entrée en parcours", widget=DateInput())
    exited_on = forms.DateField(label="Date de sortie du parcours", widget=DateInput())
    exit_outcome = forms.ChoiceField(label="Situation à la sortie", choices=[("", "—"), *ExitOutcome.choices])
    skills_certificate_issued = forms.BooleanField(
        label="Attestation de compétences acquises (ACA) remise", required=False
    )

    # In the order the page shows them: the choice of a non-admission reason comes before the details
    # that refine it (« Autre motif »), whatever order the fields are declared in above.
    FIELDS_OF: dict[Field, tuple[str, ...]] = {
        Field.NOT_ADMITTED_REASON: ("not_admitted_reason", "reason"),
        Field.REASON: ("reason",),
        Field.INTEGRATION: ("integration_starts_on", "integration_planned_end_on"),
        Field.ENROLLED_ON: ("enrolled_on",),
        Field.EXIT: ("exited_on", "exit_outcome", "skills_certificate_issued"),
    }

    def __init__(self, *args: Any, move: Move, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept = {name for required in move.requires for name in self.FIELDS_OF[required]}
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]
        self.order_fields(
            [name for required, names in self.FIELDS_OF.items() if required in move.requires for name in names]
        )
        if Field.NOT_ADMITTED_REASON in move.requires and Field.REASON not in move.requires:
            reason = self.fields["reason"]
            reason.required = False
            reason.label = "Précisions"
            reason.help_text = "Obligatoires pour « Autre motif » ; l'équipe prescriptrice les lira."

    def to_data(self) -> TransitionData:
        data = self.cleaned_data
        return TransitionData(
            reason=data.get("reason") or "",
            not_admitted_reason=data.get("not_admitted_reason") or "",
            integration_starts_on=data.get("integration_starts_on"),
            integration_planned_end_on=data.get("integration_planned_end_on"),
            enrolled_on=data.get("enrolled_on"),
            exited_on=data.get("exited_on"),
            exit_outcome=data.get("exit_outcome") or "",
            skills_certificate_issued=bool(data.get("skills_certificate_issued")),
        )


class HandBackForm(forms.Form):
    follow_up_note = forms.CharField(
        label="Suite donnée",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Rendez-vous proposé, inscription faite, nouvelle orientation… Pas de donnée de santé.",
    )


class PostExitNewsForm(forms.Form):
    news_on = forms.DateField(label="Date des nouvelles", widget=DateInput())
    situation = forms.ChoiceField(label="Situation du jeune à cette date", choices=[("", "—"), *ExitOutcome.choices])
    note = forms.CharField(label="Précisions (facultatif)", max_length=500, required=False)
