"""A report for an area and a period: the frozen one of a closed semester, else computed now."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.db import connection

from reporting.indicators import Area, Level, Period, compute
from reporting.models import SemesterClosing, SemesterSnapshot


def snapshot_for(area: Area, period: Period) -> SemesterSnapshot | None:
    code = period.semester_code
    if code is None or area.level == Level.ORGANISATION:
        return None
    return (
        SemesterSnapshot.objects.select_related("closed_by")
        .filter(semester=code, level=str(area.level), code=area.code)
        .first()
    )


def closing_of(period: Period) -> SemesterClosing | None:
    """The semester's closing, done or in progress (None: not asked, or not a semester)."""
    code = period.semester_code
    if code is None:
        return None
    return SemesterClosing.objects.filter(semester=code).first()


@dataclasses.dataclass(frozen=True)
class LiveState:
    """What a page of live figures says around them: the semester's closing, asked for or done, and
    when the summary table was last rebuilt."""

    closing_requested: bool
    closed_at: datetime.datetime | None
    refreshed_at: datetime.datetime | None

    @property
    def closing_in_progress(self) -> bool:
        return self.closing_requested and self.closed_at is None


def live_state(period: Period) -> LiveState:
    """``closing_of`` and ``facts.refreshed_at`` in one statement (the dashboard's fixed cost)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id IS NOT NULL, c.closed_at, (SELECT refreshed_at FROM reporting_referralfact LIMIT 1) "
            "FROM (VALUES (1)) AS one(x) LEFT JOIN reporting_semesterclosing c ON c.semester = %s",
            [period.semester_code or ""],
        )
        requested, closed_at, refreshed = cursor.fetchone()
    return LiveState(closing_requested=bool(requested), closed_at=closed_at, refreshed_at=refreshed)


def report_for(area: Area, period: Period) -> tuple[dict[str, Any], SemesterSnapshot | None]:
    snapshot = snapshot_for(area, period)
    if snapshot is not None:
        return snapshot.indicators, snapshot
    return compute(area, period), None
