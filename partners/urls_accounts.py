"""Sign-in, sign-out, passwords and the home page (names without namespace: Django's auth views use them)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from partners.forms.accounts import (
    LoginForm,
    NoticedPasswordChangeForm,
    NoticedSetPasswordForm,
)
from partners.views import accounts, home, session, two_factor

# Django's form views also answer PUT (as a POST) and the others every method they have a handler for: each
# says here the methods it implements (common/http_methods.py).
PAGE = ["get", "head", "options"]
PAGE_WITH_FORM = ["get", "head", "post", "options"]

urlpatterns = [
    path("organisation-active/", home.switch_organisation, name="switch_organisation"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True, http_method_names=PAGE_WITH_FORM
        ),
        name="login",
    ),
    path("deconnexion/", accounts.SignOutView.as_view(), name="logout"),
    path("session/prolonger/", session.session_extend, name="session_extend"),
    path("connexion/code/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("connexion/double-authentification/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("connexion/confirmer-mot-de-passe/", two_factor.reauthenticate, name="reauthenticate"),
    path("compte/adresse-e-mail/", two_factor.email_change, name="email_change"),
    path("compte/adresse-e-mail/lien/<str:token>/", two_factor.email_change_open, name="email_change_open"),
    path("compte/adresse-e-mail/confirmer/", two_factor.email_change_confirm_view, name="email_change_confirm"),
    path("compte/codes-de-secours/", two_factor.backup_codes_regenerate, name="backup_codes_regenerate"),
    path(
        "mot-de-passe/oubli/",
        accounts.PasswordResetRequestView.as_view(http_method_names=PAGE_WITH_FORM),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(http_method_names=PAGE),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=NoticedSetPasswordForm, http_method_names=PAGE_WITH_FORM
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(http_method_names=PAGE),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(form_class=NoticedPasswordChangeForm, http_method_names=PAGE_WITH_FORM),
        name="password_change",
    ),
    path(
        "mot-de-passe/changer/termine/",
        auth_views.PasswordChangeDoneView.as_view(http_method_names=PAGE),
        name="password_change_done",
    ),
]
