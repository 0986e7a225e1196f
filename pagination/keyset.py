"""Keyset ("seek") pagination: pages cost the same at row 50 and at row 1,500,000.

The cursor carries only the primary key of the last (or first) row shown, signed with a salt
proper to the list (model and sort keys): no name ever appears in a URL or an access log, and a
cursor from another list, or a hand-edited one, simply starts from the first page. The sort
values of that row are read back from the database (one indexed lookup by primary key).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

TupleLookup = TupleGreaterThan | TupleLessThan

T = TypeVar("T", bound=models.Model)


@dataclasses.dataclass(frozen=True)
class KeysetPage(Generic[T]):
    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _salt(queryset: models.QuerySet[Any], keys: Sequence[str]) -> str:
    return f"keyset:{queryset.model._meta.label}:{','.join(keys)}"


def _encode(row: models.Model, salt: str) -> str:
    return signing.dumps(row.pk, salt=salt)


def _position(queryset: models.QuerySet[T], keys: Sequence[str], cursor: str | None, salt: str) -> list[Any] | None:
    """The sort values of the row the cursor points at, or None (first page) for a bad cursor."""
    if not cursor:
        return None
    try:
        pk = signing.loads(cursor, salt=salt)
    except signing.BadSignature:
        return None
    # Through the same (scoped, annotated) queryset: a cursor never reaches a row outside the list.
    row = queryset.filter(pk=pk).values_list(*keys).first()
    return list(row) if row is not None else None


def _beyond(keys: Sequence[str], values: Sequence[Any], lookup: str) -> Q | TupleLookup:
    """``(k1, k2, …) > (v1, v2, …)`` as ONE row-value comparison, which PostgreSQL applies as the bound
    of an index scan on (k1, k2, …): a page 150 deep reads as few index pages as page 2. The same
    condition written as OR-ed prefixes (``k1 > v1 OR (k1 = v1 AND k2 > v2)``) is only a filter:
    PostgreSQL reads, then discards, every row before the cursor. Django's own tuple lookups
    (``django.db.models.fields.tuple_lookups``, those of composite primary keys in 5.2) write it."""
    if len(keys) == 1:
        return Q(**{f"{keys[0]}__{lookup}": values[0]})
    comparison = TupleGreaterThan if lookup == "gt" else TupleLessThan
    return comparison(Tuple(*(F(key) for key in keys)), list(values))


def paginate(
    queryset: models.QuerySet[T],
    *,
    keys: Sequence[str],
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    descending: bool = False,
) -> KeysetPage[T]:
    """One page of ``queryset`` ordered by ``keys`` (unique together: end with the pk), ascending,
    or newest first with ``descending`` (a log)."""
    salt = _salt(queryset, keys) + (":desc" if descending else "")
    forward, backward = ("lt", "gt") if descending else ("gt", "lt")
    ahead = [f"-{k}" for k in keys] if descending else list(keys)
    behind = list(keys) if descending else [f"-{k}" for k in keys]
    before_values = _position(queryset, keys, before, salt)
    if before_values is not None:
        rows = list(queryset.filter(_beyond(keys, before_values, backward)).order_by(*behind)[: size + 1])
        has_more_before = len(rows) > size
        items = list(reversed(rows[:size]))
        return KeysetPage(
            items=items,
            next_cursor=_encode(items[-1], salt) if items else None,
            previous_cursor=_encode(items[0], salt) if items and has_more_before else None,
        )
    after_values = _position(queryset, keys, after, salt)
    filtered = queryset.filter(_beyond(keys, after_values, forward)) if after_values is not None else queryset
    rows = list(filtered.order_by(*ahead)[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items=items,
        next_cursor=_encode(items[-1], salt) if len(rows) > size else None,
        previous_cursor=_encode(items[0], salt) if items and after_values is not None else None,
    )
