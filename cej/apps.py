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

        from audit.listings import register_listing

        # The lists and searches of young people the access log records (their names for the DPO).
        register_listing("young_people", "Liste des jeunes suivis")
        register_listing("young_people_search", "Recherche de jeunes par nom")

        from outbox import registry as outbox

        # What the outbox reads and links for the follow-ups' and contracts' messages (dotted paths: lazy).
        outbox.register_loader(
            "follow_up", model="cej.FollowUp", field="pk", related=("young_person",), person="young_person"
        )
        outbox.register_loader(
            "cej_contract",
            model="cej.CejContract",
            field="pk",
            related=("young_person", "organisation"),
            person="young_person",
        )
        outbox.register_loader(
            "pacea_contract",
            model="cej.PaceaContract",
            field="pk",
            related=("young_person", "organisation"),
            person="young_person",
        )
        outbox.register_link("young_person", "cej:young_person_detail")
        outbox.register_variable("young_person_short", "cej.notifications.young_person_short")

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
