"""The indicators' periodic task (discovered by ``scheduling``)."""

from scheduling.registry import Entry, register_task

register_task(
    Entry(
        name="reporting-refresh-facts",
        task="reporting.refresh_facts",
        schedule=600.0,
        why="Every 10 minutes, rebuild the indicators' summary table (the dashboard's live figures).",
    )
)
