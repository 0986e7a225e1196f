"""The states of CEJ and PACEA contracts and of follow-up reviews: their declared tables, and the one
service per table that changes a status.

Contracts: ``CONTRACT_TRANSITIONS`` says which actions each status allows and the status each leads
to; the CEJ and PACEA state tables (``states.tables``) are its moves that change the status. Only
``cej_contract_move``, ``pacea_contract_move`` and ``follow_up_move`` below assign a status: each
takes a row its caller has locked, checks the table, saves with ``update_fields``. The log is the
one the pages show: a contract's CejEvent (its timeline) and the file's YoungPersonEvent (its
history), written by the contract services; follow-ups write the file's history.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any

from django.core.exceptions import ValidationError

from cej.enums import ContractEndReason, ContractStatus, FollowUpStatus
from cej.models import CejContract, CejEvent, FollowUp, PaceaContract
from cej.services.young_people import record_event
from partners.access import Actor
from partners.french import lower_first
from states.services import change_state
from states.tables import Move, StateTable, register


class ContractAction(enum.StrEnum):
    EXTEND = "extend"
    SUSPEND = "suspend"
    RESUME = "resume"
    RECORD_BREACH = "record_breach"
    END = "end"
    ADD_STRUCTURING_STEP = "add_structuring_step"
    ADD_PHASE = "add_phase"


ACTION_LABELS: dict[ContractAction, str] = {
    ContractAction.EXTEND: "de prolonger ce contrat",
    ContractAction.SUSPEND: "de suspendre ce contrat",
    ContractAction.RESUME: "de reprendre ce contrat",
    ContractAction.RECORD_BREACH: "d'enregistrer un manquement",
    ContractAction.END: "de mettre fin à ce contrat",
    ContractAction.ADD_STRUCTURING_STEP: "d'ajouter une solution structurante",
    ContractAction.ADD_PHASE: "d'ajouter une phase",
}

# The one table of what may happen to a contract in each status, and the status it leads to.
# A third breach leads to ENDED instead (see cej_record_breach). PACEA use END and ADD_PHASE only.
CONTRACT_TRANSITIONS: dict[str, dict[ContractAction, str]] = {
    ContractStatus.ACTIVE: {
        ContractAction.EXTEND: ContractStatus.ACTIVE,
        ContractAction.SUSPEND: ContractStatus.SUSPENDED,
        ContractAction.RECORD_BREACH: ContractStatus.ACTIVE,
        ContractAction.END: ContractStatus.ENDED,
        ContractAction.ADD_STRUCTURING_STEP: ContractStatus.ACTIVE,
        ContractAction.ADD_PHASE: ContractStatus.ACTIVE,
    },
    ContractStatus.SUSPENDED: {
        ContractAction.RESUME: ContractStatus.ACTIVE,
        ContractAction.EXTEND: ContractStatus.SUSPENDED,
        ContractAction.RECORD_BREACH: ContractStatus.SUSPENDED,
        ContractAction.END: ContractStatus.ENDED,
        ContractAction.ADD_STRUCTURING_STEP: ContractStatus.SUSPENDED,
    },
    ContractStatus.ENDED: {},
}

PACEA_ACTIONS = frozenset({ContractAction.END, ContractAction.ADD_PHASE})
CEJ_ACTIONS = frozenset(ContractAction) - {ContractAction.ADD_PHASE}

# What each status-changing action is, as a history line's words (a third breach ends through END).
MOVE_LABELS: dict[ContractAction, str] = {
    ContractAction.SUSPEND: "Suspendre le contrat",
    ContractAction.RESUME: "Reprendre le contrat",
    ContractAction.END: "Mettre fin au contrat",
}


def _contract_moves(actions: frozenset[ContractAction]) -> dict[tuple[str, str], Move]:
    """The moves of ``CONTRACT_TRANSITIONS`` that change the status, for one kind of contract: those
    its ``actions`` reach from the status a contract is signed in (a PACEA is never suspended)."""
    moves: dict[tuple[str, str], Move] = {}
    frontier = [ContractStatus.ACTIVE.value]
    while frontier:
        origin = frontier.pop(0)
        for action, to in CONTRACT_TRANSITIONS[origin].items():
            if action in actions and to != origin and (origin, to) not in moves:
                moves[(origin, to)] = Move(MOVE_LABELS[action])
                frontier.append(to)
    return moves


def _declare(name: str, model: str, initial: str, moves: dict[tuple[str, str], Move]) -> StateTable:
    """A status table of cej: written by this module only, logged where the pages show it (the
    contract's CejEvent and the file's history), not in ``states.StateChange``."""
    return register(
        StateTable(
            name=name,
            model=model,
            field="status",
            initial=frozenset({initial}),
            moves=moves,
            writers=("cej.workflow",),
            log=False,
        )
    )


CEJ_CONTRACT = _declare("cej_contract", "cej.CejContract", ContractStatus.ACTIVE, _contract_moves(CEJ_ACTIONS))
PACEA_CONTRACT = _declare("pacea_contract", "cej.PaceaContract", ContractStatus.ACTIVE, _contract_moves(PACEA_ACTIONS))
FOLLOW_UP = _declare(
    "follow_up",
    "cej.FollowUp",
    FollowUpStatus.PLANNED,
    {
        (FollowUpStatus.PLANNED, FollowUpStatus.HELD): Move("Enregistrer le compte rendu"),
        (FollowUpStatus.PLANNED, FollowUpStatus.CANCELLED): Move("Annuler le point de suivi"),
    },
)


# --- Contracts -----------------------------------------------------------------------------------


def can_apply(contract: CejContract | PaceaContract, action: ContractAction) -> bool:
    return action in CONTRACT_TRANSITIONS[contract.status]


def contract_actions(contract: CejContract | PaceaContract, *, editable: bool) -> dict[str, bool]:
    """Each action of the contract's page: offered (the file may be changed and the table allows it)."""
    return {action.value: editable and can_apply(contract, action) for action in ContractAction}


def transition_refusal(contract: CejContract | PaceaContract, action: ContractAction) -> str | None:
    """The French reason why ``action`` is not possible in the contract's status, else None."""
    if can_apply(contract, action):
        return None
    return f"Impossible {ACTION_LABELS[action]} : le contrat est {lower_first(contract.get_status_display())}."


def next_status(contract: CejContract | PaceaContract, action: ContractAction) -> str:
    """The status ``action`` leads to, or a ValidationError with the French refusal."""
    refusal = transition_refusal(contract, action)
    if refusal is not None:
        raise ValidationError(refusal)
    return CONTRACT_TRANSITIONS[contract.status][action]


def cej_contract_move(contract: CejContract, to: str, *, fields: dict[str, Any] | None = None) -> CejContract:
    """The one writer of ``CejContract.status``: a row its caller has locked, checked against the table."""
    return change_state(CEJ_CONTRACT, contract, to, fields=fields, locked=True)


def pacea_contract_move(contract: PaceaContract, to: str, *, fields: dict[str, Any] | None = None) -> PaceaContract:
    """The one writer of ``PaceaContract.status``: a row its caller has locked, checked against the table."""
    return change_state(PACEA_CONTRACT, contract, to, fields=fields, locked=True)


def cej_status_change(
    *,
    actor: Actor,
    contract: CejContract,
    status: str,
    kind: str,
    occurred_on: datetime.date,
    reason: str,
    action: str,
) -> CejEvent:
    """Suspend or resume a locked CEJ. Side effects: status; a CejEvent of ``kind``; a history event."""
    cej_contract_move(contract, status)
    event = CejEvent.objects.create(
        contract=contract, kind=kind, occurred_on=occurred_on, reason=reason, consequence="", actor=actor.user
    )
    record_event(young_person=contract.young_person, actor=actor, action=action, fields=["status"])
    return event


def contract_end(
    *,
    actor: Actor,
    contract: CejContract | PaceaContract,
    ended_on: datetime.date,
    end_reason: str,
    comment: str,
) -> None:
    """End a locked contract (CEJ or PACEA). The planned end becomes the real one: the no-overlap
    constraints then see the period actually covered, so a new contract may follow an early end.

    Side effects: status, end date and reason; for a CEJ a CejEvent END; a history event."""
    planned = contract.planned_end_on
    fields = {"ended_on": ended_on, "planned_end_on": ended_on, "end_reason": end_reason}
    label = ContractEndReason(end_reason).label
    if isinstance(contract, CejContract):
        cej_contract_move(contract, ContractStatus.ENDED, fields=fields)
        CejEvent.objects.create(
            contract=contract,
            kind=CejEvent.Kind.END,
            occurred_on=ended_on,
            new_end_on=ended_on,
            consequence=f"{label} (fin prévue jusque-là : {planned:%d/%m/%Y})",
            reason=comment,
            actor=actor.user,
        )
    else:
        pacea_contract_move(contract, ContractStatus.ENDED, fields=fields)
    record_event(
        young_person=contract.young_person,
        actor=actor,
        action=f"{contract.KIND} terminé le {ended_on:%d/%m/%Y} : {label}",
        fields=["status", "ended_on", "end_reason"],
    )


# --- Follow-ups ----------------------------------------------------------------------------------


def require_follow_up_move(follow_up: FollowUp, to: str) -> None:
    """Refuse, in the words the pages show, a move the follow-up's table does not allow."""
    if not FOLLOW_UP.allows(follow_up.status, to):
        raise ValidationError(f"Ce point de suivi est déjà « {lower_first(follow_up.get_status_display())} ».")


def follow_up_move(follow_up: FollowUp, to: str, *, fields: dict[str, Any] | None = None) -> FollowUp:
    """The one writer of ``FollowUp.status``: a row its caller has locked, checked against the table."""
    require_follow_up_move(follow_up, to)
    return change_state(FOLLOW_UP, follow_up, to, fields=fields, locked=True)
