"""Every status field of a model changes only through its declared table (issue 20).

- each model field that holds a state (``status`` with choices) has a table in ``states.tables``;
- each table is sound: its states are the field's choices, every state is reachable from a state a
  row is created in, its writers exist;
- no production module other than a table's writers assigns a state field: ``x.status = …``,
  ``.update(status=…)``, ``setattr(x, "status", …)`` or ``bulk_update(…, ["status"])`` are looked
  for in the source of every app, so a new write outside the workflow module fails here.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from states.tables import StateTable, tables

ROOT = Path(__file__).resolve().parents[2]
# Production code: every app and the project package; tests, benches and migrations are not.
PRODUCTION = [
    path
    for path in sorted(ROOT.glob("*/**/*.py"))
    if path.relative_to(ROOT).parts[0] not in {"tests", "bench", ".venv", "node_modules", "docs", "static"}
    and "migrations" not in path.parts
    and not path.relative_to(ROOT).parts[0].startswith(".")
]


def state_fields() -> list[str]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label in {"history", "pghistory"}:  # copies of rows made by triggers
            continue
        for field in model._meta.concrete_fields:
            if field.name == "status" and isinstance(field, models.CharField) and field.choices:
                found.append(f"{model._meta.label}.{field.name}")
    return sorted(found)


def declared() -> dict[str, StateTable]:
    return {f"{apps.get_model(table.model)._meta.label}.{table.field}": table for table in tables()}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_every_state_field_has_a_declared_table() -> None:
    missing = [name for name in state_fields() if name not in declared()]
    assert missing == [], f"state fields without a table in a workflow module: {missing}"


def test_the_referral_table_is_registered() -> None:
    assert "e2c_referrals.Referral.status" in declared()


@pytest.mark.parametrize("table", sorted(tables(), key=lambda t: t.name), ids=lambda t: t.name)
def test_table_is_sound(table: StateTable) -> None:
    field = apps.get_model(table.model)._meta.get_field(table.field)
    choices = {str(value) for value, _ in field.flatchoices}
    assert table.states <= choices, f"{table.name}: states not among the field's choices: {table.states - choices}"
    reached, frontier = set(table.initial), list(table.initial)
    while frontier:
        origin = frontier.pop()
        for to in table.moves_from(origin):
            if to not in reached:
                reached.add(to)
                frontier.append(to)
    assert reached == table.states, f"{table.name}: unreachable states {table.states - reached}"
    for writer in table.writers:
        importlib.import_module(writer)


def writes_of(path: Path, names: set[str]) -> list[str]:
    """The lines of ``path`` that assign one of ``names`` as a model field."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = [
                t for target in node.targets for t in (target.elts if isinstance(target, ast.Tuple) else [target])
            ]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr in names for t in targets):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if called == "update" and any(keyword.arg in names for keyword in node.keywords):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            constants = {arg.value for arg in ast.walk(node) if isinstance(arg, ast.Constant)}
            if called in {"setattr", "bulk_update"} and constants & names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_state_field_is_written_outside_its_table_writers() -> None:
    writers = {writer for table in tables() for writer in table.writers} | {"states.services"}
    names = {table.field for table in tables()}
    outside = [line for path in PRODUCTION if module_name(path) not in writers for line in writes_of(path, names)]
    assert outside == [], f"state fields written outside their workflow module: {outside}"
