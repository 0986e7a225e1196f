from django.apps import AppConfig


class E2cReferralsConfig(AppConfig):
    """Referrals to E2C sites and their workflow, information sessions, reports (issues #5-#9)."""

    name = "e2c_referrals"
    verbose_name = "Orientations vers les E2C"
