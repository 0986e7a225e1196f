from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Periodic jobs: each app declares its own in its ``jobs`` module; beat runs them, each run recorded."""

    name = "scheduling"
    verbose_name = "Tâches planifiées"

    def ready(self) -> None:
        # Each app declares its periodic jobs in its ``jobs`` module: importing them here fills the
        # registry before beat starts or a page lists them. A name, not an import: this bottom layer
        # names no app.
        from django.utils.module_loading import autodiscover_modules

        from scheduling import beat

        autodiscover_modules("jobs")
        beat.install()
