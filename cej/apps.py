from django.apps import AppConfig


class CejConfig(AppConfig):
    """Young people, consent, CEJ and PACEA contracts, follow-up reviews (issue #4)."""

    name = "cej"
    verbose_name = "Jeunes et CEJ"
