from django.apps import AppConfig


class ThrottleConfig(AppConfig):
    """Rate limits per account on exports, documents and searches; per address and network on resets."""

    name = "throttle"
    verbose_name = "Limites de fréquence"
