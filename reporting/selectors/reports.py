"""A report for an area and a period: the frozen one of a closed semester, else computed now."""

from __future__ import annotations

from typing import Any

from reporting.indicators import Area, Level, Period, compute
from reporting.models import SemesterSnapshot


def snapshot_for(area: Area, period: Period) -> SemesterSnapshot | None:
    code = period.semester_code
    if code is None or area.level == Level.ORGANISATION:
        return None
    return (
        SemesterSnapshot.objects.select_related("closed_by")
        .filter(semester=code, level=str(area.level), code=area.code)
        .first()
    )


def is_closed(period: Period) -> bool:
    code = period.semester_code
    return code is not None and SemesterSnapshot.objects.filter(semester=code, level=Level.NATIONAL).exists()


def report_for(area: Area, period: Period) -> tuple[dict[str, Any], SemesterSnapshot | None]:
    snapshot = snapshot_for(area, period)
    if snapshot is not None:
        return snapshot.indicators, snapshot
    return compute(area, period), None
