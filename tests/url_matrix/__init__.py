"""Every URL of the application × every role, each cell's expected status declared.

Each area declares its entries in a module of this package (``ENTRIES``); ``tests/test_url_matrix.py``
collects them, requests each URL as each role, and fails if a URL name of the application is in no
module. Expected values: 200, 302 (anonymous → login, or a POST's redirection), 403 (role may not), 404
(outside the scope), 410 (a link no longer usable).

Each entry also names the methods its view implements (``methods``, common/http_methods.py): ``("GET",)`` by
default, ``("GET", "POST")`` for a page with its form, ``("POST",)`` for an action posted from another page.
``HEAD`` goes with ``GET``; ``OPTIONS`` is answered for every URL. Any other method answers 405, and
``expected`` is each role's status for the entry's first method: a GET, or on a POST-only URL an empty POST
(CSRF check off, as a browser's form would pass it).
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
    methods: tuple[str, ...] = ("GET",)

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expected)
        if missing:
            raise ValueError(f"{self.name}: no expected status for {sorted(missing)}")
        if self.methods not in (("GET",), ("GET", "POST"), ("POST",)):
            raise ValueError(f"{self.name}: methods {self.methods}: declare ('GET',), ('GET', 'POST') or ('POST',)")

    @property
    def first_method(self) -> str:
        return self.methods[0]


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """Signed-in roles get ``status``, anonymous is sent to the login page, unless overridden."""
    table = dict.fromkeys(ROLES, status)
    table["anonymous"] = 302
    table.update(overrides)
    return table
