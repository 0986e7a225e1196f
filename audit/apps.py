from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who read which young person's file, downloaded which document, ran which export."""

    name = "audit"
    verbose_name = "Journal des accès"

    def ready(self) -> None:
        from audit.services import log_download
        from exports import registry

        # Every export file downloaded is a read of personal data: logged like a document.
        registry.on_download(log_download)

        from privacy.registry import register_section

        # Last in the right-of-access export: the reads of every record the sections above exported.
        register_section(
            "access_log", title="Journal des accès à ces données", order=1000, loader="audit.privacy.access_log"
        )
