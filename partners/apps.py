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

        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_delete, post_migrate, post_save

        from common.middleware import stamp_signed_in_session
        from partners import geography
        from partners.access import forget_session_memberships, prime_session_memberships
        from partners.models import Departement, Membership, Organisation, Region

        user_logged_in.connect(stamp_signed_in_session, dispatch_uid="stamp_signed_in_session")
        post_migrate.connect(geography.clear_cache, dispatch_uid="geography_after_migrate")
        for model in (Region, Departement):
            for signal in (post_save, post_delete):
                signal.connect(geography.clear_cache, sender=model, dispatch_uid=f"geography_{model.__name__}")
        # Each session's memberships are cached between requests (partners.access.memberships_of_session):
        # filled at sign-in, read again after any change to a membership or an organisation.
        user_logged_in.connect(prime_session_memberships, dispatch_uid="prime_session_memberships")
        user_logged_out.connect(forget_session_memberships, dispatch_uid="forget_session_memberships")
        for actor_model in (Membership, Organisation):
            for signal in (post_save, post_delete):
                signal.connect(
                    memberships_changed, sender=actor_model, dispatch_uid=f"memberships_changed_{actor_model.__name__}"
                )


def memberships_changed(sender: object, **kwargs: object) -> None:
    from common import versioned_cache

    versioned_cache.bump(versioned_cache.GLOBAL)
