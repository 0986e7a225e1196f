from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention durations per category, and the monthly anonymisation that applies them."""

    name = "retention"
    verbose_name = "Durées de conservation et anonymisation"

    def ready(self) -> None:
        from submissions.registry import register_creating

        # Forms whose POST creates a row: the same content sent again is refused (submissions).
        register_creating(
            "retention:erasure",
            "retention:erasure_refuse",
        )

        from outbox import registry as outbox

        # The retention notice names the file it is about (read at delivery).
        outbox.register_loader("retention_file", model="cej.YoungPerson")
