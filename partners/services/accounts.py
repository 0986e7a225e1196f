"""Writes a person makes to their own account."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from partners.models import User


class EmailTaken(Exception):
    """Another account took the address between the form's check and the write."""


def account_email_change(*, user: User, email: str) -> User:
    """Change the sign-in address of ``user`` (already validated: normalised, not another account's).

    Side effects: the user row updated under its lock; the change history (database triggers) keeps
    the old and the new address with who made the change. Raises EmailTaken on a concurrent taker.
    """
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            locked.email = email
            locked.save(update_fields=["email"])
    except IntegrityError as error:
        raise EmailTaken from error
    user.email = email
    return locked
