from django.apps import AppConfig


class CejConfig(AppConfig):
    """Young people, consent, CEJ and PACEA contracts, follow-up reviews (issue #4)."""

    name = "cej"
    verbose_name = "Jeunes et CEJ"

    def ready(self) -> None:
        from submissions.registry import register_creating

        # Forms whose POST creates a row: the same content sent again is refused (submissions).
        register_creating(
            "cej:cej_breach",
            "cej:cej_create",
            "cej:cej_extend",
            "cej:cej_suspend",
            "cej:consent_create",
            "cej:follow_up_create",
            "cej:import_apply",
            "cej:import_upload",
            "cej:pacea_create",
            "cej:pacea_phase_add",
            "cej:restriction_start",
            "cej:structuring_step_add",
            "cej:young_person_create",
        )

        from privacy.registry import register_section

        # The right-of-access export (privacy): what this app holds on a young person.
        for key, title, order in (
            ("file", "Dossier", 10),
            ("file_events", "Historique du dossier", 20),
            ("consents", "Accords de partage", 30),
            ("cej_contracts", "Contrats d'engagement jeune (CEJ)", 40),
            ("cej_events", "Événements des CEJ", 50),
            ("pacea_contracts", "PACEA et phases", 60),
            ("follow_ups", "Points de suivi", 70),
            ("restrictions", "Limitations du traitement (RGPD, article 18)", 140),
        ):
            register_section(key, title=title, order=order, loader=f"cej.privacy.{key}")
