"""Views stay thin: they ask the domain's access and workflow modules, never re-derive a rule (issue 20).

Read in the source of every views module of every app (``views.py``, ``views/*.py``, ``views_*.py``):
- no transition table is read: no ``TRANSITIONS``, ``STOPPING_MOVES``, ``allowed_moves``,
  ``sides_of``, ``Side`` and no declared ``StateTable`` imported (the access module answers which
  moves are offered and why the others are refused);
- no role compared: no ``Role.X`` and no ``.role`` in a comparison (an access function answers);
- no ``can_*`` / ``require_*`` function defined, and every ``can_*`` / ``require_*`` name used comes
  from an ``access`` module.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from states.tables import StateTable

ROOT = Path(__file__).resolve().parents[1]
NOT_APPS = {"tests", "bench", "docs", "static", "templates", "node_modules"}
VIEWS = sorted(
    path
    for path in ROOT.glob("*/**/*.py")
    if path.relative_to(ROOT).parts[0] not in NOT_APPS
    and not path.relative_to(ROOT).parts[0].startswith(".")
    and "migrations" not in path.parts
    and (path.name == "views.py" or path.name.startswith("views_") or "views" in path.relative_to(ROOT).parts[1:-1])
)
# Names of the transition tables and of the rules built on them: a view that imports one re-derives them.
TABLE_NAMES = {"TRANSITIONS", "STOPPING_MOVES", "allowed_moves", "sides_of", "Side"}
PREDICATE_PREFIXES = ("can_", "require_")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _is_access(module: str, name: str) -> bool:
    return module.rsplit(".", 1)[-1] == "access" or module.startswith("django.")


def _mentions_role(node: ast.AST) -> bool:
    return any(
        (isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == "Role")
        or (isinstance(part, ast.Attribute) and part.attr == "role")
        for part in ast.walk(node)
    )


def _guards_a_status(node: ast.AST) -> bool:
    """``x.status != …``, ``x.status in (…)``: a view deciding from a state what may be done (the
    table's question). Sorting rows by status for display (``==`` in a comprehension) is not one."""
    return (
        isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Attribute)
        and node.left.attr == "status"
        and any(isinstance(op, ast.NotEq | ast.In | ast.NotIn) for op in node.ops)
    )


def findings(path: Path) -> list[str]:
    """What in this views module re-derives a rule (empty: the module is thin)."""
    return findings_in(path.read_text(), where=module_name(path))


def findings_in(source: str, *, where: str) -> list[str]:
    tree = ast.parse(source)
    found: list[str] = []
    imported_from: dict[str, str] = {}  # local name → module it was imported from
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                imported_from[local] = node.module
                if alias.name in TABLE_NAMES:
                    found.append(f"{where}:{node.lineno} imports {alias.name} from {node.module}")
                elif isinstance(getattr(importlib.import_module(node.module), alias.name, None), StateTable):
                    found.append(f"{where}:{node.lineno} imports the state table {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imported_from[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in TABLE_NAMES:
            found.append(f"{where}:{node.lineno} reads {node.id}")
        elif isinstance(node, ast.Compare) and _mentions_role(node):
            found.append(f"{where}:{node.lineno} compares a role")
        elif _guards_a_status(node):
            found.append(f"{where}:{node.lineno} guards on a status")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(PREDICATE_PREFIXES):
            found.append(f"{where}:{node.lineno} defines {node.name}")
        elif isinstance(node, ast.Name) and node.id.startswith(PREDICATE_PREFIXES):
            origin = imported_from.get(node.id)
            if origin is None or not _is_access(origin, node.id):
                found.append(f"{where}:{node.lineno} uses {node.id} from {origin or 'this module'}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith(PREDICATE_PREFIXES):
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            origin = imported_from.get(owner, "")
            if not _is_access(origin, node.attr):
                found.append(f"{where}:{node.lineno} uses {owner}.{node.attr}")
    return found


def test_views_are_found() -> None:
    names = {module_name(path) for path in VIEWS}
    assert {"e2c_referrals.views.referrals", "partners.views.members", "retention.views"} <= names


@pytest.mark.parametrize("path", VIEWS, ids=module_name)
def test_view_asks_access_and_workflow(path: Path) -> None:
    assert findings(path) == []


def test_a_rule_in_a_view_is_found() -> None:
    """The walk catches each kind of rule a view might re-derive."""
    rogue = (
        "from e2c_referrals.workflow import TRANSITIONS\n"
        "from e2c_referrals.selectors.referrals import referral_for_actor as can_see\n"
        "from partners.enums import Role\n"
        "def can_move(actor, referral):\n"
        "    return actor.role == Role.ADVISER and (referral.status, 'sent') in TRANSITIONS\n"
        "def view(actor, referral):\n"
        "    if referral.status != 'draft':\n"
        "        return None\n"
        "    return can_see(actor=actor, public_id=referral)\n"
    )
    found = findings_in(rogue, where="rogue")
    kinds = {line.split(" ", 1)[1].split(" ")[0] for line in found}
    assert kinds == {"imports", "reads", "compares", "defines", "uses", "guards"}, found


def test_a_state_table_imported_by_a_view_is_found() -> None:
    found = findings_in("from e2c_referrals.workflow import REFERRAL\n", where="rogue")
    assert found == ["rogue:1 imports the state table REFERRAL"]
