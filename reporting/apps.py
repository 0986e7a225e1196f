from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Indicateurs et comité national"

    def ready(self) -> None:
        from submissions.registry import register_creating

        # Forms whose POST creates a row: the same content sent again is refused (submissions).
        register_creating(
            "reporting:close_semester",
            "reporting:export_in_background",
        )

        from exports import registry
        from reporting.exports import XLSX_KIND

        # The dashboard's XLSX, prepared by a worker for whoever prefers not to wait on the page.
        registry.register(XLSX_KIND)
