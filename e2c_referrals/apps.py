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

        from privacy.registry import register_section

        # The right-of-access export (privacy): what this app holds on a young person.
        for key, title, order in (
            ("referrals", "Orientations vers une E2C", 80),
            ("referral_transitions", "Historique des orientations", 90),
            ("session_registrations", "Inscriptions aux informations collectives", 100),
            ("hand_backs", "Retours vers le prescripteur", 110),
            ("post_exit_news", "Nouvelles après la sortie", 120),
            ("attachments", "Pièces jointes (liste ; les fichiers sont remis à part sur demande)", 130),
        ):
            register_section(key, title=title, order=order, loader=f"e2c_referrals.privacy.{key}")
