"""Input of the team pages: typed here, validated and written by ``partners.services.members``."""

from typing import Any, cast

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from partners.access import Actor
from partners.enums import FormOfAddress
from partners.models import Membership, Organisation
from partners.services.members import roles_grantable
from texthygiene.text import validate_first_name, validate_name

REASON_HELP = "Facultatif. Visible dans l'historique de l'équipe ; n'y écrivez pas de donnée personnelle sensible."


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Motif", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=REASON_HELP
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse e-mail professionnelle", max_length=254)
    first_name = forms.CharField(label="Prénom", max_length=150, validators=[validate_first_name])
    last_name = forms.CharField(label="Nom", max_length=150, validators=[validate_name])
    role = forms.ChoiceField(label="Rôle")

    def __init__(self, *args: Any, actor: Actor, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off"})
        self.fields["first_name"].widget.attrs.update({"autocomplete": "off"})
        self.fields["last_name"].widget.attrs.update({"autocomplete": "off"})
        cast(forms.ChoiceField, self.fields["role"]).choices = roles_grantable(actor=actor, organisation=organisation)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label="Nouveau rôle")
    reason = _reason_field()

    def __init__(self, *args: Any, actor: Actor, membership: Membership, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"role": membership.role})
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = roles_grantable(
            actor=actor, organisation=membership.organisation
        )


class ReasonForm(forms.Form):
    """The confirmation step of a deactivation, a reactivation or a cancelled invitation."""

    reason = _reason_field()


def form_of_address_field() -> forms.ChoiceField:
    """« Comment s'adresser à vous » (optional): the role labels agree with it (« Conseillère »)."""
    return forms.ChoiceField(
        label="Comment s'adresser à vous",
        choices=FormOfAddress.choices,
        required=False,
        help_text="Votre rôle est affiché en conséquence (« Conseillère » ou « Conseiller »).",
    )


class InvitationAcceptForm(forms.Form):
    """A new account chooses its password (twice); an existing account gives its own."""

    password = forms.CharField(label="Mot de passe", strip=False, widget=forms.PasswordInput)
    password_confirmation = forms.CharField(
        label="Confirmation du mot de passe", strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, has_account: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_account = has_account
        password = self.fields["password"]
        if has_account:
            del self.fields["password_confirmation"]
            password.label = "Mot de passe de votre compte"
            password.widget.attrs.update({"autocomplete": "current-password"})
        else:
            self.fields["form_of_address"] = form_of_address_field()
            self.order_fields(["form_of_address"])
            password.label = "Choisissez un mot de passe"
            password.help_text = password_validators_help_text_html()
            password.widget.attrs.update({"autocomplete": "new-password"})
            self.fields["password_confirmation"].widget.attrs.update({"autocomplete": "new-password"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.has_account:
            password, confirmation = cleaned.get("password"), cleaned.get("password_confirmation")
            if password and confirmation and password != confirmation:
                self.add_error("password_confirmation", "Les deux mots de passe ne sont pas identiques.")
        return cleaned
