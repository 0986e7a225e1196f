"""Celery tasks of reporting: they take nothing and call services."""

from __future__ import annotations

from celery import shared_task

from reporting.services.facts import refresh_facts


@shared_task(name="reporting.refresh_facts", ignore_result=True)
def refresh_reporting_facts() -> int:
    """Rebuild the indicators' summary table (beat, every 10 minutes)."""
    return refresh_facts()
