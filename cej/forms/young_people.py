from typing import Any, cast

from django import forms

from cej.enums import QualificationLevel
from cej.services.young_people import YoungPersonData
from partners.access import Actor
from partners.enums import Role
from partners.forms.widgets import DateInput
from partners.models import Departement, User
from texthygiene.text import validate_first_name, validate_name


class YoungPersonForm(forms.Form):
    last_name = forms.CharField(
        label="Nom(s)",
        max_length=150,
        help_text="Tel qu'il s'écrit, avec accents, tirets, particules.",
        validators=[validate_name],
    )
    first_name = forms.CharField(label="Prénom(s)", max_length=150, validators=[validate_first_name])
    birth_date = forms.DateField(label="Date de naissance", widget=DateInput())
    email = forms.CharField(label="Adresse e-mail", max_length=254, required=False)
    phone = forms.CharField(label="Téléphone", max_length=20, required=False, help_text="Par exemple 06 12 34 56 78.")
    address = forms.CharField(label="Adresse", max_length=250, required=False)
    postcode = forms.CharField(label="Code postal", max_length=5, required=False)
    commune = forms.CharField(label="Commune", max_length=100, required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    lives_in_qpv = forms.BooleanField(label="Habite un quartier prioritaire de la ville (QPV)", required=False)
    lives_in_zrr = forms.BooleanField(label="Habite une zone de revitalisation rurale (ZRR)", required=False)
    qualification_level = forms.ChoiceField(label="Niveau de qualification", choices=QualificationLevel.choices)
    last_class = forms.CharField(label="Dernière classe suivie", max_length=100, required=False)
    left_school_on = forms.DateField(
        label="Date de sortie du système scolaire",
        required=False,
        widget=DateInput(),
        help_text="L'entrée en E2C demande d'avoir quitté l'école depuis au moins un an.",
    )
    has_rqth = forms.BooleanField(label="Reconnaissance de la qualité de travailleur handicapé (RQTH)", required=False)
    imilo_number = forms.CharField(label="Numéro i-milo", max_length=20, required=False)
    france_travail_id = forms.CharField(label="Identifiant France Travail", max_length=20, required=False)
    referent = forms.ChoiceField(label="Conseiller référent", required=False)
    not_a_duplicate = forms.BooleanField(
        label="J'ai vérifié : il s'agit d'une autre personne que les dossiers ci-dessus", required=False
    )

    def __init__(self, *args: Any, actor: Actor, initial_from: Any = None, **kwargs: Any) -> None:
        if initial_from is not None and (not args or args[0] is None):
            kwargs["initial"] = {
                name: getattr(initial_from, name)
                for name in (
                    "last_name",
                    "first_name",
                    "birth_date",
                    "email",
                    "phone",
                    "address",
                    "postcode",
                    "commune",
                    "lives_in_qpv",
                    "lives_in_zrr",
                    "qualification_level",
                    "last_class",
                    "left_school_on",
                    "has_rqth",
                    "imilo_number",
                    "france_travail_id",
                )
            } | {
                "departement": initial_from.departement_id or "",
                "referent": str(initial_from.referent.public_id) if initial_from.referent else "",
            }
        super().__init__(*args, **kwargs)
        if initial_from is not None:
            del self.fields["not_a_duplicate"]
        cast(forms.ChoiceField, self.fields["departement"]).choices = [("", "—")] + [
            (d.code, f"{d.code} — {d.name}") for d in Departement.objects.order_by("code")
        ]
        advisers = User.objects.filter(
            memberships__organisation=actor.organisation,
            memberships__is_active=True,
            memberships__role__in=[Role.ADVISER, Role.MANAGER],
            is_active=True,
        ).order_by("last_name", "first_name")
        self.referents = {str(u.public_id): u for u in advisers}
        cast(forms.ChoiceField, self.fields["referent"]).choices = [("", "—")] + [
            (key, user.get_full_name()) for key, user in self.referents.items()
        ]

    def to_data(self) -> YoungPersonData:
        data = self.cleaned_data
        return YoungPersonData(
            last_name=data["last_name"],
            first_name=data["first_name"],
            birth_date=data["birth_date"],
            email=data["email"],
            phone=data["phone"],
            address=data["address"],
            postcode=data["postcode"],
            commune=data["commune"],
            departement_code=data["departement"],
            lives_in_qpv=data["lives_in_qpv"],
            lives_in_zrr=data["lives_in_zrr"],
            qualification_level=data["qualification_level"],
            last_class=data["last_class"],
            left_school_on=data["left_school_on"],
            has_rqth=data["has_rqth"],
            imilo_number=data["imilo_number"],
            france_travail_id=data["france_travail_id"],
            referent=self.referents.get(data["referent"]),
        )
