"""The import contracts cover every top-level package (import-linter's ``exhaustive`` needs
containers, which top-level packages do not have), and keep no ignore list."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def top_level_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py") if not path.parent.name.startswith(".")}


def layered() -> list[str]:
    (contract,) = [c for c in CONFIG["contracts"] if c["id"] == "layers"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def test_every_package_is_a_root_package_and_in_a_layer() -> None:
    packages = top_level_packages()
    assert packages - set(CONFIG["root_packages"]) == set(), "add the new package to root_packages"
    assert packages - set(layered()) == set(), "place the new package in a layer (README « Architecture »)"


def test_each_package_sits_in_one_layer() -> None:
    names = layered()
    assert sorted(names) == sorted(set(names))
    assert set(names) == set(CONFIG["root_packages"])


def test_no_contract_ignores_an_import() -> None:
    assert [c["id"] for c in CONFIG["contracts"] if c.get("ignore_imports")] == []


def test_a_shared_app_may_not_import_a_domain() -> None:
    (contract,) = [c for c in CONFIG["contracts"] if c["id"] == "layers"]
    order = [{name.strip() for name in layer.split("|")} for layer in contract["layers"]]
    position = {name: index for index, layer in enumerate(order) for name in layer}
    for shared in ("history", "audit", "exports", "outbox", "states", "common"):
        for domain in ("partners", "cej", "e2c_referrals"):
            assert position[shared] > position[domain], f"{shared} must sit below {domain}"
    production = set(next(c for c in CONFIG["contracts"] if c["id"] == "no-tooling-in-production")["source_modules"])
    assert "config.run_local" not in production and "config.settings.local" not in production
    assert {"partners", "cej", "e2c_referrals", "reporting", "retention"} <= production
