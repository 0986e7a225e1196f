from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention durations per category, and the monthly anonymisation that applies them."""

    name = "retention"
    verbose_name = "Durées de conservation et anonymisation"
