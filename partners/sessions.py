"""Why a session ended elsewhere, so that the login page can say it (partners.middleware.SessionEndedMiddleware).

A session can end without its owner doing anything: they changed their password in another browser
(Django's session auth hash no longer matches), a manager closed their account, or an administrator reset
their two-factor authentication (``partners.services.members.end_sessions_of`` then leaves this marker in
place of the session's data: no user id any more, only the reason).
"""

from django.db import models

SESSION_ENDED_KEY = "_session_ended"  # session key: a SessionEnd value, in a session that holds no user


class SessionEnd(models.TextChoices):
    """The reasons, and what the login page says for each (a message, then « reconnectez-vous »)."""

    PASSWORD_CHANGED = (
        "password_changed",
        "Votre mot de passe a été modifié depuis une autre session : reconnectez-vous avec le nouveau mot de passe.",
    )
    ACCOUNT_CLOSED = (
        "account_closed",
        "Votre compte a été désactivé : votre session a pris fin. Adressez-vous au responsable de votre structure.",
    )
    TWO_FACTOR_RESET = (
        "two_factor_reset",
        "Un administrateur a réinitialisé votre double authentification : votre session a pris fin. "
        "Reconnectez-vous pour configurer de nouveau votre application d'authentification.",
    )
    ENDED = "ended", "Votre session a pris fin : reconnectez-vous pour continuer."
