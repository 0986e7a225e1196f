"""The outbox message's states (``outbox.Message.status``), declared for ``states``.

A message is written ``pending``; the relay (``outbox.services.deliver_next``) marks it ``sent`` (or
filed for the recipient's daily digest) or, after the last attempt or for a deactivated recipient,
``failed``; an administrator sends a failed one again (``message_retry``). The moves are made by
``outbox.services`` under the row lock it takes to deliver (``FOR UPDATE SKIP LOCKED``), checked
against this table there.
"""

from __future__ import annotations

from states.tables import Move, StateTable, register

MESSAGE = register(
    StateTable(
        name="outbox_message",
        model="outbox.Message",
        field="status",
        initial=frozenset({"pending"}),
        moves={
            ("pending", "sent"): Move("Envoyé"),
            ("pending", "failed"): Move("Échec après la dernière tentative"),
            ("failed", "pending"): Move("Renvoyer"),
        },
        writers=("outbox.services",),
        # No StateChange row: one per delivered message would double the outbox's writes, and the
        # message row already records its attempts, last error and time sent.
        log=False,
    )
)
