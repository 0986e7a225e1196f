from django.apps import AppConfig


class E2cReferralsConfig(AppConfig):
    """Referrals to E2C sites and their workflow, information sessions, reports (issues #5-#9)."""

    name = "e2c_referrals"
    verbose_name = "Orientations vers les E2C"

    def ready(self) -> None:
        from cej.services.young_people import CROSS_ORGANISATION_CHECKS
        from e2c_referrals.selectors.referrals import open_referrals_elsewhere

        if open_referrals_elsewhere not in CROSS_ORGANISATION_CHECKS:
            CROSS_ORGANISATION_CHECKS.append(open_referrals_elsewhere)
