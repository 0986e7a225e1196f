"""A national dataset for the reporting dashboard and its benchmark (``generate_national_dataset``).

Reproducible with a seed: the same parameters give the same organisations, young people, referrals
and timelines. Young people come from ``bench.search_young_people`` (the same COPY loader as the
search benchmark); referrals, their transitions, hand-backs and CEJ contracts are COPY'd here.

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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from bench.search_young_people import Population, copy_young_people, indexes_rebuilt_after
from cej.models import YoungPerson
from e2c_referrals.enums import POSITIVE_OUTCOMES, ExitOutcome, HandBackReason, ReferralStatus
from e2c_referrals.models import HandBack, Referral, ReferralTransition
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


def generate(*, sizes: Sizes, seed: int, log: Any = print) -> dict[str, int]:
    """Fill the (empty) database; return the row counts. Runs in one transaction, then ANALYZE."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    with transaction.atomic():
        network = create_network(sizes=sizes, rng=rng)
        log(f"{Organisation.objects.count()} organisations, {User.objects.count()} users ({_since(started)})")
        create_agreements(network=network, rng=rng)
        copy_young_people(Population(rows=sizes.young_people, organisations=network.missions_locales, seed=seed))
        log(f"{sizes.young_people:,} young people ({_since(started)})")
        counts = copy_referrals(network=network, sizes=sizes, rng=rng)
        log(f"{counts['referrals']:,} referrals, {counts['transitions']:,} transitions ({_since(started)})")
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
            f"{model.__name__}'s columns changed: update reporting.dataset "
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
TRANSITION_COLUMNS = [
    "id",
    "referral_id",
    "created_at",
    "from_status",
    "to_status",
    "actor_id",
    "actor_organisation_id",
    "reason",
]
HAND_BACK_COLUMNS = [
    "id",
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


@dataclasses.dataclass
class Rows:
    referrals: list[str] = dataclasses.field(default_factory=list)
    transitions: list[str] = dataclasses.field(default_factory=list)
    hand_backs: list[str] = dataclasses.field(default_factory=list)
    cej: list[str] = dataclasses.field(default_factory=list)


def copy_referrals(*, network: Network, sizes: Sizes, rng: random.Random) -> dict[str, int]:
    """Referrals of distinct young people, referred by their ML (80 %) or a France Travail agency of
    their département, to a site of their région (or anywhere when the région has none)."""
    from cej.models import CejContract

    for model, columns in (
        (Referral, REFERRAL_COLUMNS),
        (ReferralTransition, TRANSITION_COLUMNS),
        (HandBack, HAND_BACK_COLUMNS),
        (CejContract, CEJ_COLUMNS),
    ):
        _check_columns(model, columns)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM cej_youngperson")
        first, last = cursor.fetchone()
        count = min(sizes.referrals, last - first + 1)
        chosen = sorted(rng.sample(range(first, last + 1), count))
        cursor.execute("SELECT id, organisation_id FROM cej_youngperson WHERE id = ANY(%s)", [chosen])
        organisation_of = dict(cursor.fetchall())
    ml_by_pk = {ml.pk: ml for ml in network.missions_locales}
    agencies_by_departement: dict[str, list[Organisation]] = defaultdict(list)
    for agency in network.agencies:
        agencies_by_departement[agency.departement_id or ""].append(agency)
    sites_by_region: dict[str, list[Organisation]] = defaultdict(list)
    for site in network.sites:
        sites_by_region[site.region_id or ""].append(site)

    now = timezone.now().replace(microsecond=0)
    span = datetime.timedelta(days=YEARS * 365).total_seconds()
    rows = Rows()
    transition_id = hand_back_id = 0
    for referral_id, young_person_id in enumerate(chosen, 1):
        ml = ml_by_pk[organisation_of[young_person_id]]
        agencies = agencies_by_departement[ml.departement_id or ""]
        referrer = rng.choice(agencies) if agencies and rng.random() < 0.2 else ml
        site = rng.choice(sites_by_region[ml.region_id or ""] or network.sites)
        # Activity grows over the 5 years (density rising linearly): sqrt of a uniform draw.
        sent_at = now - datetime.timedelta(days=2) - datetime.timedelta(seconds=span * (1 - rng.random() ** 0.5))
        adviser, staff = network.member[referrer.pk], network.member[site.pk]
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
            if when > now:
                break
            timeline.append((status, target, when))
            if target == S.INTEGRATION:
                fields["integration_starts_on"] = when.date()
                fields["integration_planned_end_on"] = when.date() + datetime.timedelta(weeks=4)
            elif target == S.ENROLLED:
                fields["enrolled_on"] = when.date()
            elif target == S.EXITED:
                positive = rng.random() < sizes.positive_exit_share
                fields["exited_on"] = when.date()
                fields["exit_outcome"] = _pick(rng, POSITIVE if positive else NEGATIVE)
                fields["skills_certificate_issued"] = "t" if rng.random() < 0.7 else "f"
            elif target == S.NOT_ADMITTED:
                fields["not_admitted_reason"] = (
                    "integration" if status == S.INTEGRATION else rng.choice(["public", "project", "no_place"])
                )
            status, moment = target, when

        cej_contract_id = None
        if referrer is ml and rng.random() < 0.45:
            cej_contract_id = referral_id
            starts_on = (sent_at - datetime.timedelta(days=rng.randrange(10, 120))).date()
            planned_end_on = starts_on + datetime.timedelta(days=365)
            ended = planned_end_on < now.date()
            rows.cej.append(
                _line(
                    [
                        cej_contract_id,
                        sent_at.isoformat(),
                        sent_at.isoformat(),
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        ml.pk,
                        NULL,
                        starts_on,
                        starts_on,
                        planned_end_on,
                        planned_end_on if ended else None,
                        "ended" if ended else "active",
                        "term" if ended else "",
                        NULL,
                        young_person_id,
                        rng.randint(15, 20),
                        rng.choice(["adult_non_taxable", "adult_first_bracket", "minor"]),
                        "",
                    ]
                )
            )
        for origin, target, when in timeline:
            transition_id += 1
            by_referrer = target in REFERRER_MOVES
            rows.transitions.append(
                _line(
                    [
                        transition_id,
                        referral_id,
                        when.isoformat(),
                        origin,
                        target,
                        adviser if by_referrer else staff,
                        referrer.pk if by_referrer else site.pk,
                        "Motif saisi (jeu de données)" if target in (S.WITHDRAWN, S.CANCELLED) else "",
                    ]
                )
            )
        hand_back_reason = _hand_back_reason(timeline, fields)
        if hand_back_reason:
            hand_back_id += 1
            handled = rng.random() < 0.7
            handled_at = moment + _delay(rng, 5)
            rows.hand_backs.append(
                _line(
                    [
                        hand_back_id,
                        moment.isoformat(),
                        moment.isoformat(),
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        referral_id,
                        referrer.pk,
                        adviser,
                        hand_back_reason,
                        handled_at.isoformat() if handled and handled_at < now else None,
                        adviser if handled and handled_at < now else None,
                        "",
                    ]
                )
            )
        rows.referrals.append(
            _line(
                [
                    referral_id,
                    sent_at.isoformat(),
                    moment.isoformat(),
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    young_person_id,
                    referrer.pk,
                    adviser,
                    site.pk,
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
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, columns, lines in (
            ("cej_cejcontract", CEJ_COLUMNS, rows.cej),
            ("e2c_referrals_referral", REFERRAL_COLUMNS, rows.referrals),
            ("e2c_referrals_referraltransition", TRANSITION_COLUMNS, rows.transitions),
            ("e2c_referrals_handback", HAND_BACK_COLUMNS, rows.hand_backs),
        ):
            _copy(cursor, table, columns, lines)
    return {
        "referrals": len(rows.referrals),
        "transitions": len(rows.transitions),
        "hand_backs": len(rows.hand_backs),
        "cej_contracts": len(rows.cej),
    }


def _hand_back_reason(timeline: list[tuple[str, str, datetime.datetime]], fields: dict[str, object]) -> str:
    """The hand-back the workflow creates for the referral's final move, if any."""
    origin, target, _when = timeline[-1]
    if target == S.NOT_ADMITTED:
        return HandBackReason.NOT_ADMITTED
    if target == S.WITHDRAWN:
        return HandBackReason.DROP_OUT if origin == S.INTEGRATION else HandBackReason.WITHDRAWN
    if target == S.EXITED and fields.get("exit_outcome") not in POSITIVE_OUTCOMES:
        return HandBackReason.NON_POSITIVE_EXIT
    return ""


def _copy(cursor: Any, table: str, columns: list[str], lines: list[str], chunk: int = 50_000) -> None:
    """COPY the lines (ids given), indexes rebuilt after, then the id sequence moved past them."""
    with indexes_rebuilt_after(cursor, table), cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(lines), chunk):
            copy.write("\n".join(lines[start : start + chunk]) + "\n")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"  # noqa: S608
    )
