from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Organisations, users and memberships, and the access scoping every page goes through."""

    name = "partners"
    verbose_name = "Partenaires"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from config.middleware import stamp_signed_in_session

        user_logged_in.connect(stamp_signed_in_session, dispatch_uid="stamp_signed_in_session")
