"""Writes a person makes to their own account."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.services import enqueue
from partners.models import User
from partners.templatetags.french_dates import date_fr

EMAIL_CHANGED = "account.email_changed"
PASSWORD_CHANGED = "account.password_changed"  # noqa: S105 (a message kind, not a password)


class EmailTaken(Exception):
    """Another account took the address between the form's check and the write."""


def account_email_change(*, user: User, email: str) -> User:
    """Change the sign-in address of ``user`` (already validated: normalised, not another account's).

    Side effects: the user row updated under its lock; the change history (database triggers) keeps
    the old and the new address with who made the change; in the same transaction, a notice to the
    **old** address (outbox, sent at once): if someone else made the change, its owner learns it
    there, where the thief cannot read. Raises EmailTaken on a concurrent taker.
    """
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            former = locked.email
            locked.email = email
            locked.save(update_fields=["email"])
            if former and former != email:
                enqueue(
                    kind=EMAIL_CHANGED,
                    recipients=[locked],
                    key=f"{EMAIL_CHANGED}:{uuid.uuid4()}",  # each change is its own notice
                    context={
                        "changed_at_label": date_fr(timezone.localtime(), "j F Y à H\\hi"),
                        "new_address": masked_address(email),
                    },
                    address=former,
                )
    except IntegrityError as error:
        raise EmailTaken from error
    user.email = email
    return locked


def masked_address(email: str) -> str:
    """« c•••@exemple.fr »: enough for the owner to recognise the new address, not to copy it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def account_password_set(*, user: User, password: str, forgotten: bool) -> User:
    """Write a new password for ``user`` (already validated by Django's password forms), from their
    account page or from the « mot de passe oublié » link (``forgotten``).

    Side effects: the hash written; in the same transaction, a notice to the account's address
    (outbox, sent at once, never in a digest): a change its owner did not make is seen at once.
    """
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        enqueue(
            kind=PASSWORD_CHANGED,
            recipients=[user],
            key=f"{PASSWORD_CHANGED}:{uuid.uuid4()}",
            context={
                "changed_at_label": date_fr(timezone.localtime(), "j F Y à H\\hi"),
                "forgotten": forgotten,
            },
            address=user.email,
        )
    return user
