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
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

TupleLookup = TupleGreaterThan | TupleLessThan

T = TypeVar("T", bound=models.Model)
Item = TypeVar("Item")


@dataclasses.dataclass(frozen=True)
class KeysetPage(Generic[Item]):
    items: list[Item]
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


# --- A list made of ordered segments --------------------------------------------------------------

SEGMENT = "keyset_segment"


@dataclasses.dataclass(frozen=True)
class Segment:
    """Rows of the list matching ``condition``, listed before those of the next segment.

    ``lanes``: a bigint column and the values the segment takes of it (a school's E2C sites, say),
    each value's rows read apart in the index's order and merged (``unnest`` × ``LATERAL``): an
    index on (site, k1, id) returns one site's rows in key order, never several sites' together.
    """

    condition: Q
    lanes: tuple[str, Sequence[int]] | None = None


def _segment_of(segments: Sequence[Segment]) -> Case | Value:
    if len(segments) == 1:  # one segment (perhaps ``Q()``, which When() refuses): every row is in it
        return Value(0, output_field=IntegerField())
    return Case(
        *(When(segment.condition, then=Value(index)) for index, segment in enumerate(segments)),
        default=None,
        output_field=IntegerField(),
    )


def paginate_segments(
    queryset: models.QuerySet[T],
    *,
    segments: Sequence[Segment],
    keys: Sequence[str],
    fields: Sequence[str],
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> KeysetPage[dict[str, Any]]:
    """One page of ``queryset`` listed segment after segment (disjoint conditions, e.g. the late rows,
    then the others), each segment ordered by ``keys`` (ending with the pk), ascending.

    The same order as sorting on a rank computed per row (``CASE WHEN late THEN 0 ELSE 1``), without
    its cost: a rank sorts every row of the list before the LIMIT, whereas each segment (each lane)
    here is read in the order of an index on ``keys``, ``size + 1`` rows at most; ONE query takes
    the first ``size + 1`` ids of their ``UNION ALL`` and reads the columns ``fields`` of those rows
    only. Items are dicts of ``fields``, ``SEGMENT`` (the row's segment number) and ``keyset_pk``.
    The cursor is the row's pk, as in ``paginate``; its segment and sort values are read back
    through ``queryset``.
    """
    if not keys or keys[-1] not in ("id", "pk"):
        raise ValueError("The keys must end with the primary key.")
    salt = _salt(queryset, [SEGMENT, *keys])
    segment_of = _segment_of(segments)
    before_position = _segment_position(queryset, segment_of, keys, before, salt)
    after_position = None
    if before_position is None:
        after_position = _segment_position(queryset, segment_of, keys, after, salt)
    backward = before_position is not None
    position = before_position or after_position
    first = position[0] if position is not None else 0
    indexes = range(first, -1, -1) if backward else range(first, len(segments))
    order = [f"-{key}" for key in keys] if backward else list(keys)
    columns = {f"keyset_key_{number}": F(key) for number, key in enumerate(keys)}
    branches, params = [], []
    for index in indexes:
        segment = segments[index]
        part = queryset.filter(segment.condition)
        if position is not None and index == position[0]:
            part = part.filter(_beyond(keys, position[1], "lt" if backward else "gt"))
        if segment.lanes is not None:  # one lane's rows: the column equals the lane being read
            part = part.filter(**{segment.lanes[0]: RawSQL("keyset_lane.value", ())})
        rows_sql, rows_params = (
            part.order_by(*order)
            .values(keyset_id=F("pk"), keyset_rank=Value(index), **columns)[: size + 1]
            .query.sql_with_params()
        )
        if segment.lanes is not None:
            branches.append(
                f"SELECT keyset_rows.* FROM unnest(%s::bigint[]) AS keyset_lane(value) "  # noqa: S608
                f"CROSS JOIN LATERAL ({rows_sql}) keyset_rows"
            )
            params += [list(segment.lanes[1]), *rows_params]
        else:
            branches.append(f"SELECT * FROM ({rows_sql}) keyset_rows")  # noqa: S608
            params += rows_params
    direction = "DESC" if backward else "ASC"
    sort = ", ".join(f"{column} {direction}" for column in ["keyset_rank", *columns])
    # The first ids of the segments (and lanes) merged, sorted on their few rows; the joins then
    # read 51 rows. (Django compiles each branch with its params apart; the rest is our own SQL.)
    union = " UNION ALL ".join(f"({branch})" for branch in branches)
    first_ids = RawSQL(  # noqa: S611
        f"SELECT keyset_id FROM ({union}) keyset_lanes ORDER BY {sort} LIMIT {int(size) + 1}",  # noqa: S608
        params,
    )
    # The ids come from ``queryset`` (scoped by the caller): the outer query only reads their
    # columns, without repeating its conditions (which would make the planner expect one row).
    rows = list(
        queryset.model._default_manager.filter(pk__in=first_ids)
        .annotate(**{SEGMENT: segment_of})
        .order_by(*([f"-{SEGMENT}", *order] if backward else [SEGMENT, *order]))
        .values(*fields, SEGMENT, keyset_pk=F("pk"))
    )
    has_more = len(rows) > size
    items = rows[:size]
    if backward:
        items.reverse()
        return KeysetPage(
            items=items,
            next_cursor=signing.dumps(items[-1]["keyset_pk"], salt=salt) if items else None,
            previous_cursor=signing.dumps(items[0]["keyset_pk"], salt=salt) if items and has_more else None,
        )
    return KeysetPage(
        items=items,
        next_cursor=signing.dumps(items[-1]["keyset_pk"], salt=salt) if has_more else None,
        previous_cursor=signing.dumps(items[0]["keyset_pk"], salt=salt) if items and after_position else None,
    )


def _segment_position(
    queryset: models.QuerySet[T], segment_of: Case | Value, keys: Sequence[str], cursor: str | None, salt: str
) -> tuple[int, list[Any]] | None:
    """(segment, sort values) of the row the cursor points at; None (first page) for a bad cursor or
    a row no longer in any segment."""
    if not cursor:
        return None
    try:
        pk = signing.loads(cursor, salt=salt)
    except signing.BadSignature:
        return None
    row = queryset.filter(pk=pk).annotate(**{SEGMENT: segment_of}).values_list(SEGMENT, *keys).first()
    if row is None or row[0] is None:
        return None
    return row[0], list(row[1:])
