"""What the domains tell the history about their tracked models, from their ``AppConfig.ready()``:
this shared app names none of them.

- ``register_file_events``: an event table that belongs to a young person's file, and the SQL
  condition that picks the file's rows in it (``{pk}``: the file's integer id; ``{<event model
  label>}``: another event table's quoted name, e.g. ``{history.CejContractChange}``);
- ``register_names``: how to name the rows of a model the changes point to (users, organisations),
  and which key of the change context holds one;
- ``register_model_label``: the French name of a tracked model whose verbose name is not one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable

from django.apps import apps
from django.db import models

_FILE_EVENTS: dict[str, str] = {}
_PLACEHOLDER = re.compile(r"\{([a-z_]+\.[A-Za-z]+)\}")


@dataclasses.dataclass(frozen=True)
class Named:
    model: str  # "app_label.Model"
    names: Callable[[Iterable[int]], dict[int, str]]  # ids → display names, one query
    missing: str  # shown for an id whose row is gone
    context_key: str = ""  # the change context's key holding such an id ("user", "organisation")


_NAMED: dict[str, Named] = {}
MODEL_LABELS: dict[str, str] = {}


def register_file_events(event_model: str, where: str) -> None:
    """``where``: the SQL condition on ``_event`` (the event table) for the rows of file ``{pk}``.
    Built from table names and an integer only, never from what a user typed."""
    known = _FILE_EVENTS.get(event_model)
    if known is not None and known != where:
        raise ValueError(f"{event_model} already has another file filter.")
    _FILE_EVENTS[event_model] = where


def file_filters() -> dict[type[models.Model], str]:
    """Per registered event model, its condition with the other tables' names filled in."""

    def table(match: re.Match[str]) -> str:
        return f'"{apps.get_model(match.group(1))._meta.db_table}"'

    return {apps.get_model(label): _PLACEHOLDER.sub(table, where) for label, where in _FILE_EVENTS.items()}


def register_names(named: Named) -> None:
    _NAMED[named.model] = named


def named_models() -> dict[str, Named]:
    return dict(_NAMED)


def register_model_label(model: str, label: str) -> None:
    MODEL_LABELS[model] = label
