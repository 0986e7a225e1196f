"""Keyset ("seek") pagination: pages cost the same at row 50 and at row 1,500,000.

The cursor is the sort key of the last (or first) row shown, signed so a hand-edited URL
cannot inject arbitrary values; a bad cursor simply starts from the first page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import reduce
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db import models
from django.db.models import Q

T = TypeVar("T", bound=models.Model)
SALT = "keyset-pagination"


@dataclasses.dataclass(frozen=True)
class KeysetPage(Generic[T]):
    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _encode(row: models.Model, keys: Sequence[str]) -> str:
    return signing.dumps([_value(getattr(row, key)) for key in keys], salt=SALT, compress=True)


def _value(value: Any) -> Any:
    return value if isinstance(value, str | int) or value is None else str(value)


def _decode(cursor: str | None, size: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        values = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        return None
    return values if isinstance(values, list) and len(values) == size else None


def _beyond(keys: Sequence[str], values: Sequence[Any], lookup: str) -> Q:
    """(k1, k2, …) > (v1, v2, …) as OR-ed prefixes (uses the composite index)."""
    clauses = []
    for index, key in enumerate(keys):
        equal = dict(zip(keys[:index], values[:index], strict=True))
        clauses.append(Q(**equal, **{f"{key}__{lookup}": values[index]}))
    return reduce(lambda a, b: a | b, clauses)


def paginate(
    queryset: models.QuerySet[T],
    *,
    keys: Sequence[str],
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> KeysetPage[T]:
    """One page of ``queryset`` ordered by ``keys`` (ascending, unique together: end with the pk)."""
    after_values, before_values = _decode(after, len(keys)), _decode(before, len(keys))
    if before_values is not None:
        rows = list(queryset.filter(_beyond(keys, before_values, "lt")).order_by(*[f"-{k}" for k in keys])[: size + 1])
        has_more_before = len(rows) > size
        items = list(reversed(rows[:size]))
        return KeysetPage(
            items=items,
            next_cursor=_encode(items[-1], keys) if items else None,
            previous_cursor=_encode(items[0], keys) if items and has_more_before else None,
        )
    filtered = queryset.filter(_beyond(keys, after_values, "gt")) if after_values is not None else queryset
    rows = list(filtered.order_by(*keys)[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items=items,
        next_cursor=_encode(items[-1], keys) if len(rows) > size else None,
        previous_cursor=_encode(items[0], keys) if items and after_values is not None else None,
    )
