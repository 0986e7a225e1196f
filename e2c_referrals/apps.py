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

        from outbox import registry as outbox

        # What the outbox reads and links for the referrals' and sessions' messages (dotted paths: lazy).
        outbox.register_loader(
            "referral",
            model="e2c_referrals.Referral",
            related=("young_person", "e2c_site", "referring_organisation", "referring_adviser"),
            person="young_person",
        )
        outbox.register_loader(
            "other_referral", model="e2c_referrals.Referral", related=("e2c_site", "referring_organisation")
        )
        outbox.register_loader(
            "hand_back",
            model="e2c_referrals.HandBack",
            related=("organisation", "assignee", "referral__young_person"),
            person="referral.young_person",
        )
        outbox.register_loader(
            "session", model="e2c_referrals.InformationSession", related=("e2c_site", "venue_organisation")
        )
        # A hand-back's message names its referral too: the hand-back's page comes first.
        outbox.register_link("hand_back", "e2c_referrals:hand_back_handle")
        outbox.register_link("referral", "e2c_referrals:referral_detail")
        outbox.register_link("session", "e2c_referrals:session_detail")
        outbox.register_variable("status_label", "e2c_referrals.notifications.status_label", light=True)
        outbox.register_variable("listed", "e2c_referrals.notifications.listed_young_people")
        outbox.register_sender("e2c_referrals.notifications.sender")
        outbox.register_purge_guard("e2c_referrals.purges.messages_still_due")

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
