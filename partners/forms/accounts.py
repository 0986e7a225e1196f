from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserChangeForm,
)

from partners.enums import FormOfAddress
from partners.models import User
from partners.services.accounts import account_password_set, password_reset_request


class UserCreationAdminForm(BaseUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeAdminForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class LoginForm(AuthenticationForm):
    """Sign-in by e-mail; Django's French message says the e-mail is case-sensitive, ours is not."""

    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie et réessayez.",
        "inactive": "Ce compte est désactivé. Adressez-vous au responsable de votre structure.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Adresse e-mail"
        # No autofocus: screen-reader and keyboard users start at the top (skip link, heading).
        self.fields["username"].widget.attrs.pop("autofocus", None)
        # The widget's own type, not an attribute: crispy writes ``type`` first, and a second one is ignored.
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class PasswordResetRequestForm(PasswordResetForm):
    """« Mot de passe oublié »: Django's choice of accounts (active, with a usable password, the address in
    any case), the e-mail written to the outbox and sent by the worker, never by the request itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse e-mail"

    def save(self, *args: Any, **kwargs: Any) -> None:
        password_reset_request(users=self.get_users(self.cleaned_data["email"]))


if TYPE_CHECKING:  # generic in django-stubs only
    _SetPasswordForm = SetPasswordForm[User]
    _AdminPasswordChangeForm = AdminPasswordChangeForm[User]
else:
    _SetPasswordForm = SetPasswordForm
    _AdminPasswordChangeForm = AdminPasswordChangeForm


class NoticedPasswordChangeForm(PasswordChangeForm):
    """Django's form (the old password asked), the write through the service that tells the owner."""

    def save(self, commit: bool = True) -> Any:
        return account_password_set(user=self.user, password=self.cleaned_data["new_password1"], forgotten=False)


class NoticedAdminPasswordChangeForm(_AdminPasswordChangeForm):
    """The admin's « changer le mot de passe » form, the write through the service that tells the owner
    (« password-based authentication disabled », where Django offers it, is a change told the same way)."""

    def save(self, commit: bool = True) -> Any:
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        return account_password_set(user=self.user, password=password, forgotten=False)


class NoticedSetPasswordForm(_SetPasswordForm):
    """The « mot de passe oublié » link's form, the write through the service that tells the owner."""

    def save(self, commit: bool = True) -> Any:
        return account_password_set(user=self.user, password=self.cleaned_data["new_password1"], forgotten=True)


class EmailChangeForm(forms.Form):
    """A new sign-in address for one's own account (the password was typed again just before)."""

    email = forms.EmailField(
        label="Nouvelle adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Saisissez la nouvelle adresse.",
            "invalid": "Saisissez une adresse e-mail valide.",
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if email == self.user.email:
            raise forms.ValidationError("C'est déjà votre adresse de connexion.", code="same")
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            # Not said more precisely: the page must not tell who has an account.
            raise forms.ValidationError("Cette adresse ne peut pas être celle de votre compte.", code="taken")
        return email


class FormOfAddressForm(forms.Form):
    """« Comment s'adresser à vous », on the own-account page: the role labels agree with it."""

    form_of_address = forms.ChoiceField(
        label="Comment s'adresser à vous",
        choices=FormOfAddress.choices,
        required=False,
        help_text="Votre rôle est affiché en conséquence (« Conseillère » ou « Conseiller »).",
        error_messages={"invalid_choice": "Choisissez « Madame », « Monsieur » ou « Non précisé »."},
    )
