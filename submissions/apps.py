from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    """Each rendered form is carried out once, however many times it is posted (double clicks, retries)."""

    name = "submissions"
    verbose_name = "Envois de formulaires"
