"""The states of information sessions and of their registrations: two declared tables, and the
services that apply them (this module is the only one that assigns either status).

Lock order, as everywhere in the session services: the session first, then the referrals, then the
registrations. A session's state changes with the session locked; a registration's with its
session locked by the caller (seats are counted under that lock), the row itself locked here.
Every change is logged in ``states.StateChange`` (who, when, and the reason kept on the row).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from e2c_referrals.enums import RegistrationStatus, SessionStatus
from e2c_referrals.models import InformationSession, SessionRegistration
from partners.access import Actor
from states.models import StateChange
from states.services import REASON_MAX, change_state
from states.tables import Move, StateTable, register

R = RegistrationStatus

SESSION = register(
    StateTable(
        name="information_session",
        model="e2c_referrals.InformationSession",
        field="status",
        initial=frozenset({SessionStatus.PLANNED}),
        moves={
            (SessionStatus.PLANNED, SessionStatus.HELD): Move("Présences enregistrées"),
            (SessionStatus.PLANNED, SessionStatus.CANCELLED): Move("Annuler la séance", requires_reason=True),
        },
        writers=("e2c_referrals.workflow.sessions",),
    )
)

WITHDRAWN_REASON_MAX = 300  # SessionRegistration.withdrawn_reason's max_length

REGISTRATION = register(
    StateTable(
        name="session_registration",
        model="e2c_referrals.SessionRegistration",
        field="status",
        # A seat if one is left, else the waiting list (``registration_create``).
        initial=frozenset({R.REGISTERED, R.WAITING}),
        moves={
            (R.WAITING, R.REGISTERED): Move("Place libérée : inscription depuis la liste d'attente"),
            # Unregistered, the session cancelled, the referral moved on, the waiting list lapsed.
            (R.REGISTERED, R.WITHDRAWN): Move("Désinscription", requires_reason=True),
            (R.WAITING, R.WITHDRAWN): Move("Retrait de la liste d'attente", requires_reason=True),
        },
        writers=("e2c_referrals.workflow.sessions",),
    )
)


def _actor_id(actor: Actor | None) -> int | None:
    return actor.user.pk if actor is not None else None


@transaction.atomic
def session_change_state(
    *, actor: Actor, session: InformationSession, to: str, reason: str = "", fields: dict[str, Any] | None = None
) -> InformationSession:
    """Move ``session`` to « tenue » or « annulée » if its table allows it, with ``fields`` saved
    alongside; returns the saved row. Callers hold the session's lock already (taken before any
    referral's); the change is logged. Raises ``states.tables.InvalidMove``."""
    return change_state(SESSION, session, to, actor_id=_actor_id(actor), reason=reason, fields=fields)


@transaction.atomic
def registration_change_state(
    *, actor: Actor | None, registration: SessionRegistration, to: str, reason: str = ""
) -> SessionRegistration:
    """Move one registration (a seat given from the waiting list, or a withdrawal with its reason)
    if the table allows it; returns the saved row. The caller holds the session's lock; the row is
    locked here. Raises ``states.tables.InvalidMove``."""
    now = timezone.now()
    fields: dict[str, Any] = {"status_changed_at": now}
    if to == R.WITHDRAWN:
        fields["withdrawn_reason"] = reason.strip()[:WITHDRAWN_REASON_MAX]
    return change_state(
        REGISTRATION, registration, to, actor_id=_actor_id(actor), reason=reason, fields=fields, now=now
    )


@transaction.atomic
def registrations_withdraw(registrations: QuerySet[SessionRegistration], *, actor: Actor | None, reason: str) -> int:
    """Withdraw, in bulk, the registrations of ``registrations`` the table lets go to « désinscrit(e) »
    (a session cancelled, a waiting list lapsed); returns how many.

    A conditional update, whatever the number of rows: the rows are locked and read (one query),
    updated (one query) and their changes logged (one query). The caller holds the session's lock
    when the rows are one session's.
    """
    origins = sorted(origin for (origin, to) in REGISTRATION.moves if to == R.WITHDRAWN)
    rows = list(registrations.filter(status__in=origins).select_for_update().values_list("pk", "status"))
    if not rows:
        return 0
    for origin in {status for _, status in rows}:
        REGISTRATION.check(origin, R.WITHDRAWN, reason=reason)
    now = timezone.now()
    SessionRegistration.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        status=R.WITHDRAWN, status_changed_at=now, withdrawn_reason=reason.strip()[:WITHDRAWN_REASON_MAX]
    )
    if REGISTRATION.log:
        StateChange.objects.bulk_create(
            StateChange(
                table=REGISTRATION.name,
                object_id=str(pk),
                from_state=origin,
                to_state=R.WITHDRAWN,
                actor_id=_actor_id(actor),
                reason=reason.strip()[:REASON_MAX],
                created_at=now,
            )
            for pk, origin in rows
        )
    return len(rows)
