from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Right-of-access export: the registry of sections the apps contribute, and their assembly."""

    name = "privacy"
    verbose_name = "Droit d'accès"
