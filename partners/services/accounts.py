"""Writes a person makes to their own account."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from outbox.models import Message
from outbox.services import enqueue, request_delivery
from partners.enums import FormOfAddress
from partners.models import EmailChangeRequest, User
from partners.selectors.members import hash_token
from partners.templatetags.french_dates import date_fr

EMAIL_CHANGED = "account.email_changed"
PASSWORD_CHANGED = "account.password_changed"  # noqa: S105 (a message kind, not a password)
PASSWORD_RESET = "account.password_reset"  # noqa: S105 (a message kind, not a password)


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


def account_form_of_address_set(*, actor: User, form_of_address: str) -> User:
    """How the signed-in person ``actor`` asks to be addressed, on their own account only: the role labels
    shown for them agree with it (« Conseillère »). Refused (ValidationError, in French) when unknown.

    Side effects: the user row updated under its lock (``form_of_address`` only); the change history
    (database triggers) keeps the former and the new value.
    """
    if form_of_address not in FormOfAddress.values:
        raise ValidationError("Choisissez « Madame », « Monsieur » ou « Non précisé ».", code="invalid")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        if locked.form_of_address != form_of_address:
            locked.form_of_address = form_of_address
            locked.save(update_fields=["form_of_address"])
    actor.form_of_address = form_of_address
    return locked


def masked_address(email: str) -> str:
    """« c•••@exemple.fr »: enough for the owner to recognise the new address, not to copy it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def account_password_set(*, user: User, password: str | None, forgotten: bool) -> User:
    """Write a new password for ``user`` (already validated by Django's password forms), from their
    account page, from the « mot de passe oublié » link (``forgotten``) or from the admin (where None
    disables password sign-in).

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


def password_reset_request(*, users: Iterable[User]) -> None:
    """Someone, signed out, asked for a link to choose a new password; ``users``: the accounts of the
    address they typed (Django's choice: active, with a usable password; none for an unknown address).

    Side effects: one outbox message per account, written in this transaction and sent at once to the
    account's address by the worker, which makes the link only then (``password_reset_delivery_context``):
    the token never rests in the outbox. After the commit, one delivery task published, whether or not a
    message was written: a known and an unknown address cost the request the same work, no SMTP in it.
    """
    with transaction.atomic():
        for user in users:
            enqueue(
                kind=PASSWORD_RESET,
                recipients=[user],
                key=f"{PASSWORD_RESET}:{uuid.uuid4()}",  # each request is its own e-mail
                context={"requested_at_label": date_fr(timezone.localtime(), "j F Y à H\\hi")},
                address=user.email,
            )
        request_delivery()


def password_reset_delivery_context(message: Message) -> dict[str, str]:
    """The link of a password-reset e-mail, made by the worker as it sends it (valid for
    PASSWORD_RESET_TIMEOUT from then, until used or the password changes); never stored."""
    user = message.recipient
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return {
        "link": f"{settings.SITE_URL}{path}",
        "link_intro": "Pour choisir un nouveau mot de passe",
        "link_label": "Choisir un nouveau mot de passe",
    }


# --- A new address, confirmed from its own mailbox ------------------------------------------------

LINK_UNUSABLE = (
    "Ce lien de confirmation n'est pas valable : il a expiré (24 heures), a déjà servi, a été remplacé par une "
    "demande plus récente, ou appartient à un autre compte. Demandez de nouveau le changement d'adresse."
)


def email_change_request(*, user: User, email: str, link_for: Callable[[str], str]) -> EmailChangeRequest:
    """Ask for ``email`` (already validated: normalised, not another account's) to become the sign-in
    address of ``user``: nothing changes until the link sent to that address is followed.

    Side effects: the user's earlier unconfirmed requests deleted (the latest one counts), one
    EmailChangeRequest (SHA-256 of the token only), and after the commit the link ``link_for(token)``
    e-mailed to the new address (sent directly: the token never rests in the outbox).
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).get()
        EmailChangeRequest.objects.filter(user=user, confirmed_at__isnull=True).delete()
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        request = EmailChangeRequest.objects.create(
            user=user,
            new_email=email,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + EmailChangeRequest.VALIDITY,
        )
        link = link_for(token)
        transaction.on_commit(lambda: _send_confirmation(user=user, request=request, link=link))
    return request


def _send_confirmation(*, user: User, request: EmailChangeRequest, link: str) -> None:
    context = {"user": user, "link": link, "expires_at": timezone.localtime(request.expires_at)}
    subject = " ".join(render_to_string("partners/emails/email_change_subject.txt", context).split())
    send_mail(subject, render_to_string("partners/emails/email_change_body.txt", context), None, [request.new_email])


def _usable_requests(*, user: User, token_hash: str) -> QuerySet[EmailChangeRequest]:
    """The signed-in person's pending, unexpired request of that link (at most one: hashes are unique)."""
    return EmailChangeRequest.objects.filter(
        user=user, token_hash=token_hash, confirmed_at__isnull=True, expires_at__gt=timezone.now()
    )


def email_change_request_for(*, user: User, token_hash: str) -> EmailChangeRequest | None:
    """The request of that link, if the signed-in person may still confirm it (None: unusable)."""
    return _usable_requests(user=user, token_hash=token_hash).first()


def email_change_confirm(*, user: User, token_hash: str) -> User:
    """Apply the pending request of that link: ``account_email_change`` (the old address told).

    Refused (ValidationError, in French) when the link is unusable, or when the address was taken by
    another account meanwhile. Side effects: the request marked confirmed, in the same transaction.
    """
    with transaction.atomic():
        request = _usable_requests(user=user, token_hash=token_hash).select_for_update().first()
        if request is None:
            raise ValidationError(LINK_UNUSABLE, code="unusable")
        try:
            account_email_change(user=user, email=request.new_email)
        except EmailTaken:
            raise ValidationError(
                "Cette adresse ne peut plus être celle de votre compte : demandez-en une autre.", code="taken"
            ) from None
        request.confirmed_at = timezone.now()
        request.save(update_fields=["confirmed_at"])
    return user
