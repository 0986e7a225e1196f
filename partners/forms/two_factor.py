import re

from django import forms

from partners.services.two_factor import looks_like_backup_code, normalise_backup_code


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


class SecondFactorCodeForm(forms.Form):
    """The code asked after the password: the application's 6 digits, or one backup code.

    Case, spaces and dashes are ignored; ``is_backup_code`` tells which kind of code was typed.
    """

    token = forms.CharField(
        label="Code à 6 chiffres ou code de secours",
        help_text=(
            "Le code affiché en ce moment par votre application (il change toutes les 30 secondes). "
            "Sans votre téléphone : l'un de vos codes de secours de 10 caractères, par exemple ABCD-EFGH-JK."
        ),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "size": 14}),
        error_messages={
            "required": "Saisissez le code à 6 chiffres affiché par votre application, ou un code de secours."
        },
    )

    def clean_token(self) -> str:
        token = normalise_backup_code(self.cleaned_data["token"])
        if not re.fullmatch(r"\d{6}", token) and not looks_like_backup_code(token):
            raise forms.ValidationError(
                "Saisissez les 6 chiffres affichés par votre application, ou un code de secours de 10 caractères "
                "(lettres et chiffres, tirets facultatifs).",
                code="format",
            )
        return token

    @property
    def is_backup_code(self) -> bool:
        return not re.fullmatch(r"\d{6}", self.cleaned_data["token"])


class BackupCodesRegenerateForm(forms.Form):
    """The confirmation of a new set of backup codes: the old ones stop working."""

    confirm = forms.BooleanField(
        label="Je comprends que mes codes de secours actuels ne fonctionneront plus.",
        error_messages={"required": "Cochez la case pour confirmer le remplacement de vos codes de secours."},
    )
