from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who read which young person's file, downloaded which document, ran which export."""

    name = "audit"
    verbose_name = "Journal des accès"
