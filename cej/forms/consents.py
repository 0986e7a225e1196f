from typing import Any, cast

from django import forms

from cej.enums import ConsentMethod, SharedData
from partners.enums import OrganisationKind
from partners.forms.widgets import DateInput
from partners.models import Organisation
from partners.uploads import PDF_UPLOAD


class ConsentForm(forms.Form):
    e2c_site = forms.ChoiceField(label="Site E2C concerné")
    shared_data = forms.MultipleChoiceField(
        label="Ce que le jeune accepte de partager avec ce site",
        choices=SharedData.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    given_on = forms.DateField(label="Date de l'accord", widget=DateInput())
    method = forms.ChoiceField(label="Forme de l'accord", choices=ConsentMethod.choices, widget=forms.RadioSelect)
    signed_form = forms.FileField(
        label="Formulaire signé (PDF, 10 Mo au plus)", required=False, validators=[PDF_UPLOAD]
    )
    attestation = forms.CharField(
        label="Votre attestation (accord oral)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce que vous avez expliqué au jeune et ce qu'il a accepté, avec vos mots.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = Organisation.objects.filter(kind=OrganisationKind.E2C_SITE, is_active=True).select_related("region")
        self.sites = {str(site.public_id): site for site in sites.order_by("region__name", "sort_name")}
        groups: dict[str, list[tuple[str, str]]] = {}
        for key, site in self.sites.items():
            groups.setdefault(site.region.name if site.region else "Autres", []).append((key, site.name))
        cast(forms.ChoiceField, self.fields["e2c_site"]).choices = [("", "—"), *groups.items()]


class ConsentRevokeForm(forms.Form):
    reason = forms.CharField(label="Motif du retrait (facultatif)", required=False, max_length=500)
