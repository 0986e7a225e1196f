from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Side effects (notifications, e-mails) written in the same transaction as their cause."""

    name = "outbox"
    verbose_name = "Messages à envoyer"
