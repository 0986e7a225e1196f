from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Organisations, users and memberships, and the access scoping every page goes through."""

    name = "partners"
    verbose_name = "Partenaires"
