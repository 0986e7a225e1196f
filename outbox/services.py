"""Writes of the outbox: enqueue in the cause's transaction, deliver, retry, digest, read marks.

Delivery is at most once per row: ``deliver_next`` locks one due row (``FOR UPDATE SKIP LOCKED``,
so two workers never take the same one), sends it, and marks it sent in that same transaction.
A worker killed after the commit leaves a row already marked sent: a redelivered task sends
nothing. A worker killed between the SMTP answer and the commit is the one window left (the row
is sent again by the next attempt): no relay can close it without the mail server's help.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from common import versioned_cache
from common.tasks import publish
from outbox.models import Message, Preference
from outbox.registry import Actor, require_monitor
from outbox.rendering import render_message, site_url
from outbox.workflow import MESSAGE

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# 1, 2, 4, 8, 16 minutes between attempts, then the row is "failed" (about half an hour in all).
FIRST_RETRY_DELAY = datetime.timedelta(minutes=1)
BATCH_SIZE = 200


def enqueue(
    *,
    kind: str,
    recipients: Iterable[Any],
    key: str,
    context: dict[str, object],
    organisation: Any = None,
    address: str = "",
) -> list[Message]:
    """Write one message per recipient in the current transaction; an existing key is not written twice.

    Must be called inside the transaction of the change that causes the messages. Side effect:
    once that transaction commits, a delivery task is published (see ``request_delivery``).
    ``address``: e-mail it there rather than to the recipient's current address (at once, no digest).
    ``recipients`` are users (``AUTH_USER_MODEL``), ``organisation`` the recipients' organisation.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue() belongs inside the transaction of the change it reports.")
    messages = [
        Message(
            kind=kind,
            recipient=recipient,
            organisation=organisation,
            context=context,
            delivery_key=f"{key}:{recipient.pk}",
            address=address,
        )
        for recipient in {user.pk: user for user in recipients}.values()
    ]
    # The keys already written are left out, so the result says what is new (a reminder's count);
    # ON CONFLICT DO NOTHING still covers two transactions writing the same key at once.
    existing = set(
        Message.objects.filter(delivery_key__in=[m.delivery_key for m in messages]).values_list(
            "delivery_key", flat=True
        )
    )
    messages = [message for message in messages if message.delivery_key not in existing]
    if not messages:
        return []
    created = Message.objects.bulk_create(messages, ignore_conflicts=True)
    versioned_cache.bump_users(message.recipient_id for message in messages)  # their bell's count
    request_delivery()
    return created


def request_delivery() -> None:
    """Publish one delivery task when the current transaction commits (once per transaction)."""
    connection = transaction.get_connection()
    if any(callback is _publish_delivery for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_publish_delivery)


def _publish_delivery() -> None:
    # Runs after the commit, in the user's request: a broker that is down must never turn a saved
    # change into a server error. The rows are safe in the database; beat's sweep delivers them.
    from outbox.tasks import deliver_pending

    try:
        # Bounded (a frozen broker too), one attempt: Celery's default would retry for seconds per request.
        publish(deliver_pending)
    except Exception as error:  # kombu, redis-py and socket errors alike
        logger.warning(
            "outbox: delivery task not published (%s); the periodic sweep will deliver", type(error).__name__
        )


# --- Delivery ---------------------------------------------------------------------------------


def sender_for(organisation: Any) -> tuple[str, list[str]]:
    """From (the organisation's name on the platform's address) and reply-to (its contact e-mail)."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if organisation is None:
        return settings.DEFAULT_FROM_EMAIL, []
    display = f"{organisation.name} via Orientations E2C"[:120]
    return formataddr((display, address)), [organisation.email] if organisation.email else []


def wants_digest(user: Any) -> bool:
    return Preference.objects.filter(user=user, frequency=Preference.Frequency.DAILY_DIGEST).exists()


def _send_email(message: Message) -> None:
    rendered = render_message(message)
    from_email, reply_to = sender_for(rendered.sender)
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_email,
        to=[message.address or message.recipient.email],
        reply_to=reply_to,
        headers={"X-E2C-Message": str(message.public_id)},
    )
    email.attach_alternative(rendered.html, "text/html")
    email.send()


def deliver_next(*, now: datetime.datetime | None = None) -> Message | None:
    """Deliver the oldest due pending row, or return None when there is none left.

    Side effects: one e-mail (or the row filed for the recipient's digest); the row marked sent,
    or its attempt counted and the next one planned (exponential backoff), ``failed`` at the last.
    """
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "organisation")
            .filter(status=Message.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        changed = ["attempts", "status", "sent_at", "last_error", "next_attempt_at", "in_digest"]
        to = message.status  # a retry planned keeps the row pending
        try:
            with transaction.atomic():  # a database error while rendering leaves the row usable
                if not message.recipient.is_active:
                    raise RecipientInactiveError
                if not message.address and wants_digest(message.recipient):
                    message.in_digest = True
                else:
                    _send_email(message)
        except RecipientInactiveError:
            to, message.last_error = Message.Status.FAILED, "Destinataire désactivé"
        except Exception as error:  # SMTP, template or network: all retried alike
            message.last_error = type(error).__name__
            if message.attempts >= MAX_ATTEMPTS:
                to = Message.Status.FAILED
            else:
                message.next_attempt_at = now + FIRST_RETRY_DELAY * 2 ** (message.attempts - 1)
            logger.warning(
                "outbox: message %s attempt %s failed (%s)", message.pk, message.attempts, message.last_error
            )
        else:
            to, message.sent_at, message.last_error = Message.Status.SENT, now, ""
        if to != message.status:
            MESSAGE.check(message.status, to)  # the row is locked above: the move is read under the lock
            message.status = to
        message.save(update_fields=changed)
    return message


class RecipientInactiveError(Exception):
    """The recipient's account was deactivated after the message was written."""


def deliver_pending(*, limit: int = BATCH_SIZE) -> int:
    """Deliver due rows one by one (each in its own transaction), at most ``limit``; returns how many."""
    handled = 0
    while handled < limit and deliver_next() is not None:
        handled += 1
    return handled


def send_digests(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """One e-mail per person who chose the daily digest, listing what was filed for them.

    Each person's rows are locked, e-mailed and marked in one transaction (sent once, even if the
    task runs twice). Returns (people examined, e-mails sent).
    """
    now = now or timezone.now()
    recipient_ids = list(
        Message.objects.filter(in_digest=True, digested_at__isnull=True)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()[:BATCH_SIZE]
    )
    sent = 0
    for recipient_id in recipient_ids:
        with transaction.atomic():
            rows = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(recipient_id=recipient_id, in_digest=True, digested_at__isnull=True)
                .order_by("created_at", "id")
            )
            if not rows:
                continue
            recipient = get_user_model()._default_manager.get(pk=recipient_id)
            if recipient.is_active:
                _send_digest(recipient, rows)
                sent += 1
            Message.objects.filter(pk__in=[row.pk for row in rows]).update(digested_at=now)
    return len(recipient_ids), sent


def _send_digest(recipient: Any, rows: list[Message]) -> None:
    from outbox.rendering import message_link, render_subject

    items = [{"subject": render_subject(row), "link": message_link(row), "created_at": row.created_at} for row in rows]
    context = {"recipient": recipient, "items": items, "site_url": site_url()}
    email = EmailMultiAlternatives(
        subject=f"Orientations E2C : {len(rows)} notification{'s' if len(rows) > 1 else ''} depuis hier",
        body=render_to_string("outbox/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"X-E2C-Digest": ",".join(str(row.public_id) for row in rows)[:900]},
        connection=get_connection(),
    )
    email.attach_alternative(render_to_string("outbox/email/digest.html", context), "text/html")
    email.send()


# --- People's actions -------------------------------------------------------------------------


@transaction.atomic
def message_retry(*, actor: Actor, message: Message) -> Message:
    """An administrator sends a failed row again. Side effect: a delivery task after the commit."""
    require_monitor(actor)
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.status != Message.Status.FAILED:
        return locked
    MESSAGE.check(locked.status, Message.Status.PENDING)
    locked.status, locked.attempts, locked.next_attempt_at = Message.Status.PENDING, 0, timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    request_delivery()
    return locked


@transaction.atomic
def notification_mark_read(*, actor: Actor, message: Message) -> None:
    """The person read one of their notifications (another person's row is not found)."""
    if message.recipient_id != actor.user.pk:
        raise PermissionDenied
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    versioned_cache.bump_users([actor.user.pk])


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor) -> int:
    marked = Message.objects.filter(recipient=actor.user, read_at__isnull=True).update(read_at=timezone.now())
    versioned_cache.bump_users([actor.user.pk])
    return marked


@transaction.atomic
def preference_set(*, actor: Actor, frequency: str) -> Preference:
    """Immediate e-mails or the daily digest; applies to rows delivered from now on."""
    preference, _ = Preference.objects.update_or_create(user=actor.user, defaults={"frequency": frequency})
    return preference
