from django.apps import AppConfig


class StatesConfig(AppConfig):
    name = "states"
    verbose_name = "États et leurs changements"

    def ready(self) -> None:
        # Each app declares its state tables in its ``workflow`` module (a module or a package):
        # importing them here registers every table before the first request or task, and lets the
        # tests walk them all. A string, not an import: this bottom layer names no domain.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("workflow")
