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

        from outbox import registry as outbox
        from partners.access import Capability
        from partners.services.accounts import PASSWORD_RESET

        # The reset link is made when the worker sends the e-mail, never stored in the outbox row.
        outbox.register_delivery_context(PASSWORD_RESET, "partners.services.accounts.password_reset_delivery_context")
        outbox.register_loader("agreement", model="partners.Agreement")
        outbox.register_link("agreement", "partners:agreement_detail")
        # Who acts on the outbox's pages, and who may see its monitoring and retry a failed message.
        outbox.register_access(actor_for="partners.access.actor_for", monitor=Capability.MONITOR_JOBS)

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
