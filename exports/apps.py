from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports de fichiers"

    def ready(self) -> None:
        from submissions.registry import register_creating

        # Forms whose POST creates a row: the same content sent again is refused (submissions).
        # The kinds themselves (and their request pages) are registered by the apps that own them.
        register_creating(
            "exports:referral_files",
        )
