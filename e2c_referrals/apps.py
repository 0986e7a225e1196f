from django.apps import AppConfig


class E2cReferralsConfig(AppConfig):
    """Referrals to E2C sites and their workflow, information sessions, reports (issues #5-#9)."""

    name = "e2c_referrals"
    verbose_name = "Orientations vers les E2C"

    def ready(self) -> None:
        from submissions.registry import register_creating

        # Forms whose POST creates a row: the same content sent again is refused (submissions).
        register_creating(
            "e2c_referrals:attachment_add",
            "e2c_referrals:hand_back_handle",
            "e2c_referrals:immersion_create",
            "e2c_referrals:post_exit_news_add",
            "e2c_referrals:referral_create",
            "e2c_referrals:referral_move",
            "e2c_referrals:referral_register",
            "e2c_referrals:session_create",
            "e2c_referrals:session_register",
        )

        from cej.services.young_people import CROSS_ORGANISATION_CHECKS
        from e2c_referrals.selectors.referrals import open_referrals_elsewhere

        if open_referrals_elsewhere not in CROSS_ORGANISATION_CHECKS:
            CROSS_ORGANISATION_CHECKS.append(open_referrals_elsewhere)

        from audit.listings import register_listing

        # The lists showing young people that the access log records (their names for the DPO).
        register_listing("inbox", "Orientations reçues (E2C)")
        register_listing("sent_referrals", "Orientations envoyées")
        register_listing("session_registrations", "Inscrits et candidats d'une information collective")
        register_listing("home", "Page d'accueil (points de suivi, fins de CEJ, retours)")

        from e2c_referrals.exports import REFERRAL_FILES
        from exports import registry

        # The referral files ZIP (built in e2c_referrals.pdf.batch) and its request page.
        registry.register(REFERRAL_FILES)
