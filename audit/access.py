"""Who may read the access log: a check the accounts app registers (``partners.shared_layer``),
so that this shared app names no role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from common.actors import Actor

_READER_CHECKS: list[Callable[[Any], bool]] = []


def register_reader_check(check: Callable[[Any], bool]) -> None:
    """``check(actor)``: whether the actor may read the access log (idempotent)."""
    if check not in _READER_CHECKS:
        _READER_CHECKS.append(check)


def can_read_access_log(actor: Actor) -> bool:
    """Allowed when a registered check allows it; nobody when none is registered."""
    return any(check(actor) for check in _READER_CHECKS)
