"""The exports' periodic tasks (discovered by ``scheduling``)."""

from scheduling.registry import Entry, register_task

register_task(
    Entry(
        name="exports-requeue-stale",
        task="exports.tasks.requeue_stale_exports",
        schedule=300.0,
        why="Every 5 minutes, send again the export jobs still waiting (broker down at request time) or "
        "abandoned by a worker that died.",
    )
)
register_task(
    Entry(
        name="exports-delete-expired",
        task="exports.tasks.delete_expired_exports",
        schedule=3600.0,
        why="Every hour, delete the files of exports produced more than 48 hours ago.",
    )
)
