"""The shared apps name no domain: ``outbox`` knows the message kinds the domains register, and
``scheduling`` and ``submissions`` (below the outbox) import neither a domain nor the outbox."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = {"partners", "cej", "e2c_referrals", "history", "audit", "exports", "reporting", "retention"}
DOMAINS |= {"config", "demo", "bench", "tests"}
FORBIDDEN = {"outbox": DOMAINS, "scheduling": DOMAINS | {"outbox", "submissions"}, "submissions": DOMAINS | {"outbox"}}


def imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".", 1)[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".", 1)[0])
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_a_shared_app_imports_no_app_above_it(app):
    wrong = [
        f"{path.relative_to(ROOT)}: {sorted(imported(path) & FORBIDDEN[app])}"
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and imported(path) & FORBIDDEN[app]
    ]
    assert wrong == []
