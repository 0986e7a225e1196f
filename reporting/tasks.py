"""Celery tasks of reporting: they take nothing and call services."""

from __future__ import annotations

from celery import shared_task

from reporting.services.facts import refresh_facts


@shared_task(name="reporting.refresh_facts", ignore_result=True)
def refresh_reporting_facts() -> int:
    """Rebuild the indicators' summary table (beat, every 10 minutes), and send again the semester
    closings still waiting (broker down when asked, worker lost: closing twice changes nothing)."""
    from reporting.services.snapshots import enqueue, pending_closings

    count = refresh_facts()
    for closing_id in pending_closings():
        enqueue(closing_id)
    return count


@shared_task(name="reporting.close_semester", ignore_result=True)
def close_semester(closing_id: int) -> int:
    """Freeze a closed semester's indicators (asked by a national committee member)."""
    from reporting.services.snapshots import semester_close

    return semester_close(closing_id=closing_id)
