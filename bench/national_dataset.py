"""A national dataset for the reporting dashboard and its benchmark (``bench.reporting_dashboard``).

    .venv/bin/python -m bench.generate_national_dataset [--young-people 1500000] [--referrals 300000]
                                                        [--seed 2026] [--workers 0] [--force]

Tooling, not the application: no production module imports it (``bench/`` is not installed in the
image). Measure it in a database of its own (see ``bench/reporting_dashboard.py``), never the
development one.

Reproducible with a seed: the same parameters (and the same day) give the same organisations, young
people, referrals and timelines, whether one process or two build the rows. Young people come from
``bench.search_young_people`` (the same COPY loader as the search benchmark); referrals, their
transitions, hand-backs, CEJ contracts, information sessions and registrations are COPY'd here, adviser
immersions bulk-inserted.

Information sessions: each E2C site holds one a week (its own weekday, 9:30); an invited referral is
registered to its site's first session after the invitation's delay, present or absent there as its next
move says, attendance recorded 3 hours after the start (a referral still invited holds a pending seat in
a session to come). About 20 % of sessions are joint ones, co-hosted by a Mission Locale of the site's
département, half of them at its premises. Immersions: 1 to 4 per site and year, both ways.

Referrals follow the declared workflow: each step happens after a plausible delay, or the referral
leaves the path (not admitted, withdrawn, no-show, cancelled); a step whose date would be in the
future is not taken, so recent referrals are still in progress. About 60 % of exits are positive.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from bench import search_young_people
from bench.search_young_people import (
    Plan,
    Population,
    copy_planned_young_people,
    default_workers,
    indexes_rebuilt_after,
    prepare_young_people,
    random_uuid,
    user_triggers_disabled,
    worker_pool,
    young_people_rows,
)
from cej.models import YoungPerson
from e2c_referrals.enums import (
    POSITIVE_OUTCOMES,
    ExitOutcome,
    ImmersionDirection,
    ReferralStatus,
    SessionKind,
    SessionStatus,
    SessionVenue,
)
from e2c_referrals.models import (
    AdviserImmersion,
    HandBack,
    InformationSession,
    Referral,
    ReferralTransition,
    SessionRegistration,
)
from e2c_referrals.services.hand_backs import hand_back_reason
from partners.enums import AgreementFramework, AgreementLevel, OrganisationKind, Role
from partners.models import Agreement, Departement, Membership, Organisation, Region, User
from partners.text import sort_key
from reporting.services.facts import refresh_facts

S = ReferralStatus
NULL = "\\N"
EMAIL_DOMAIN = "jeu-national.exemple.fr"
NATIONAL_MEMBER_EMAIL = f"comite.national@{EMAIL_DOMAIN}"
YEARS = 5


@dataclasses.dataclass(frozen=True)
class Sizes:
    young_people: int = 1_500_000
    referrals: int = 300_000
    missions_locales: int = 434
    france_travail_agencies: int = 100
    e2c_regions: int = 12
    e2c_schools: int = 55
    e2c_sites: int = 150
    positive_exit_share: float = 0.6


@dataclasses.dataclass
class Network:
    national: list[Organisation]
    armls: dict[str, Organisation]  # région code → ARML
    coordinations: dict[str, Organisation]  # région code → E2C regional coordination
    missions_locales: list[Organisation]
    agencies: list[Organisation]
    schools: list[Organisation]
    sites: list[Organisation]
    member: dict[int, int]  # organisation id → the user acting for it (adviser, staff, coordinator)


def database_is_empty() -> bool:
    return not (Organisation.objects.exists() or YoungPerson.objects.exists() or Referral.objects.exists())


def empty_database() -> None:
    """``--force``: remove what a previous run (or anyone) put in the tables this generator fills."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key check may block TRUNCATE
        cursor.execute(
            "TRUNCATE e2c_referrals_referral, cej_youngperson, partners_membership, partners_agreement, "
            "partners_organisation, partners_user RESTART IDENTITY CASCADE"
        )


def generate(*, sizes: Sizes, seed: int, log: Any = print, workers: int = 0) -> dict[str, int]:
    """Fill the (empty) database; return the row counts. Runs in one transaction, then VACUUM ANALYZE.

    Two processes build the rows of a big load (``workers``, 0: as many as is worth it) while this one
    copies them: the young people first, then the referrals' rows are built while PostgreSQL rebuilds
    the young people's indexes. Each chunk of rows has its own random generator (derived from the seed
    and the chunk), so the data is the same whatever the number of processes.
    """
    global _plan
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    # User triggers (the change history's) off for the whole load, ORM inserts included.
    with transaction.atomic(), connection.cursor() as cursor, user_triggers_disabled(cursor):
        network = create_network(sizes=sizes, rng=rng)
        log(f"{Organisation.objects.count()} organisations, {User.objects.count()} users ({_since(started)})")
        create_agreements(network=network, rng=rng)
        population = Population(rows=sizes.young_people, organisations=network.missions_locales, seed=seed)
        young_people = prepare_young_people(population)
        _plan = plan_referrals(network=network, sizes=sizes, young_people=young_people, seed=seed, rng=rng)
        search_young_people._plan = young_people
        try:
            with worker_pool(workers or default_workers(sizes.young_people)) as pool:
                # Queued in this order: the young people's chunks first, the referrals' after them.
                young_people_chunks = pool.imap(young_people_rows, young_people.chunks())
                referral_parts = pool.map_async(referral_rows, _plan.chunks())
                copy_planned_young_people(young_people, young_people_chunks)
                log(f"{sizes.young_people:,} young people ({_since(started)})")
                parts = referral_parts.get()
            log(f"referrals' rows built ({_since(started)})")
            counts = copy_referrals(_plan, parts)
        finally:
            _plan = search_young_people._plan = None
        log(f"{counts['referrals']:,} referrals, {counts['transitions']:,} transitions ({_since(started)})")
        counts |= copy_sessions(network=network, parts=parts, now=young_people.now)
        counts |= create_immersions(network=network, seed=seed, today=young_people.today)
        log(
            f"{counts['sessions']:,} information sessions, {counts['registrations']:,} registrations, "
            f"{counts['immersions']:,} immersions ({_since(started)})"
        )
        refresh_facts()
        log(f"indicators' summary table built ({_since(started)})")
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for table in (
                "cej_youngperson",
                "cej_cejcontract",
                "e2c_referrals_referral",
                "e2c_referrals_referraltransition",
                "e2c_referrals_handback",
                "e2c_referrals_informationsession",
                "e2c_referrals_sessionregistration",
                "e2c_referrals_adviserimmersion",
                "partners_organisation",
                "partners_user",
                "reporting_referralfact",
                "reporting_handbackfact",
            ):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        log(f"analysed ({_since(started)})")
    return counts


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


# --- Organisations and their members ------------------------------------------------------------


def _organisation(name: str, kind: str, departement: Departement, parent: Organisation | None = None) -> Organisation:
    return Organisation(
        name=name,
        sort_name=sort_key(name),
        kind=kind,
        departement=departement,
        region_id=departement.region_id,
        commune=departement.name,
        parent=parent,
    )


def _spread(count: int, buckets: Sequence[Any], rng: random.Random) -> list[Any]:
    """``count`` picks over ``buckets``: each bucket at least once (while count allows), the rest at random."""
    picks = list(buckets[:count])
    picks += [rng.choice(buckets) for _ in range(count - len(picks))]
    return picks


def create_network(*, sizes: Sizes, rng: random.Random) -> Network:
    regions = list(Region.objects.order_by("code"))
    departements = list(Departement.objects.order_by("code"))
    by_region: dict[str, list[Departement]] = defaultdict(list)
    for departement in departements:
        by_region[departement.region_id].append(departement)
    paris = next(d for d in departements if d.code == "75")

    national = Organisation.objects.bulk_create(
        [
            _organisation("Union nationale des Missions Locales", OrganisationKind.NATIONAL, paris),
            _organisation("Réseau E2C France", OrganisationKind.NATIONAL, paris),
        ]
    )
    armls = dict(
        zip(
            [r.code for r in regions],
            Organisation.objects.bulk_create(
                [_organisation(f"ARML {r.name}", OrganisationKind.ARML, by_region[r.code][0]) for r in regions]
            ),
            strict=True,
        )
    )
    e2c_regions = sorted(rng.sample([r.code for r in regions], min(sizes.e2c_regions, len(regions))))
    names = {r.code: r.name for r in regions}
    coordinations = dict(
        zip(
            e2c_regions,
            Organisation.objects.bulk_create(
                [
                    _organisation(f"Coordination E2C {names[code]}", OrganisationKind.E2C_REGIONAL, by_region[code][0])
                    for code in e2c_regions
                ]
            ),
            strict=True,
        )
    )
    ml_departements = _spread(sizes.missions_locales, departements, rng)
    missions_locales = Organisation.objects.bulk_create(
        [
            _organisation(
                f"Mission Locale {departement.name} n°{number + 1}",
                OrganisationKind.MISSION_LOCALE,
                departement,
                parent=armls[departement.region_id],
            )
            for number, departement in enumerate(ml_departements)
        ]
    )
    agencies = Organisation.objects.bulk_create(
        [
            _organisation(
                f"France Travail {departement.name} n°{number + 1}", OrganisationKind.FRANCE_TRAVAIL, departement
            )
            for number, departement in enumerate(_spread(sizes.france_travail_agencies, departements, rng))
        ]
    )
    e2c_departements = [d for code in e2c_regions for d in by_region[code]]
    school_departements = _spread(sizes.e2c_schools, e2c_departements, rng)
    schools = Organisation.objects.bulk_create(
        [
            _organisation(
                f"École de la 2e Chance {departement.name} n°{number + 1}",
                OrganisationKind.E2C_SCHOOL,
                departement,
                parent=coordinations[departement.region_id],
            )
            for number, departement in enumerate(school_departements)
        ]
    )
    site_schools = _spread(sizes.e2c_sites, schools, rng)
    by_code = {d.code: d for d in departements}
    sites = Organisation.objects.bulk_create(
        [
            _organisation(
                f"E2C {school.departement.name} — site n°{number + 1}",
                OrganisationKind.E2C_SITE,
                # Most sites in their school's département, some in a neighbouring one of the région.
                by_code[school.departement_id] if rng.random() < 0.75 else rng.choice(by_region[school.region_id]),
                parent=school,
            )
            for number, school in enumerate(site_schools)
        ]
    )
    network = Network(
        national=national,
        armls=armls,
        coordinations=coordinations,
        missions_locales=missions_locales,
        agencies=agencies,
        schools=schools,
        sites=sites,
        member={},
    )
    create_members(network)
    return network


def create_members(network: Network) -> None:
    """One account per organisation, in its role (unusable password: the bench signs in with force_login)."""
    password = make_password(None)
    placements: list[tuple[Organisation, str, str]] = [
        (network.national[0], Role.NATIONAL_COMMITTEE, NATIONAL_MEMBER_EMAIL),
        (network.national[1], Role.NATIONAL_COMMITTEE, f"comite.reseau-e2c@{EMAIL_DOMAIN}"),
    ]
    placements += [
        (o, Role.REGIONAL_COORDINATOR, f"coordination.{o.region_id}@{EMAIL_DOMAIN}") for o in network.armls.values()
    ]
    placements += [
        (o, Role.REGIONAL_COORDINATOR, f"coordination-e2c.{o.region_id}@{EMAIL_DOMAIN}")
        for o in network.coordinations.values()
    ]
    placements += [(o, Role.ADVISER, f"conseiller.{o.pk}@{EMAIL_DOMAIN}") for o in network.missions_locales]
    placements += [(o, Role.ADVISER, f"conseiller.{o.pk}@{EMAIL_DOMAIN}") for o in network.agencies]
    placements += [(o, Role.MANAGER, f"direction.{o.pk}@{EMAIL_DOMAIN}") for o in network.schools]
    placements += [(o, Role.E2C_STAFF, f"equipe.{o.pk}@{EMAIL_DOMAIN}") for o in network.sites]
    users = User.objects.bulk_create(
        [
            User(email=email, first_name="Compte", last_name=f"Jeu national {number}", password=password)
            for number, (_o, _role, email) in enumerate(placements)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, organisation=organisation, role=role)
            for user, (organisation, role, _email) in zip(users, placements, strict=True)
        ]
    )
    network.member = {organisation.pk: user.pk for user, (organisation, _r, _e) in zip(users, placements, strict=True)}


def create_agreements(*, network: Network, rng: random.Random) -> None:
    """The national framework agreement, its regional versions, and local versions ML × E2C site."""
    today = timezone.localdate()
    start = today.replace(year=today.year - 2, month=1, day=1)
    end = start.replace(year=start.year + 3) - datetime.timedelta(days=1)
    national = Agreement.objects.create(
        title="Accord-cadre UNML × Réseau E2C France",
        framework=AgreementFramework.UNML_E2C,
        level=AgreementLevel.NATIONAL,
        signed_on=start,
        starts_on=start,
        ends_on=end,
    )
    national.parties.set(network.national)
    regional = Agreement.objects.bulk_create(
        [
            Agreement(
                title=f"Déclinaison régionale {code}",
                framework=AgreementFramework.UNML_E2C,
                level=AgreementLevel.REGIONAL,
                parent=national,
                region_id=code,
                signed_on=start + datetime.timedelta(days=90),
                starts_on=start + datetime.timedelta(days=90),
                ends_on=end,
            )
            for code in network.coordinations
        ]
    )
    Through = Agreement.parties.through
    links = [
        Through(agreement_id=agreement.pk, organisation_id=organisation.pk)
        for agreement, code in zip(regional, network.coordinations, strict=True)
        for organisation in (network.armls[code], network.coordinations[code])
    ]
    sites_by_region: dict[str, list[Organisation]] = defaultdict(list)
    for site in network.sites:
        sites_by_region[site.region_id or ""].append(site)
    local_pairs = [
        (ml, rng.choice(sites_by_region[ml.region_id or ""]))
        for ml in network.missions_locales
        if sites_by_region[ml.region_id or ""] and rng.random() < 0.4
    ]
    local = Agreement.objects.bulk_create(
        [
            Agreement(
                title=f"Déclinaison locale {ml.pk} × {site.pk}",
                framework=AgreementFramework.UNML_E2C,
                level=AgreementLevel.LOCAL,
                parent=national,
                region_id=ml.region_id,
                signed_on=start + datetime.timedelta(days=rng.randrange(120, 700)),
                starts_on=start + datetime.timedelta(days=rng.randrange(120, 700)),
                ends_on=end,
            )
            for ml, site in local_pairs
        ]
    )
    links += [
        Through(agreement_id=agreement.pk, organisation_id=organisation.pk)
        for agreement, pair in zip(local, local_pairs, strict=True)
        for organisation in pair
    ]
    Through.objects.bulk_create(links)


# --- Referrals ----------------------------------------------------------------------------------

# Next steps from each state: (probability, next state, median delay in days). The rest of the
# probability: the referral stays where it is (only for states that may stay open for long).
PATHS: dict[str, list[tuple[float, str, float]]] = {
    S.SENT: [(0.90, S.ACKNOWLEDGED, 3), (0.05, S.WITHDRAWN, 10), (0.05, S.CANCELLED, 7)],
    S.ACKNOWLEDGED: [(0.86, S.INVITED, 6), (0.07, S.NOT_ADMITTED, 5), (0.07, S.WITHDRAWN, 12)],
    S.INVITED: [(0.76, S.ATTENDED, 10), (0.24, S.NO_SHOW, 10)],
    S.NO_SHOW: [(0.35, S.INVITED, 7), (0.45, S.WITHDRAWN, 20)],
    S.ATTENDED: [(0.86, S.INTERVIEW, 3), (0.08, S.NOT_ADMITTED, 4), (0.06, S.WITHDRAWN, 8)],
    S.INTERVIEW: [(0.82, S.INTEGRATION, 9), (0.10, S.NOT_ADMITTED, 5), (0.08, S.WITHDRAWN, 8)],
    S.INTEGRATION: [(0.86, S.ENROLLED, 28), (0.07, S.NOT_ADMITTED, 25), (0.07, S.WITHDRAWN, 15)],
    S.ENROLLED: [(1.0, S.EXITED, 195)],
}
REFERRER_MOVES = frozenset({S.SENT, S.CANCELLED})
POSITIVE = [
    (ExitOutcome.CDI, 10),
    (ExitOutcome.CDD_LONG, 9),
    (ExitOutcome.CDD_SHORT, 9),
    (ExitOutcome.TEMPORARY, 6),
    (ExitOutcome.APPRENTICESHIP, 17),
    (ExitOutcome.PROFESSIONALISATION, 6),
    (ExitOutcome.QUALIFYING_TRAINING, 22),
    (ExitOutcome.BUSINESS_CREATION, 1),
]
NEGATIVE = [
    (ExitOutcome.NO_SOLUTION, 14),
    (ExitOutcome.OTHER_TRAINING, 6),
    (ExitOutcome.DROP_OUT, 12),
    (ExitOutcome.EXCLUSION, 3),
    (ExitOutcome.MOVED, 3),
    (ExitOutcome.HEALTH, 3),
]
assert {o for o, _ in POSITIVE} == POSITIVE_OUTCOMES  # noqa: S101 (a table kept in step with the enum)


def _delay(rng: random.Random, median_days: float) -> datetime.timedelta:
    """Log-normal delay around ``median_days`` (a long tail: some files wait much longer)."""
    return datetime.timedelta(days=median_days * rng.lognormvariate(0, 0.55), seconds=rng.randrange(3600))


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def _line(values: Iterable[object]) -> str:
    return "\t".join(NULL if value is None else str(value) for value in values)


def _columns(model: Any) -> list[str]:
    return [str(field.column) for field in model._meta.concrete_fields]


def _check_columns(model: Any, columns: Sequence[str]) -> None:
    expected = set(_columns(model))
    if expected != set(columns):
        raise SystemExit(
            f"{model.__name__}'s columns changed: update bench.national_dataset "
            f"(missing: {sorted(expected - set(columns))}, unknown: {sorted(set(columns) - expected)})."
        )


REFERRAL_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "public_id",
    "young_person_id",
    "referring_organisation_id",
    "referring_adviser_id",
    "e2c_site_id",
    "status",
    "status_changed_at",
    "sent_at",
    "diagnostic",
    "motivation",
    "cej_contract_id",
    "consent_id",
    "not_admitted_reason",
    "integration_starts_on",
    "integration_planned_end_on",
    "enrolled_on",
    "exited_on",
    "exit_outcome",
    "skills_certificate_issued",
]
TRANSITION_COLUMNS = [  # ids from the sequence
    "referral_id",
    "created_at",
    "from_status",
    "to_status",
    "actor_id",
    "actor_organisation_id",
    "reason",
]
HAND_BACK_COLUMNS = [  # ids from the sequence
    "created_at",
    "updated_at",
    "public_id",
    "referral_id",
    "organisation_id",
    "assignee_id",
    "reason",
    "handled_at",
    "handled_by_id",
    "follow_up_note",
]
CEJ_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "public_id",
    "organisation_id",
    "referent_id",
    "signed_on",
    "starts_on",
    "planned_end_on",
    "ended_on",
    "status",
    "end_reason",
    "created_by_id",
    "young_person_id",
    "weekly_hours",
    "allowance_category",
    "activity_plan",
]


REGISTRATION_COLUMNS = [
    "public_id",
    "session_id",
    "referral_id",
    "status",
    "attendance",
    "registered_by_id",
    "created_at",
    "status_changed_at",
    "withdrawn_reason",
]
SESSION_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "public_id",
    "e2c_site_id",
    "kind",
    "starts_at",
    "ends_at",
    "venue",
    "venue_organisation_id",
    "address",
    "capacity",
    "registration_deadline",
    "status",
    "cancellation_reason",
    "sequence",
    "created_by_id",
]
REFERRALS_CHUNK = 20_000
PARIS = ZoneInfo("Europe/Paris")
# Each E2C site holds its information session every week, on its own weekday, at 9:30. A session's id
# is derived from its site and week (site slot × SESSION_ID_WEEKS + week), so the processes building
# the referrals' rows register young people to the same sessions without asking each other.
SESSION_ID_WEEKS = 100_000
FIRST_MONDAY = datetime.date(2000, 1, 3).toordinal()
SESSION_TIME = datetime.time(9, 30)
SESSION_LENGTH = datetime.timedelta(hours=2, minutes=30)
ATTENDANCE_RECORDED_AFTER = datetime.timedelta(hours=3)
JOINT_SHARE = 0.2  # sessions co-hosted « à quatre mains » with a Mission Locale


def session_start(slot: int, week: int) -> datetime.datetime:
    day = datetime.date.fromordinal(FIRST_MONDAY + week * 7 + slot % 5)
    return datetime.datetime.combine(day, SESSION_TIME, PARIS)


def session_after(slot: int, moment: datetime.datetime) -> tuple[int, datetime.datetime]:
    """The site's first session starting at or after ``moment``: its id and its start."""
    week = (moment.astimezone(PARIS).date().toordinal() - FIRST_MONDAY) // 7
    start = session_start(slot, week)
    if start < moment:
        week += 1
        start = session_start(slot, week)
    return slot * SESSION_ID_WEEKS + week, start


@dataclasses.dataclass(frozen=True)
class ReferralPlan:
    """What the referrals' rows are built from (plain values: read by forked workers, see ``Plan``)."""

    seed: int
    now: datetime.datetime
    positive_exit_share: float
    young_people: list[int]  # the referred young people's ids, one referral each, in id order
    missions_locales: list[int]  # the Mission Locale of each of them
    departement: dict[int, str]  # organisation id → département code
    region: dict[int, str]  # organisation id → région code
    agencies_by_departement: dict[str, list[int]]
    sites_by_region: dict[str, list[int]]
    sites: list[int]
    slot: dict[int, int]  # site id → its slot (1-based position): its sessions' weekday and ids
    member: dict[int, int]  # organisation id → the user acting for it

    def chunks(self) -> list[tuple[int, int]]:
        count = len(self.young_people)
        return [(start, min(start + REFERRALS_CHUNK, count)) for start in range(0, count, REFERRALS_CHUNK)]


# Read by ``referral_rows`` in the workers: set before they are forked.
_plan: ReferralPlan | None = None


@dataclasses.dataclass
class ReferralPart:
    """A chunk's rows as COPY text, and how many registrations each session received from it."""

    cej: bytes = b""
    referrals: bytes = b""
    transitions: bytes = b""
    hand_backs: bytes = b""
    registrations: bytes = b""
    sessions: Counter[int] = dataclasses.field(default_factory=Counter)
    counts: Counter[str] = dataclasses.field(default_factory=Counter)


def plan_referrals(
    *, network: Network, sizes: Sizes, young_people: Plan, seed: int, rng: random.Random
) -> ReferralPlan:
    """Referrals of distinct young people, referred by their ML (80 %) or a France Travail agency of
    their département, to a site of their région (or anywhere when the région has none)."""
    from cej.models import CejContract

    for model, columns in (
        (Referral, REFERRAL_COLUMNS),
        (ReferralTransition, ["id", *TRANSITION_COLUMNS]),
        (HandBack, ["id", *HAND_BACK_COLUMNS]),
        (CejContract, CEJ_COLUMNS),
        (InformationSession, SESSION_COLUMNS),
        (SessionRegistration, ["id", *REGISTRATION_COLUMNS]),
    ):
        _check_columns(model, columns)
    count = min(sizes.referrals, young_people.rows)
    chosen = sorted(rng.sample(range(1, young_people.rows + 1), count))
    organisations = network.missions_locales + network.agencies + network.sites
    agencies_by_departement: dict[str, list[int]] = defaultdict(list)
    for agency in network.agencies:
        agencies_by_departement[agency.departement_id or ""].append(agency.pk)
    sites_by_region: dict[str, list[int]] = defaultdict(list)
    for site in network.sites:
        sites_by_region[site.region_id or ""].append(site.pk)
    return ReferralPlan(
        seed=seed,
        now=young_people.now,
        positive_exit_share=sizes.positive_exit_share,
        young_people=chosen,
        missions_locales=[young_people.organisations[pk - 1] for pk in chosen],
        departement={o.pk: o.departement_id or "" for o in organisations},
        region={o.pk: o.region_id or "" for o in organisations},
        agencies_by_departement=dict(agencies_by_departement),
        sites_by_region=dict(sites_by_region),
        sites=[site.pk for site in network.sites],
        slot={site.pk: slot for slot, site in enumerate(network.sites, 1)},
        member=network.member,
    )


def referral_rows(bounds: tuple[int, int]) -> ReferralPart:
    """The rows of referrals ``bounds`` (positions in ``_plan.young_people``): each referral's path
    through the workflow, its transitions, its hand-back, its CEJ contract, its session registrations."""
    plan = _plan
    if plan is None:
        raise RuntimeError("bench.national_dataset._plan must be set before building rows")
    start, end = bounds
    rng = random.Random(f"{plan.seed}/referrals/{start}")  # noqa: S311 (synthetic data, not security)
    now = plan.now
    span = datetime.timedelta(days=YEARS * 365).total_seconds()
    part = ReferralPart()
    cej: list[str] = []
    referrals: list[str] = []
    transitions: list[str] = []
    hand_backs: list[str] = []
    registrations: list[str] = []
    for position in range(start, end):
        referral_id, young_person_id, ml = position + 1, plan.young_people[position], plan.missions_locales[position]
        agencies = plan.agencies_by_departement.get(plan.departement[ml], [])
        referrer = rng.choice(agencies) if agencies and rng.random() < 0.2 else ml
        site = rng.choice(plan.sites_by_region.get(plan.region[ml]) or plan.sites)
        slot = plan.slot[site]
        # Activity grows over the 5 years (density rising linearly): sqrt of a uniform draw.
        sent_at = now - datetime.timedelta(days=2) - datetime.timedelta(seconds=span * (1 - rng.random() ** 0.5))
        adviser, staff = plan.member[referrer], plan.member[site]
        fields: dict[str, object] = {}
        status, moment = S.SENT.value, sent_at
        timeline = [(S.DRAFT.value, S.SENT.value, sent_at)]
        while status in PATHS:
            draw, chosen_move = rng.random(), None
            for probability, target, median in PATHS[status]:
                if draw < probability:
                    chosen_move = (target, median)
                    break
                draw -= probability
            if chosen_move is None:
                break
            target, median = chosen_move
            when = moment + _delay(rng, median)
            if status == S.INVITED:
                # Invited to the site's next session: present or absent there, attendance recorded after it.
                session_id, starts_at = session_after(slot, when)
                when = starts_at + ATTENDANCE_RECORDED_AFTER
                recorded = when <= now
                part.sessions[session_id] += 1
                registrations.append(
                    _line(
                        [
                            random_uuid(rng),
                            session_id,
                            referral_id,
                            "registered",
                            ("present" if target == S.ATTENDED else "absent") if recorded else "",
                            staff,
                            moment.isoformat(),
                            (when if recorded else moment).isoformat(),
                            "",
                        ]
                    )
                )
            if when > now:
                break
            timeline.append((status, target, when))
            if target == S.INTEGRATION:
                fields["integration_starts_on"] = when.date()
                fields["integration_planned_end_on"] = when.date() + datetime.timedelta(weeks=4)
            elif target == S.ENROLLED:
                fields["enrolled_on"] = when.date()
            elif target == S.EXITED:
                positive = rng.random() < plan.positive_exit_share
                fields["exited_on"] = when.date()
                fields["exit_outcome"] = _pick(rng, POSITIVE if positive else NEGATIVE)
                fields["skills_certificate_issued"] = "t" if rng.random() < 0.7 else "f"
            elif target == S.NOT_ADMITTED:
                fields["not_admitted_reason"] = (
                    "integration" if status == S.INTEGRATION else rng.choice(["public", "project", "no_place"])
                )
            status, moment = target, when

        cej_contract_id = None
        if referrer == ml and rng.random() < 0.45:
            cej_contract_id = referral_id
            starts_on = (sent_at - datetime.timedelta(days=rng.randrange(10, 120))).date()
            planned_end_on = starts_on + datetime.timedelta(days=365)
            ended = planned_end_on < now.date()
            cej.append(
                _line(
                    [
                        cej_contract_id,
                        sent_at.isoformat(),
                        sent_at.isoformat(),
                        random_uuid(rng),
                        ml,
                        None,
                        starts_on,
                        starts_on,
                        planned_end_on,
                        planned_end_on if ended else None,
                        "ended" if ended else "active",
                        "term" if ended else "",
                        None,
                        young_person_id,
                        rng.randint(15, 20),
                        rng.choice(["adult_non_taxable", "adult_first_bracket", "minor"]),
                        "",
                    ]
                )
            )
        for origin, target, when in timeline:
            by_referrer = target in REFERRER_MOVES
            transitions.append(
                _line(
                    [
                        referral_id,
                        when.isoformat(),
                        origin,
                        target,
                        adviser if by_referrer else staff,
                        referrer if by_referrer else site,
                        "Motif saisi (jeu de données)" if target in (S.WITHDRAWN, S.CANCELLED) else "",
                    ]
                )
            )
        last_origin, last_target, _last_when = timeline[-1]
        hand_back = hand_back_reason(
            origin=last_origin, to=last_target, exit_outcome=str(fields.get("exit_outcome", ""))
        )
        if hand_back:
            handled = rng.random() < 0.7
            handled_at = moment + _delay(rng, 5)
            hand_backs.append(
                _line(
                    [
                        moment.isoformat(),
                        moment.isoformat(),
                        random_uuid(rng),
                        referral_id,
                        referrer,
                        adviser,
                        hand_back,
                        handled_at.isoformat() if handled and handled_at < now else None,
                        adviser if handled and handled_at < now else None,
                        "",
                    ]
                )
            )
        referrals.append(
            _line(
                [
                    referral_id,
                    sent_at.isoformat(),
                    moment.isoformat(),
                    random_uuid(rng),
                    young_person_id,
                    referrer,
                    adviser,
                    site,
                    status,
                    moment.isoformat(),
                    sent_at.isoformat(),
                    "Diagnostic partagé avec l'E2C (jeu de données).",
                    "Motivation exprimée en entretien (jeu de données).",
                    cej_contract_id,
                    None,
                    fields.get("not_admitted_reason", ""),
                    fields.get("integration_starts_on"),
                    fields.get("integration_planned_end_on"),
                    fields.get("enrolled_on"),
                    fields.get("exited_on"),
                    fields.get("exit_outcome", ""),
                    fields.get("skills_certificate_issued", "f"),
                ]
            )
        )
    part.cej, part.referrals = _text(cej), _text(referrals)
    part.transitions, part.hand_backs, part.registrations = _text(transitions), _text(hand_backs), _text(registrations)
    part.counts.update(
        referrals=len(referrals),
        transitions=len(transitions),
        hand_backs=len(hand_backs),
        cej_contracts=len(cej),
        registrations=len(registrations),
    )
    return part


def _text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode() if lines else b""


def copy_referrals(plan: ReferralPlan, parts: list[ReferralPart]) -> dict[str, int]:
    """COPY the chunks' rows, table by table (contracts before the referrals that point to them)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, columns, attribute in (
            ("cej_cejcontract", CEJ_COLUMNS, "cej"),
            ("e2c_referrals_referral", REFERRAL_COLUMNS, "referrals"),
            ("e2c_referrals_referraltransition", TRANSITION_COLUMNS, "transitions"),
            ("e2c_referrals_handback", HAND_BACK_COLUMNS, "hand_backs"),
        ):
            _copy(cursor, table, columns, [getattr(part, attribute) for part in parts])
    total: Counter[str] = Counter()
    for part in parts:
        total.update(part.counts)
    return {name: total[name] for name in ("referrals", "transitions", "hand_backs", "cej_contracts")}


def copy_sessions(*, network: Network, parts: list[ReferralPart], now: datetime.datetime) -> dict[str, int]:
    """The information sessions the referrals were registered to (one a week per site, at most; held
    when past, planned when to come), joint ones co-hosted with a Mission Locale of the site's
    département (or région), then the registrations."""
    registered: Counter[int] = Counter()
    for part in parts:
        registered.update(part.sessions)
    sites = network.sites
    partners: dict[int, list[Organisation]] = {}
    mls_by_departement: dict[str, list[Organisation]] = defaultdict(list)
    mls_by_region: dict[str, list[Organisation]] = defaultdict(list)
    for ml in network.missions_locales:
        mls_by_departement[ml.departement_id or ""].append(ml)
        mls_by_region[ml.region_id or ""].append(ml)
    for site in sites:
        partners[site.pk] = mls_by_departement[site.departement_id or ""] or mls_by_region[site.region_id or ""]
    lines, co_hosts = [], []
    for session_id in sorted(registered):
        slot, week = divmod(session_id, SESSION_ID_WEEKS)
        site = sites[slot - 1]
        starts_at = session_start(slot, week)
        draw = random.Random(session_id)  # noqa: S311 (per session: the same whatever the order)
        joint = draw.random() < JOINT_SHARE and bool(partners[site.pk])
        partner = draw.choice(partners[site.pk]) if joint else None
        at_partner = partner is not None and draw.random() < 0.5
        if partner is not None:
            co_hosts.append((session_id, network.member[partner.pk]))
        created_at = starts_at - datetime.timedelta(days=30)
        lines.append(
            _line(
                [
                    session_id,
                    created_at.isoformat(),
                    created_at.isoformat(),
                    uuid.UUID(int=draw.getrandbits(128), version=4),
                    site.pk,
                    SessionKind.JOINT if joint else SessionKind.INFORMATION,
                    starts_at.isoformat(),
                    (starts_at + SESSION_LENGTH).isoformat(),
                    SessionVenue.PARTNER if at_partner else SessionVenue.E2C_SITE,
                    partner.pk if at_partner and partner else None,
                    f"Locaux de la Mission Locale, {partner.commune}"
                    if at_partner and partner
                    else f"Locaux de l'E2C, {site.commune}",
                    max(12, registered[session_id]),
                    starts_at.date() - datetime.timedelta(days=2),
                    SessionStatus.HELD if starts_at < now else SessionStatus.PLANNED,
                    "",
                    0,
                    network.member[site.pk],
                ]
            )
        )
    with connection.cursor() as cursor:
        _copy(cursor, "e2c_referrals_informationsession", SESSION_COLUMNS, [_text(lines)])
        _copy(
            cursor,
            "e2c_referrals_sessionregistration",
            REGISTRATION_COLUMNS,
            [part.registrations for part in parts],
        )
    Through = InformationSession.co_hosts.through
    Through.objects.bulk_create(
        [Through(informationsession_id=session, user_id=user) for session, user in co_hosts], batch_size=5000
    )
    return {"sessions": len(lines), "registrations": sum(registered.values())}


def create_immersions(*, network: Network, seed: int, today: datetime.date) -> dict[str, int]:
    """A few adviser immersions per E2C site and year (1 to 4), both ways, with a Mission Locale or a
    France Travail agency of the site's département (else of its région)."""
    rng = random.Random(f"{seed}/immersions")  # noqa: S311 (synthetic data, not security)
    by_departement: dict[str, list[Organisation]] = defaultdict(list)
    by_region: dict[str, list[Organisation]] = defaultdict(list)
    for partner in [*network.missions_locales, *network.agencies]:
        by_departement[partner.departement_id or ""].append(partner)
        by_region[partner.region_id or ""].append(partner)
    immersions, participants = [], []
    first_day = today - datetime.timedelta(days=YEARS * 365)
    for site in network.sites:
        candidates = by_departement[site.departement_id or ""] or by_region[site.region_id or ""]
        if not candidates:
            continue
        for year in range(YEARS):
            for _ in range(rng.randint(1, 4)):
                partner = rng.choice(candidates)
                starts_on = first_day + datetime.timedelta(days=year * 365 + rng.randrange(365))
                ml_in_e2c = rng.random() < 0.6
                visiting, host = (partner, site) if ml_in_e2c else (site, partner)
                immersions.append(
                    AdviserImmersion(
                        direction=ImmersionDirection.ML_IN_E2C if ml_in_e2c else ImmersionDirection.E2C_IN_ML,
                        visiting_organisation=visiting,
                        host_organisation=host,
                        starts_on=starts_on,
                        ends_on=starts_on + datetime.timedelta(days=rng.randrange(3)),
                        host_contacts="Équipe d'accueil (jeu de données)",
                        recorded_by_id=network.member[visiting.pk],
                    )
                )
                participants.append(network.member[visiting.pk])
    created = AdviserImmersion.objects.bulk_create(immersions, batch_size=2000)
    Through = AdviserImmersion.participants.through
    Through.objects.bulk_create(
        [Through(adviserimmersion_id=i.pk, user_id=user) for i, user in zip(created, participants, strict=True)],
        batch_size=5000,
    )
    return {"immersions": len(created)}


def _copy(cursor: Any, table: str, columns: list[str], chunks: list[bytes]) -> None:
    """COPY the chunks (emptied table first, so FREEZE: the rows are written frozen), user triggers off,
    indexes rebuilt after, then the id sequence moved past the largest id."""
    cursor.execute(f"TRUNCATE {table} CASCADE")  # empty: only lets FREEZE skip the later VACUUM rewrite
    with (
        user_triggers_disabled(cursor),
        indexes_rebuilt_after(cursor, table),
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FREEZE)") as copy,
    ):
        for chunk in chunks:
            if chunk:
                copy.write(chunk)
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"  # noqa: S608
    )


class Command(BaseCommand):
    """``python -m bench.generate_national_dataset``, or ``call_command(Command(), …)`` from a bench or a test."""

    help = "Remplit une base vide d'un jeu de données national reproductible (organisations, jeunes, orientations)."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Sizes()
        parser.add_argument("--young-people", type=int, default=defaults.young_people)
        parser.add_argument("--referrals", type=int, default=defaults.referrals)
        parser.add_argument("--missions-locales", type=int, default=defaults.missions_locales)
        parser.add_argument("--e2c-sites", type=int, default=defaults.e2c_sites)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="processus qui fabriquent les lignes (0 : 2 pour un gros volume, sinon 1) ; mêmes données",
        )
        parser.add_argument(
            "--force", action="store_true", help="vide d'abord les organisations, comptes, jeunes et orientations"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["young_people"] < 1 or not 0 <= options["referrals"] <= options["young_people"]:
            raise CommandError("--young-people must be positive and --referrals at most --young-people.")
        if not database_is_empty():
            if not options["force"]:
                raise CommandError(
                    "La base contient déjà des organisations, des jeunes ou des orientations : "
                    "utilisez une base vide, ou --force pour la vider d'abord."
                )
            empty_database()
        defaults = Sizes()
        sizes = Sizes(
            young_people=options["young_people"],
            referrals=options["referrals"],
            missions_locales=options["missions_locales"],
            e2c_sites=options["e2c_sites"],
            e2c_schools=min(defaults.e2c_schools, options["e2c_sites"]),
        )
        started = time.perf_counter()
        counts = generate(sizes=sizes, seed=options["seed"], log=self.stdout.write, workers=options["workers"])
        summary = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        self.stdout.write(f"Done in {time.perf_counter() - started:.0f} s: {summary}.")
