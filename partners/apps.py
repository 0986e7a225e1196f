from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Organisations, users and memberships, and the access scoping every page goes through."""

    name = "partners"
    verbose_name = "Partenaires"

    def ready(self) -> None:
        from submissions.registry import register_creating

        # Forms whose POST creates a row: the same content sent again is refused (submissions).
        register_creating(
            "partners:agreement_create",
            "partners:amendment_create",
            "partners:correspondent_create",
            "partners:diagnostic_create",
            "partners:import_apply",
            "partners:import_upload",
            "partners:invitation_create",
            "partners:organisation_create",
        )

        from outbox.rendering import register_delivery_context
        from partners.services.accounts import PASSWORD_RESET, password_reset_delivery_context

        # The reset link is made when the worker sends the e-mail, never stored in the outbox row.
        register_delivery_context(PASSWORD_RESET, password_reset_delivery_context)

        from partners import shared_layer

        # Who acts, which organisations they see, who reads the access log: for the shared apps.
        shared_layer.register()

        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_migrate, post_save

        from common.middleware import stamp_signed_in_session
        from partners import geography
        from partners.models import Departement, Region

        user_logged_in.connect(stamp_signed_in_session, dispatch_uid="stamp_signed_in_session")
        post_migrate.connect(geography.clear_cache, dispatch_uid="geography_after_migrate")
        for model in (Region, Departement):
            for signal in (post_save, post_delete):
                signal.connect(geography.clear_cache, sender=model, dispatch_uid=f"geography_{model.__name__}")
