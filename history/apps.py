from django.apps import AppConfig


class HistoryConfig(AppConfig):
    """Database-level change history (django-pghistory): who changed what, when, from which organisation."""

    name = "history"
    verbose_name = "Historique des modifications"
