"""Declared state tables: which moves a status field may make, and which module makes them.

The referral's table (``e2c_referrals.workflow``) is the model every status in the project copies:
one table says, for each (from, to), the move's label and whether it needs a reason; one service
locks the row, checks the table, saves with ``update_fields`` and logs the change. This module holds
the shape, names no domain, and keeps the registry the tests walk: every status field of a model
has one table, and no module other than the table's ``writers`` assigns that field.

Declare a table in your app's ``workflow`` module (discovered by ``states.apps``)::

    EXPORT_JOB = register(StateTable(
        name="export_job", model="exports.ExportJob", field="status",
        initial={"queued"},
        moves={("queued", "running"): Move("Préparation commencée"), ...},
        writers=("exports.workflow",),
    ))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from django.apps import apps
from django.core.exceptions import ValidationError


@dataclasses.dataclass(frozen=True)
class Move:
    label: str  # what the move is, in French: a button's words or a history line
    requires_reason: bool = False


class InvalidMove(ValidationError):
    """A move the table does not allow from the current state (a clear French message)."""


@dataclasses.dataclass(frozen=True)
class StateTable:
    name: str  # unique, snake_case: "export_job"
    model: str  # "app_label.ModelName"
    field: str  # the status field
    initial: frozenset[str]  # the states a row may be created in
    moves: Mapping[tuple[str, str], Move]
    writers: tuple[str, ...]  # the dotted modules allowed to assign the field (its workflow service)
    log: bool = True  # every change written to states.StateChange (actor, time, reason)

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", frozenset(self.initial))
        object.__setattr__(self, "moves", dict(self.moves))

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.initial) | {state for move in self.moves for state in move}

    def label(self, state: str) -> str:
        """The state's French words: the status field's own choice."""
        field = apps.get_model(self.model)._meta.get_field(self.field)
        return str(dict(field.flatchoices).get(state, state))

    def allows(self, origin: str, to: str) -> bool:
        return (origin, to) in self.moves

    def moves_from(self, origin: str) -> dict[str, Move]:
        """The moves offered from ``origin``, in the table's order: to → move."""
        return {to: move for (start, to), move in self.moves.items() if start == origin}

    def check(self, origin: str, to: str, *, reason: str = "") -> Move:
        """The move from ``origin`` to ``to``, or ``InvalidMove`` with a message a user can act on."""
        move = self.moves.get((origin, to))
        if move is None:
            raise InvalidMove(
                f"Impossible : l'état est « {self.label(origin)} », il ne peut pas passer à « {self.label(to)} ». "
                "Rechargez la page : quelqu'un l'a peut-être déjà fait évoluer."
            )
        if move.requires_reason and not reason.strip():
            raise InvalidMove({"reason": ["Indiquez la raison de ce changement."]})
        return move


TABLES: dict[str, StateTable] = {}


def register(table: StateTable) -> StateTable:
    """Adds ``table`` to the registry (idempotent for the same table) and returns it."""
    known = TABLES.get(table.name)
    if known is not None and known != table:
        raise ValueError(f"Two state tables are named {table.name!r}.")
    TABLES[table.name] = table
    return table


def tables() -> Iterable[StateTable]:
    return TABLES.values()
