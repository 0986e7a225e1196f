import re

from django import forms


class TotpCodeForm(forms.Form):
    """The 6-digit code of an authenticator application; spaces are ignored (« 123 456 »)."""

    token = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Le code affiché en ce moment par votre application. Il change toutes les 30 secondes.",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "size": 8}
        ),
        error_messages={"required": "Saisissez le code à 6 chiffres affiché par votre application."},
    )

    def clean_token(self) -> str:
        token = re.sub(r"\s", "", self.cleaned_data["token"])
        if not re.fullmatch(r"\d{6}", token):
            raise forms.ValidationError("Le code comporte exactement 6 chiffres.", code="format")
        return token


class PasswordConfirmForm(forms.Form):
    """The current password, asked again before a change of sign-in settings."""

    password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe."},
    )
