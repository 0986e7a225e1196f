"""Every URL of the application × every role, each cell's expected status declared.

Each area declares its entries in a module of this package (``ENTRIES``); ``tests/test_url_matrix.py``
collects them, requests each URL as each role, and fails if a URL name of the application is in no
module. Expected values: 200, 302 (anonymous → login), 403 (role may not), 404 (outside the scope),
405 (GET on a POST-only URL).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from tests.world import ROLES, World


@dataclasses.dataclass(frozen=True)
class Entry:
    name: str  # URL name, with namespace
    url: Callable[[World], str]
    expected: dict[str, int]

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expected)
        if missing:
            raise ValueError(f"{self.name}: no expected status for {sorted(missing)}")


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """Signed-in roles get ``status``, anonymous is sent to the login page, unless overridden."""
    table = dict.fromkeys(ROLES, status)
    table["anonymous"] = 302
    table.update(overrides)
    return table
