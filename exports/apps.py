from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports de fichiers"

    def ready(self) -> None:
        from submissions.registry import register_creating

        # Forms whose POST creates a row: the same content sent again is refused (submissions).
        register_creating(
            "exports:referral_files",
        )

        from exports import registry

        # The first kind: referral files (its builder lives in e2c_referrals, imported only when run).
        registry.register(registry.REFERRAL_FILES)
