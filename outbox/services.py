from collections.abc import Iterable

from django.db import transaction

from outbox.models import Message
from partners.models import Organisation, User


def enqueue(
    *,
    kind: str,
    recipients: Iterable[User],
    key: str,
    context: dict[str, object],
    organisation: Organisation | None = None,
) -> list[Message]:
    """Write one message per recipient in the current transaction; an existing key is not written twice.

    Must be called inside the transaction of the change that causes the messages.
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
        )
        for recipient in {user.pk: user for user in recipients}.values()
    ]
    return Message.objects.bulk_create(messages, ignore_conflicts=True)
