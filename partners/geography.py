"""Régions and départements: INSEE's reference data, read from the database once per process.

They are loaded by a migration (``partners/migrations/0002_load_geography.py``) and never written by
the application, so a page need not ask PostgreSQL for them again: the indicators dashboard alone
used two queries a page for its filters. The cache is dropped after ``migrate`` and whenever a row is
saved or deleted in this process, and an empty read (a database not loaded yet) is never kept.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from partners.models import Departement, Region


@dataclasses.dataclass(frozen=True)
class Geography:
    regions: dict[str, str]  # code → name, in name order
    departements: dict[str, tuple[str, str]]  # code → (name, région code), in code order

    def region_name(self, code: str | None) -> str | None:
        return self.regions.get(code or "")

    def departement_label(self, code: str | None) -> str | None:
        """« Rhône (69) », as ``Departement.__str__`` writes it."""
        found = self.departements.get(code or "")
        return f"{found[0]} ({code})" if found else None

    def region_of(self, departement_code: str) -> str | None:
        found = self.departements.get(departement_code)
        return found[1] if found else None

    def departements_of(self, region_code: str) -> list[tuple[str, str]]:
        """(code, name) of the région's départements, in code order."""
        return [(code, name) for code, (name, region) in self.departements.items() if region == region_code]


_cached: Geography | None = None


def geography() -> Geography:
    global _cached
    if _cached is not None:
        return _cached
    loaded = Geography(
        regions=dict(Region.objects.order_by("name", "code").values_list("code", "name")),
        departements={
            code: (name, region)
            for code, name, region in Departement.objects.order_by("code").values_list("code", "name", "region_id")
        },
    )
    if loaded.regions and loaded.departements:
        _cached = loaded
    return loaded


def clear_cache(**_kwargs: Any) -> None:
    global _cached
    _cached = None
