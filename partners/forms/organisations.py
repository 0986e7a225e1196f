from typing import Any, cast

from django import forms

from partners.enums import OrganisationKind
from partners.forms.widgets import DateInput
from partners.models import Departement, Organisation
from partners.services.organisations import OrganisationData
from texthygiene.text import validate_name


class OrganisationForm(forms.Form):
    """Input for the directory services: typed here, validated and written by the service."""

    name = forms.CharField(label="Nom", max_length=200, validators=[validate_name])
    kind = forms.ChoiceField(label="Type", choices=OrganisationKind.choices)
    siret = forms.CharField(label="SIRET", max_length=20, required=False, help_text="14 chiffres, espaces acceptés.")
    address = forms.CharField(label="Adresse", max_length=250, required=False)
    postcode = forms.CharField(label="Code postal", max_length=5, required=False)
    commune = forms.CharField(label="Commune", max_length=100, required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    phone = forms.CharField(label="Téléphone", max_length=20, required=False)
    email = forms.EmailField(label="Adresse e-mail", required=False)
    parent = forms.ChoiceField(
        label="Structure de rattachement",
        required=False,
        help_text="École pour un site E2C, ARML pour une Mission Locale.",
    )
    is_active = forms.BooleanField(label="Organisation active", required=False, initial=True)
    opened_on = forms.DateField(label="Date d'ouverture", required=False, widget=DateInput())
    closed_on = forms.DateField(label="Date de fermeture", required=False, widget=DateInput())
    label_granted_on = forms.DateField(label="Label E2C obtenu le", required=False, widget=DateInput())
    label_expires_on = forms.DateField(label="Label E2C valable jusqu'au", required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: object, instance: Organisation | None = None, **kwargs: Any) -> None:
        if instance is not None and (not args or args[0] is None) and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "kind": instance.kind,
                "siret": instance.siret,
                "address": instance.address,
                "postcode": instance.postcode,
                "commune": instance.commune,
                "departement": instance.departement_id or "",
                "phone": instance.phone,
                "email": instance.email,
                "parent": str(instance.parent.public_id) if instance.parent else "",
                "is_active": instance.is_active,
                "opened_on": instance.opened_on,
                "closed_on": instance.closed_on,
                "label_granted_on": instance.label_granted_on,
                "label_expires_on": instance.label_expires_on,
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        departement_field = cast(forms.ChoiceField, self.fields["departement"])
        parent_field = cast(forms.ChoiceField, self.fields["parent"])
        departement_field.choices = [("", "—")] + [
            (d.code, f"{d.code} — {d.name}") for d in Departement.objects.order_by("code")
        ]
        parents = Organisation.objects.filter(
            kind__in=[OrganisationKind.E2C_SCHOOL, OrganisationKind.ARML, OrganisationKind.E2C_REGIONAL]
        ).order_by("sort_name")
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.parents = {str(p.public_id): p for p in parents}
        parent_field.choices = [("", "—")] + [(key, str(p)) for key, p in self.parents.items()]

    def to_data(self) -> OrganisationData:
        data = self.cleaned_data
        return OrganisationData(
            name=data["name"],
            kind=data["kind"],
            siret=data["siret"],
            address=data["address"],
            postcode=data["postcode"],
            commune=data["commune"],
            departement_code=data["departement"],
            phone=data["phone"],
            email=data["email"],
            parent=self.parents.get(data["parent"]),
            is_active=data["is_active"],
            opened_on=data["opened_on"],
            closed_on=data["closed_on"],
            label_granted_on=data["label_granted_on"],
            label_expires_on=data["label_expires_on"],
        )
