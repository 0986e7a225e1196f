from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demonstration data for the local run: French organisations and one account per role."""

    name = "demo"
    verbose_name = "Données de démonstration"
