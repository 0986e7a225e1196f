"""A report for an area and a period: the frozen one of a closed semester, else computed now."""

from __future__ import annotations

from typing import Any

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


def report_for(area: Area, period: Period) -> tuple[dict[str, Any], SemesterSnapshot | None]:
    snapshot = snapshot_for(area, period)
    if snapshot is not None:
        return snapshot.indicators, snapshot
    return compute(area, period), None
