"""Demonstration data: a small network in two régions and one account per role.

Auvergne-Rhône-Alpes (84) and Hauts-de-France (32): Missions Locales under their ARML, France
Travail agencies, E2C schools with their sites, the regional bodies and the two national ones.
Everything goes through the partners' services, as a real import would.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from cej.enums import AllowanceCategory, ConsentMethod, SharedData
from cej.services.cej_contracts import CejData, cej_create
from cej.services.consents import consent_record
from cej.services.follow_ups import follow_up_schedule
from cej.services.young_people import YoungPersonData, young_person_create
from e2c_referrals.enums import ExitOutcome, NotAdmittedReason, ReferralStatus, SessionKind, SessionVenue
from e2c_referrals.models import InformationSession, Referral, ReferralTransition
from e2c_referrals.services.immersions import ImmersionData, immersion_record
from e2c_referrals.services.referrals import ReferralData, referral_create
from e2c_referrals.services.sessions import SessionData, attendance_record, registration_create, session_create
from e2c_referrals.workflow import TransitionData, referral_transition
from partners.access import Actor
from partners.enums import AgreementFramework, AgreementLevel, CollaborationLevel, Role
from partners.enums import OrganisationKind as Kind
from partners.models import Membership, Organisation, User
from partners.services.agreements import AgreementData, agreement_create, amendment_create, diagnostic_create
from partners.services.correspondents import correspondent_create
from partners.services.members import membership_add
from partners.services.organisations import OrganisationData, organisation_create
from partners.validators import luhn_is_valid

# Shown in the README and printed by ``make run``: local demonstration only.
DEMO_PASSWORD = "Demo-E2C-2026!"  # noqa: S105 (public demo password)


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: Kind
    departement: str
    postcode: str
    commune: str
    parent: str | None = None


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: Role
    organisation: str  # DemoOrganisation.key
    label: str  # organisation name printed next to the login


DEMO_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation("unml", "Union nationale des Missions Locales", Kind.NATIONAL, "75", "75010", "Paris"),
    DemoOrganisation("reseau-e2c", "Réseau E2C France", Kind.NATIONAL, "75", "75012", "Paris"),
    # Auvergne-Rhône-Alpes
    DemoOrganisation("arml-ara", "ARML Auvergne-Rhône-Alpes", Kind.ARML, "69", "69007", "Lyon"),
    DemoOrganisation(
        "e2c-ara", "Coordination régionale E2C Auvergne-Rhône-Alpes", Kind.E2C_REGIONAL, "69", "69003", "Lyon"
    ),
    DemoOrganisation("ml-lyon", "Mission Locale de Lyon", Kind.MISSION_LOCALE, "69", "69003", "Lyon", "arml-ara"),
    DemoOrganisation(
        "ml-villeurbanne",
        "Mission Locale de Villeurbanne",
        Kind.MISSION_LOCALE,
        "69",
        "69100",
        "Villeurbanne",
        "arml-ara",
    ),
    DemoOrganisation(
        "ml-saint-etienne",
        "Mission Locale de Saint-Étienne et du Sud-Est Loire",
        Kind.MISSION_LOCALE,
        "42",
        "42000",
        "Saint-Étienne",
        "arml-ara",
    ),
    DemoOrganisation("ft-lyon", "France Travail Lyon Part-Dieu", Kind.FRANCE_TRAVAIL, "69", "69003", "Lyon"),
    DemoOrganisation(
        "ft-saint-etienne",
        "France Travail Saint-Étienne Montreynaud",
        Kind.FRANCE_TRAVAIL,
        "42",
        "42000",
        "Saint-Étienne",
    ),
    DemoOrganisation(
        "e2c-lyon", "École de la 2e Chance Lyon Métropole", Kind.E2C_SCHOOL, "69", "69008", "Lyon", "e2c-ara"
    ),
    DemoOrganisation(
        "e2c-venissieux",
        "E2C Lyon Métropole — site de Vénissieux",
        Kind.E2C_SITE,
        "69",
        "69200",
        "Vénissieux",
        "e2c-lyon",
    ),
    DemoOrganisation(
        "e2c-lyon-8", "E2C Lyon Métropole — site de Lyon 8e", Kind.E2C_SITE, "69", "69008", "Lyon", "e2c-lyon"
    ),
    DemoOrganisation(
        "e2c-loire", "École de la 2e Chance de la Loire", Kind.E2C_SCHOOL, "42", "42000", "Saint-Étienne", "e2c-ara"
    ),
    DemoOrganisation(
        "e2c-saint-etienne",
        "E2C Loire — site de Saint-Étienne",
        Kind.E2C_SITE,
        "42",
        "42100",
        "Saint-Étienne",
        "e2c-loire",
    ),
    # Hauts-de-France
    DemoOrganisation("arml-hdf", "ARML Hauts-de-France", Kind.ARML, "59", "59000", "Lille"),
    DemoOrganisation("ml-lille", "Mission Locale de Lille", Kind.MISSION_LOCALE, "59", "59000", "Lille", "arml-hdf"),
    DemoOrganisation(
        "ml-roubaix",
        "Mission Locale de Roubaix-Lys-lez-Lannoy",
        Kind.MISSION_LOCALE,
        "59",
        "59100",
        "Roubaix",
        "arml-hdf",
    ),
    DemoOrganisation(
        "ml-amiens", "Mission Locale du Grand Amiénois", Kind.MISSION_LOCALE, "80", "80000", "Amiens", "arml-hdf"
    ),
    DemoOrganisation("ft-lille", "France Travail Lille Vauban", Kind.FRANCE_TRAVAIL, "59", "59000", "Lille"),
    DemoOrganisation("ft-amiens", "France Travail Amiens Nord", Kind.FRANCE_TRAVAIL, "80", "80080", "Amiens"),
    DemoOrganisation("e2c-grand-lille", "École de la 2e Chance Grand Lille", Kind.E2C_SCHOOL, "59", "59000", "Lille"),
    DemoOrganisation(
        "e2c-lille", "E2C Grand Lille — site de Lille", Kind.E2C_SITE, "59", "59000", "Lille", "e2c-grand-lille"
    ),
    DemoOrganisation(
        "e2c-roubaix", "E2C Grand Lille — site de Roubaix", Kind.E2C_SITE, "59", "59100", "Roubaix", "e2c-grand-lille"
    ),
    DemoOrganisation(
        "e2c-amiens", "E2C Somme — site d'Amiens", Kind.E2C_SITE, "80", "80000", "Amiens", "e2c-grand-lille"
    ),
)

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "amelie.lefevre@ml-lyon.exemple.fr", "Amélie", "Lefèvre", Role.ADVISER, "ml-lyon", "Mission Locale de Lyon"
    ),
    DemoAccount(
        "francois.dubois-martin@francetravail.exemple.fr",
        "François",
        "Dubois-Martin",
        Role.ADVISER,
        "ft-lyon",
        "France Travail Lyon Part-Dieu",
    ),
    DemoAccount(
        "chloe.ndiaye@e2c-lyon.exemple.fr",
        "Chloé",
        "N'Diaye",
        Role.E2C_STAFF,
        "e2c-venissieux",
        "E2C Lyon Métropole — site de Vénissieux",
    ),
    DemoAccount(
        "helene.garcon@e2c-lyon.exemple.fr",
        "Hélène",
        "Garçon",
        Role.MANAGER,
        "e2c-lyon",
        "École de la 2e Chance Lyon Métropole",
    ),
    DemoAccount(
        "marc.olivier@ml-lyon.exemple.fr", "Marc-Olivier", "Da Silva", Role.MANAGER, "ml-lyon", "Mission Locale de Lyon"
    ),
    DemoAccount(
        "yasmine.belkacem@ml-lille.exemple.fr",
        "Yasmine",
        "Belkacem",
        Role.ADVISER,
        "ml-lille",
        "Mission Locale de Lille",
    ),
    DemoAccount(
        "noel.berard@arml-aura.exemple.fr",
        "Noël",
        "Bérard",
        Role.REGIONAL_COORDINATOR,
        "arml-ara",
        "ARML Auvergne-Rhône-Alpes",
    ),
    DemoAccount(
        "zoe.lambert-dupre@unml.exemple.fr",
        "Zoé",
        "Lambert-Dupré",
        Role.NATIONAL_COMMITTEE,
        "unml",
        "Union nationale des Missions Locales",
    ),
    DemoAccount(
        "jerome.paris@orientations-e2c.exemple.fr",
        "Jérôme",
        "Pâris",
        Role.ADMINISTRATOR,
        "unml",
        "Union nationale des Missions Locales",
    ),
)

# People acting for two organisations: they pick one in the header.
DEMO_SECOND_MEMBERSHIPS: tuple[tuple[str, str, Role], ...] = (
    ("helene.garcon@e2c-lyon.exemple.fr", "e2c-venissieux", Role.E2C_STAFF),
)

# (E2C site, partner, partner's correspondent e-mail, E2C contact e-mail)
DEMO_CORRESPONDENTS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("e2c-venissieux", "ml-lyon", "amelie.lefevre@ml-lyon.exemple.fr", "chloe.ndiaye@e2c-lyon.exemple.fr"),
    (
        "e2c-venissieux",
        "ft-lyon",
        "francois.dubois-martin@francetravail.exemple.fr",
        "chloe.ndiaye@e2c-lyon.exemple.fr",
    ),
    ("e2c-lyon-8", "ml-villeurbanne", None, "helene.garcon@e2c-lyon.exemple.fr"),
    ("e2c-lille", "ml-lille", "yasmine.belkacem@ml-lille.exemple.fr", None),
)


def demo_siret(index: int) -> str:
    """A fictitious SIRET with a valid Luhn key (prefix 999, not used by INSEE's SIREN ranges)."""
    base = f"999{index:010d}"
    return next(base + str(key) for key in range(10) if luhn_is_valid(base + str(key)))


def database_is_empty() -> bool:
    return not User.objects.exists() and not Organisation.objects.exists()


@transaction.atomic
def load_demo_data() -> list[DemoAccount]:
    """Create the demo network and accounts in one transaction; returns the accounts."""
    organisations: dict[str, Organisation] = {}
    for index, item in enumerate(DEMO_ORGANISATIONS, start=1):
        organisations[item.key] = organisation_create(
            actor=None,
            data=OrganisationData(
                name=item.name,
                kind=item.kind,
                siret=demo_siret(index),
                address=f"{index} rue de la République",
                postcode=item.postcode,
                commune=item.commune,
                departement_code=item.departement,
                phone=f"04 72 00 00 {index:02d}",
                email=f"contact@{item.key}.exemple.fr",
                parent=organisations[item.parent] if item.parent else None,
            ),
        )
    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.create_user(
            account.email,
            DEMO_PASSWORD,
            first_name=account.first_name,
            last_name=account.last_name,
            is_staff=account.role == Role.ADMINISTRATOR,
            is_superuser=account.role == Role.ADMINISTRATOR,
        )
        users[account.email] = user
        membership_add(actor=None, user=user, organisation=organisations[account.organisation], role=account.role)
    for email, key, role in DEMO_SECOND_MEMBERSHIPS:
        membership_add(actor=None, user=users[email], organisation=organisations[key], role=role)

    def actor(email: str) -> Actor:
        membership = Membership.objects.select_related("organisation").filter(user=users[email]).earliest("created_at")
        return Actor(user=users[email], membership=membership)

    administrator = actor("jerome.paris@orientations-e2c.exemple.fr")
    for site, partner, correspondent, contact in DEMO_CORRESPONDENTS:
        correspondent_create(
            actor=administrator,
            e2c_site=organisations[site],
            partner=organisations[partner],
            partner_correspondent=users.get(correspondent or ""),
            e2c_contact=users.get(contact or ""),
        )
    _load_agreements(organisations, actor)
    _load_young_people(organisations, actor)
    _load_referrals(organisations, actor)
    _load_immersions(organisations, actor)
    _load_two_factor_devices(users)
    return list(DEMO_ACCOUNTS)


def _load_two_factor_devices(users: dict[str, User]) -> None:
    """The demo accounts whose role requires a code get a device with the public demo secret (demo/totp.py)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.totp import DEMO_TOTP_KEY_HEX
    from partners.services.two_factor import DEVICE_NAME, two_factor_required

    for user in users.values():
        if two_factor_required(user):
            TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True)


def _load_agreements(organisations: dict[str, Organisation], actor: Callable[[str], Actor]) -> None:
    """The two national agreements of the founding documents, their regional and local versions."""
    committee = actor("zoe.lambert-dupre@unml.exemple.fr")
    accord = agreement_create(
        actor=committee,
        data=AgreementData(
            title="Accord-cadre de partenariat UNML × Réseau E2C France 2022-2024",
            framework=AgreementFramework.UNML_E2C,
            level=AgreementLevel.NATIONAL,
            signed_on=datetime.date(2022, 6, 29),  # « Fait à Albertville, le 29 juin 2022 »
            starts_on=datetime.date(2022, 6, 29),
            parties=[organisations["unml"], organisations["reseau-e2c"]],
        ),
    )
    amendment_create(
        actor=committee,
        agreement=accord,
        signed_on=datetime.date(2025, 5, 15),
        new_end_on=datetime.date(2028, 6, 28),
        summary="Reconduction de l'accord-cadre pour trois ans.",
    )
    agreement_create(
        actor=committee,
        data=AgreementData(
            title="Accord-cadre national Réseau E2C France × Pôle emploi",
            framework=AgreementFramework.E2C_FRANCE_TRAVAIL,
            level=AgreementLevel.NATIONAL,
            signed_on=datetime.date(2018, 9, 27),
            starts_on=datetime.date(2018, 9, 27),
            parties=[organisations["reseau-e2c"]],
        ),
    )
    agreement_create(
        actor=actor("noel.berard@arml-aura.exemple.fr"),
        data=AgreementData(
            title="Déclinaison régionale Auvergne-Rhône-Alpes de l'accord-cadre UNML × E2C",
            framework=AgreementFramework.UNML_E2C,
            level=AgreementLevel.REGIONAL,
            parent=accord,
            region=organisations["arml-ara"].region,
            signed_on=datetime.date(2023, 1, 20),
            starts_on=datetime.date(2023, 2, 1),
            parties=[organisations["arml-ara"], organisations["e2c-ara"]],
        ),
    )
    manager = actor("helene.garcon@e2c-lyon.exemple.fr")
    agreement_create(
        actor=manager,
        data=AgreementData(
            title="Convention locale Mission Locale de Lyon × École de la 2e Chance Lyon Métropole",
            framework=AgreementFramework.UNML_E2C,
            level=AgreementLevel.LOCAL,
            parent=accord,
            region=organisations["e2c-lyon"].region,
            signed_on=datetime.date(2024, 3, 12),
            starts_on=datetime.date(2024, 4, 1),
            parties=[organisations["ml-lyon"], organisations["e2c-lyon"]],
        ),
    )
    for ml, site, level, assessed_on, notes in (
        (
            "ml-lyon",
            "e2c-venissieux",
            CollaborationLevel.FORMALISED,
            datetime.date(2025, 10, 1),
            "Informations collectives « à quatre mains » chaque mois ; points de suivi réguliers.",
        ),
        (
            "ml-villeurbanne",
            "e2c-lyon-8",
            CollaborationLevel.OCCASIONAL,
            datetime.date(2025, 9, 15),
            "Orientations ponctuelles ; pas encore de correspondant désigné côté Mission Locale.",
        ),
    ):
        diagnostic_create(
            actor=manager if site != "e2c-lyon-8" else actor("noel.berard@arml-aura.exemple.fr"),
            mission_locale=organisations[ml],
            e2c_site=organisations[site],
            collaboration=level,
            assessed_on=assessed_on,
            notes=notes,
        )


# (last name, first name, age in years, extra fields): files of Amélie Lefèvre's young people.
DEMO_YOUNG_PEOPLE: tuple[tuple[str, str, int, dict[str, object]], ...] = (
    ("N'Diaye", "Moussa", 19, {"lives_in_qpv": True, "last_class": "3e", "imilo_number": "4521789"}),
    ("Lefèvre-Martin", "Éloïse", 17, {"last_class": "2de professionnelle", "imilo_number": "4521790"}),
    ("Da Silva", "João", 22, {"qualification_level": "3", "last_class": "CAP cuisine (non obtenu)"}),
    ("de La Fontaine", "Inès", 24, {"has_rqth": True, "imilo_number": "4521792"}),
    ("Benali", "Yanis", 20, {"lives_in_qpv": True}),
)


def _load_young_people(organisations: dict[str, Organisation], actor: Callable[[str], Actor]) -> None:
    """A few files for the ML Lyon adviser: one with a consent for the Vénissieux site, reviews."""
    adviser = actor("amelie.lefevre@ml-lyon.exemple.fr")
    today = timezone.localdate()
    files = []
    for index, (last_name, first_name, age, extra) in enumerate(DEMO_YOUNG_PEOPLE):
        birth_date = today - relativedelta(years=age, months=3, days=index * 11)
        files.append(
            young_person_create(
                actor=adviser,
                data=YoungPersonData(
                    last_name=last_name,
                    first_name=first_name,
                    birth_date=birth_date,
                    phone=f"06 12 34 56 {index:02d}",
                    email=f"jeune{index}@exemple.fr",
                    postcode="69008",
                    commune="Lyon",
                    departement_code="69",
                    left_school_on=birth_date + relativedelta(years=16, months=6),
                    **extra,  # type: ignore[arg-type]
                ),
            )
        )
    consent_record(
        actor=adviser,
        young_person=files[0],
        e2c_site=organisations["e2c-venissieux"],
        shared_data=[SharedData.IDENTITY, SharedData.CONTACT, SharedData.SITUATION, SharedData.DIAGNOSTIC],
        given_on=today - datetime.timedelta(days=10),
        method=ConsentMethod.ORAL,
        attestation="Notice d'information remise et expliquée ; Moussa accepte le partage avec l'E2C de Vénissieux.",
    )
    follow_up_schedule(actor=adviser, young_person=files[0], scheduled_on=today + datetime.timedelta(days=14))
    # Moussa's CEJ started five months ago; João's ends within the month (on the adviser's home).
    for young_person, started_months_ago in ((files[0], 5), (files[2], 11)):
        starts_on = today - relativedelta(months=started_months_ago)
        cej_create(
            actor=adviser,
            young_person=young_person,
            data=CejData(
                signed_on=starts_on,
                starts_on=starts_on,
                planned_end_on=starts_on + relativedelta(months=12) - datetime.timedelta(days=1),
                weekly_hours=15,
                allowance_category=AllowanceCategory.ADULT_NON_TAXABLE,
                activity_plan="Ateliers collectifs le lundi, immersion en entreprise, préparation à l'E2C.",
            ),
        )
    # A review planned three weeks ago and never recorded: it shows as overdue on the adviser's home.
    follow_up_schedule(actor=adviser, young_person=files[1], scheduled_on=today - datetime.timedelta(days=21))


# One referral in every state, each for its own young person of the ML Lyon, to the Vénissieux site.
DEMO_REFERRAL_PATHS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Moreau", "Lina", ("draft",)),
    ("Haddad", "Nassim", ("sent",)),
    ("Girard", "Manon", ("sent", "acknowledged")),
    ("Traoré", "Awa", ("sent", "acknowledged", "invited")),
    ("Petit", "Kylian", ("sent", "acknowledged", "invited", "attended")),
    ("Rousseau", "Léna", ("sent", "acknowledged", "invited", "attended", "interview")),
    ("Fernandes", "Enzo", ("sent", "acknowledged", "invited", "attended", "interview", "integration")),
    ("Mercier", "Chaïma", ("sent", "acknowledged", "invited", "attended", "interview", "integration", "enrolled")),
    (
        "Lambert",
        "Théo",
        ("sent", "acknowledged", "invited", "attended", "interview", "integration", "enrolled", "exited"),
    ),
    ("Bonnet", "Sarah", ("sent", "acknowledged", "not_admitted")),
    ("Faure", "Ibrahim", ("sent", "acknowledged", "invited", "no_show")),
    ("Chevalier", "Jade", ("sent", "acknowledged", "invited", "attended", "withdrawn")),
    ("Robin", "Adam", ("sent", "cancelled")),
)


def _load_referrals(organisations: dict[str, Organisation], actor: Callable[[str], Actor]) -> None:
    adviser = actor("amelie.lefevre@ml-lyon.exemple.fr")
    staff = actor("chloe.ndiaye@e2c-lyon.exemple.fr")
    site = organisations["e2c-venissieux"]
    today = timezone.localdate()
    data_for: dict[str, TransitionData] = {
        ReferralStatus.NOT_ADMITTED: TransitionData(
            not_admitted_reason=NotAdmittedReason.PROJECT, reason="Projet à consolider avec la Mission Locale."
        ),
        ReferralStatus.WITHDRAWN: TransitionData(reason="A trouvé un emploi saisonnier."),
        ReferralStatus.CANCELLED: TransitionData(reason="Orientation vers un autre dispositif."),
        ReferralStatus.INTEGRATION: TransitionData(
            integration_starts_on=today - datetime.timedelta(days=14),
            integration_planned_end_on=today + datetime.timedelta(days=14),
        ),
        ReferralStatus.ENROLLED: TransitionData(enrolled_on=today - datetime.timedelta(days=1)),
        ReferralStatus.EXITED: TransitionData(
            exited_on=today, exit_outcome=ExitOutcome.APPRENTICESHIP, skills_certificate_issued=True
        ),
    }
    coming, held = _load_sessions(organisations, adviser=adviser, staff=staff)
    for index, (last_name, first_name, path) in enumerate(DEMO_REFERRAL_PATHS):
        birth_date = today - relativedelta(years=18 + index % 7, months=index)
        young_person = young_person_create(
            actor=adviser,
            data=YoungPersonData(
                last_name=last_name,
                first_name=first_name,
                birth_date=birth_date,
                departement_code="69",
                commune="Vénissieux",
                postcode="69200",
                phone=f"07 00 00 00 {index:02d}",
                left_school_on=birth_date + relativedelta(years=16, months=8),
            ),
        )
        consent_record(
            actor=adviser,
            young_person=young_person,
            e2c_site=site,
            shared_data=[SharedData.IDENTITY, SharedData.CONTACT, SharedData.SITUATION, SharedData.DIAGNOSTIC],
            given_on=today - datetime.timedelta(days=30),
            method=ConsentMethod.ORAL,
            attestation="Notice d'information remise ; accord pour le partage avec l'E2C de Vénissieux.",
        )
        referral = referral_create(
            actor=adviser,
            young_person=young_person,
            data=ReferralData(
                e2c_site=site,
                diagnostic="Sorti(e) du système scolaire sans diplôme ; a besoin d'un cadre pour construire un projet.",
                motivation="Souhaite découvrir des métiers et se remettre à niveau en français et en maths.",
            ),
        )
        for to in path[1:] if path[0] == "draft" else path:
            by = adviser if to in (ReferralStatus.SENT, ReferralStatus.CANCELLED) else staff
            if to == ReferralStatus.INVITED:  # an invitation is a seat in a session
                registration_create(actor=by, session=coming if path[-1] == to else held, referral=referral)
                continue
            referral_transition(actor=by, referral=referral, to=to, data=data_for.get(to))
        _age_demo_referral(referral, days=10 if last_name == "Haddad" else 3 + 2 * index)
    _close_demo_session(held, staff=staff)


def _session_data(
    starts_at: datetime.datetime,
    *,
    kind: str = SessionKind.INFORMATION,
    capacity: int = 12,
    venue: str = SessionVenue.E2C_SITE,
    venue_organisation: Organisation | None = None,
    address: str = "18 avenue Jean Jaurès, 69200 Vénissieux",
    co_hosts: tuple[User, ...] = (),
) -> SessionData:
    return SessionData(
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2, minutes=30),
        venue=venue,
        venue_organisation=venue_organisation,
        address=address,
        capacity=capacity,
        registration_deadline=timezone.localtime(starts_at).date() - datetime.timedelta(days=1),
        co_hosts=co_hosts,
    )


def _load_sessions(
    organisations: dict[str, Organisation], *, adviser: Actor, staff: Actor
) -> tuple[InformationSession, InformationSession]:
    """Vénissieux's sessions: one next week, a joint one at the ML in three weeks, one held last
    week (its registrations are made while it is still ahead, then it is moved to the past)."""
    site = organisations["e2c-venissieux"]
    today = timezone.localtime()
    at_two = today.replace(hour=14, minute=0, second=0, microsecond=0)
    coming = session_create(actor=staff, site=site, data=_session_data(at_two + datetime.timedelta(days=7)))
    session_create(
        actor=staff,
        site=site,
        data=_session_data(
            at_two + datetime.timedelta(days=21),
            kind=SessionKind.JOINT,
            capacity=15,
            venue=SessionVenue.PARTNER,
            venue_organisation=organisations["ml-lyon"],
            address="3 rue de la République, 69002 Lyon",
            co_hosts=(adviser.user, staff.user),
        ),
    )
    held = session_create(actor=staff, site=site, data=_session_data(at_two + datetime.timedelta(days=2)))
    return coming, held


def _close_demo_session(session: InformationSession, *, staff: Actor) -> None:
    """The session registered into above took place ten days ago: its dates are moved into the past
    (demo only), then the site closes it as it would, through the attendance service (every seat's
    attendance was noted when its referral moved on, so no mark is left to give)."""
    starts_at = session.starts_at - datetime.timedelta(days=12)
    InformationSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2, minutes=30),
        registration_deadline=timezone.localtime(starts_at).date() - datetime.timedelta(days=1),
    )
    session.refresh_from_db()
    attendance_record(actor=staff, session=session, marks={})


def _load_immersions(organisations: dict[str, Organisation], actor: Callable[[str], Actor]) -> None:
    adviser = actor("amelie.lefevre@ml-lyon.exemple.fr")
    today = timezone.localdate()
    immersion_record(
        actor=adviser,
        data=ImmersionData(
            host_organisation=organisations["e2c-venissieux"],
            starts_on=today - datetime.timedelta(days=40),
            ends_on=today - datetime.timedelta(days=39),
            participants=[adviser.user],
            host_contacts="Chloé Ndiaye (chargée de recrutement)",
            notes="Deux jours avec l'équipe : information collective, entretiens, atelier remise à niveau.",
        ),
    )


def _age_demo_referral(referral: Referral, *, days: int) -> None:
    """Demo only: spread the referral's history over past days, so the inbox shows ages and delays."""
    transitions = list(referral.transitions.order_by("id"))
    if not transitions:
        return
    start = timezone.now() - datetime.timedelta(days=days)
    step = datetime.timedelta(days=days) / (len(transitions) + 1)
    for position, transition in enumerate(transitions):
        ReferralTransition.objects.filter(pk=transition.pk).update(created_at=start + step * position)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=start, status_changed_at=start + step * (len(transitions) - 1)
    )
