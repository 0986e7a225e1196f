"""The committee's indicators for a period and an area, computed by PostgreSQL aggregates.

One function per indicator family (``referral_pipeline``, ``exits``, ``hand_backs``, ``agreements``,
``coverage``, ``sessions``); ``compute`` calls them all and merges their rows into one JSON-able report
(the same structure is frozen in ``SemesterSnapshot.indicators``). A new family is one more function
returning ``{(dimension, key): {indicator: value}}`` listed in ``FAMILIES``, plus its ``Indicator``
declarations (and a ``presentation.SECTIONS`` entry to show them).

The referral families read ``ReferralFact``, a summary table rebuilt every 10 minutes by beat
(``reporting.services.facts.refresh_facts``): the live figures are at most that old.

Which referrals belong to an area: those whose referring organisation **or** E2C site is located in it
(a referral from a Mission Locale of the Rhône to a site in the Loire counts for both départements). So a
breakdown's rows may add up to more than the total: each row is right from its own territory's side.

Cohort or events: the path indicators (acknowledged, invited, attended, integration, enrolled, delays)
follow the **referrals sent in the period** to what became of them (so "enrolled / sent" is a rate);
exits and hand-backs are the ones **recorded in the period**.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from e2c_referrals.enums import (
    POSITIVE_OUTCOMES,
    ExitOutcome,
    HandBackReason,
    ImmersionDirection,
    SessionKind,
    SessionStatus,
)
from partners.enums import OrganisationKind
from partners.geography import geography

Row = dict[str, Any]
Rows = dict[tuple[str, str], Row]  # (dimension, key) → indicator → value

TOTAL, NETWORK, AREA = "total", "network", "area"


# --- Periods and areas --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Period:
    """Whole days, ``start`` and ``end`` included, in French local time."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def semester(cls, year: int, half: int) -> Period:
        if half == 1:
            return cls(datetime.date(year, 1, 1), datetime.date(year, 6, 30))
        return cls(datetime.date(year, 7, 1), datetime.date(year, 12, 31))

    @classmethod
    def last_complete_semester(cls, today: datetime.date) -> Period:
        return cls.semester(today.year - 1, 2) if today.month <= 6 else cls.semester(today.year, 1)

    @property
    def semester_code(self) -> str | None:
        """``2026-S1`` when the period is exactly a semester, else None."""
        for half in (1, 2):
            if self == Period.semester(self.start.year, half):
                return f"{self.start.year}-S{half}"
        return None

    @property
    def label(self) -> str:
        code = self.semester_code
        if code:
            year, half = code.split("-S")
            return f"{'1er' if half == '1' else '2d'} semestre {year}"
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end + 1 day) as aware datetimes at local midnight."""
        zone = ZoneInfo(settings.TIME_ZONE)
        start = datetime.datetime.combine(self.start, datetime.time(), zone)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(), zone)
        return start, end


class Level(enum.StrEnum):
    NATIONAL = "national"
    REGION = "region"
    DEPARTEMENT = "departement"
    ORGANISATION = "organisation"


CHILD_LEVEL = {Level.NATIONAL: Level.REGION, Level.REGION: Level.DEPARTEMENT, Level.DEPARTEMENT: Level.ORGANISATION}


@dataclasses.dataclass(frozen=True)
class Area:
    level: Level
    code: str = ""  # région or département code, organisation id
    name: str = "France entière"

    def matches(self, alias: str) -> str:
        """SQL: is the organisation ``alias`` in the area (parameter ``%(area)s``)."""
        if self.level == Level.NATIONAL:
            return "TRUE"
        if self.level == Level.REGION:
            return f"{alias}.region_id = %(area)s"
        if self.level == Level.DEPARTEMENT:
            return f"{alias}.departement_id = %(area)s"
        # An organisation and the ones under it (an E2C school's sites).
        return f"({alias}.id = %(area)s::bigint OR {alias}.parent_id = %(area)s::bigint)"

    def side_matches(self, side: str) -> str:
        """SQL: is this side (``ro``: referring organisation, ``so``: E2C site) of the fact ``f`` in the area."""
        if self.level == Level.NATIONAL:
            return "TRUE"
        if self.level == Level.REGION:
            return f"f.{side}_region = %(area)s"
        if self.level == Level.DEPARTEMENT:
            return f"f.{side}_departement = %(area)s"
        return f"(f.{side}_id = %(area)s::bigint OR f.{side}_parent_id = %(area)s::bigint)"

    def side_child_key(self, side: str) -> str | None:
        child = CHILD_LEVEL.get(self.level)
        if child == Level.REGION:
            return f"f.{side}_region"
        if child == Level.DEPARTEMENT:
            return f"f.{side}_departement"
        if child == Level.ORGANISATION:
            return f"f.{side}_id::text"
        return None

    def as_json(self) -> dict[str, str]:
        return {"level": str(self.level), "code": self.code, "name": self.name}


# --- Declared indicators ------------------------------------------------------------------------


class Kind(enum.StrEnum):
    PEOPLE = "people"  # a count of young people: 1 to 4 shown as "< 5"
    COUNT = "count"  # a count of organisations, agreements, sessions: never masked
    RATE = "rate"  # numerator / denominator, masked when either is 1 to 4
    DAYS = "days"  # a percentile of delays in days, masked when computed on fewer than 5 referrals


@dataclasses.dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: Kind
    numerator: str = ""  # RATE
    denominator: str = ""  # RATE
    base: str = ""  # DAYS: the count of referrals the percentile is computed on


def people(key: str, label: str) -> Indicator:
    return Indicator(key, label, Kind.PEOPLE)


def rate(key: str, label: str, numerator: str, denominator: str) -> Indicator:
    return Indicator(key, label, Kind.RATE, numerator=numerator, denominator=denominator)


def days(key: str, label: str, base: str) -> Indicator:
    return Indicator(key, label, Kind.DAYS, base=base)


def count(key: str, label: str) -> Indicator:
    return Indicator(key, label, Kind.COUNT)


PIPELINE = [
    people("sent", "Orientations envoyées"),
    people("sent_ml", "dont par une Mission Locale"),
    people("sent_ft", "dont par France Travail"),
    people("acknowledged", "Prises en compte par l'E2C"),
    people("invited", "Invitées en information collective"),
    people("attended", "Présentes à l'information collective"),
    rate("attendance_rate", "Taux de présence (présents / invités)", "attended", "invited"),
    people("integration", "Périodes d'intégration commencées"),
    people("enrolled", "Entrées en parcours"),
    rate("integration_rate", "Taux d'intégration (entrées / orientations)", "enrolled", "sent"),
    people("enrolled_cej", "Entrées en parcours de jeunes en CEJ"),
    rate("cej_share", "Part des jeunes en CEJ parmi les entrées", "enrolled_cej", "enrolled"),
]
DELAYS = [
    days("ack_p50", "Délai envoi → prise en compte, médiane (jours)", "acknowledged"),
    days("ack_p90", "Délai envoi → prise en compte, 90e centile (jours)", "acknowledged"),
    days("session_p50", "Délai envoi → information collective, médiane (jours)", "session"),
    days("session_p90", "Délai envoi → information collective, 90e centile (jours)", "session"),
    days("enrolled_p50", "Délai envoi → entrée en parcours, médiane (jours)", "enrolled"),
    days("enrolled_p90", "Délai envoi → entrée en parcours, 90e centile (jours)", "enrolled"),
]
EXITS = [
    people("exits", "Sorties de parcours"),
    people("positive_exits", "Sorties positives"),
    rate("positive_rate", "Taux de sorties positives", "positive_exits", "exits"),
]
OUTCOMES = [people(f"outcome_{value}", label) for value, label in ExitOutcome.choices]
HAND_BACKS = [people("hand_backs", "Retours vers le prescripteur")] + [
    people(f"hand_back_{value}", label) for value, label in HandBackReason.choices
]
AGREEMENTS = [
    count("agreements_national", "Accords nationaux en vigueur"),
    count("agreements_regional", "Déclinaisons régionales en vigueur"),
    count("agreements_local", "Déclinaisons locales en vigueur"),
]
COVERAGE = [
    count("departements_with_site", "Départements avec un site E2C"),
    count("departements_without_site", "Départements sans site E2C"),
]
SESSIONS = [
    count("sessions_held", "Informations collectives tenues"),
    count("joint_sessions_held", "dont séances conjointes « à quatre mains »"),
    count("immersions", "Immersions de conseillers commencées"),
    count("immersions_ml_in_e2c", "dont conseillers ML / France Travail accueillis en E2C"),
    count("immersions_e2c_in_ml", "dont équipes E2C accueillies en Mission Locale ou agence"),
]

INDICATORS = {
    indicator.key: indicator
    for indicator in [*PIPELINE, *DELAYS, *EXITS, *OUTCOMES, *HAND_BACKS, *AGREEMENTS, *COVERAGE, *SESSIONS]
}
# Not shown, but needed to mask what is computed on them.
HIDDEN_BASES = {"session": people("session", "Informations collectives tenues pour ces orientations")}


# --- SQL ----------------------------------------------------------------------------------------


def _dimensions(area: Area) -> str:
    """The lateral join giving each fact ``f`` its rows: the total, its referring network, and the child
    areas of its two sides (once if both sides are in the same one)."""
    values = ["('total', 'total', TRUE)", "('network', f.network, TRUE)"]
    ro_key, so_key = area.side_child_key("ro"), area.side_child_key("so")
    if ro_key is not None:
        ro_in, so_in = area.side_matches("ro"), area.side_matches("so")
        values.append(f"('area', {ro_key}, {ro_in})")
        # The site's row unless the referrer's row already counts this referral there (no DISTINCT:
        # it would sort the rows of every referral).
        values.append(f"('area', {so_key}, {so_in} AND NOT ({ro_in} AND {ro_key} = {so_key}))")
    rows = ", ".join(values)
    return f"CROSS JOIN LATERAL (SELECT v.dim, v.key FROM (VALUES {rows}) AS v(dim, key, keep) WHERE v.keep AND v.key <> '') AS d"  # noqa: S608, E501


def _in_area(area: Area) -> str:
    return f"({area.side_matches('ro')} OR {area.side_matches('so')})"


def _params(area: Area, period: Period) -> dict[str, Any]:
    start, end = period.bounds()
    return {"area": area.code, "start": start, "end": end, "start_day": period.start, "end_day": period.end}


def _fetch(sql: str, params: dict[str, Any]) -> Rows:
    rows: Rows = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        for record in cursor.fetchall():
            values = dict(zip(names, record, strict=True))
            dim, key = values.pop("dim"), values.pop("key")
            row = {}
            for name, value in values.items():
                if name.endswith("_p50_p90"):  # percentile_cont(ARRAY[0.5, 0.9]): NULL when no value
                    prefix = name.removesuffix("_p50_p90")
                    row[f"{prefix}_p50"], row[f"{prefix}_p90"] = (_plain(v) for v in (value or [None, None]))
                else:
                    row[name] = _plain(value)
            rows[(dim, key)] = row
    return rows


def _plain(value: Any) -> Any:
    """JSON-able numbers: delays rounded to a tenth of a day."""
    if isinstance(value, float):
        return round(value, 1)
    return value


def _percentiles(column: str) -> str:
    """Median and 90th percentile in one sort: an array of two values, split by ``_fetch``."""
    return f"percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY f.{column})"


def referral_pipeline(area: Area, period: Period) -> Rows:
    """Referrals sent in the period, and how far each went (cohort), with the delays of each step."""
    sql = f"""
    SELECT d.dim, d.key,
           count(*) AS sent,
           count(*) FILTER (WHERE f.network = '{OrganisationKind.MISSION_LOCALE}') AS sent_ml,
           count(*) FILTER (WHERE f.network = '{OrganisationKind.FRANCE_TRAVAIL}') AS sent_ft,
           count(f.acknowledged_days) AS acknowledged,
           count(*) FILTER (WHERE f.invited) AS invited,
           count(f.session_days) AS session,
           count(*) FILTER (WHERE f.attended) AS attended,
           count(*) FILTER (WHERE f.integration) AS integration,
           count(f.enrolled_days) AS enrolled,
           count(f.enrolled_days) FILTER (WHERE f.cej) AS enrolled_cej,
           {_percentiles("acknowledged_days")} AS ack_p50_p90,
           {_percentiles("session_days")} AS session_p50_p90,
           {_percentiles("enrolled_days")} AS enrolled_p50_p90
    FROM reporting_referralfact f
    {_dimensions(area)}
    WHERE f.sent_at >= %(start)s AND f.sent_at < %(end)s AND {_in_area(area)}
    GROUP BY d.dim, d.key
    """  # noqa: S608 (only our own SQL fragments; values are parameters)
    return _fetch(sql, _params(area, period))


def exits(area: Area, period: Period) -> Rows:
    """Exits recorded in the period, positive ones, and each outcome."""
    positives = ", ".join(f"'{outcome}'" for outcome in sorted(POSITIVE_OUTCOMES))
    outcomes = ",\n".join(
        f"count(*) FILTER (WHERE f.exit_outcome = '{value}') AS outcome_{value}" for value in ExitOutcome.values
    )
    sql = f"""
    SELECT d.dim, d.key, count(*) AS exits,
           count(*) FILTER (WHERE f.exit_outcome IN ({positives})) AS positive_exits,
           {outcomes}
    FROM reporting_referralfact f
    {_dimensions(area)}
    WHERE f.exited_on BETWEEN %(start_day)s AND %(end_day)s AND {_in_area(area)}
    GROUP BY d.dim, d.key
    """  # noqa: S608
    return _fetch(sql, _params(area, period))


def hand_backs(area: Area, period: Period) -> Rows:
    """Young people handed back to the referring organisation in the period, by reason."""
    reasons = ",\n".join(
        f"count(*) FILTER (WHERE f.reason = '{value}') AS hand_back_{value}" for value in HandBackReason.values
    )
    sql = f"""
    SELECT d.dim, d.key, count(*) AS hand_backs, {reasons}
    FROM reporting_handbackfact f
    {_dimensions(area)}
    WHERE f.created_at >= %(start)s AND f.created_at < %(end)s AND {_in_area(area)}
    GROUP BY d.dim, d.key
    """  # noqa: S608
    return _fetch(sql, _params(area, period))


def agreements(area: Area, period: Period) -> Rows:
    """Agreements in force at some point of the period (amendments may extend them), by level: all of
    them nationally, else those of the région or with a party in the area."""
    parties = (
        "EXISTS (SELECT 1 FROM partners_agreement_parties p JOIN partners_organisation o "
        "ON o.id = p.organisation_id WHERE p.agreement_id = a.id AND {})"
    )
    if area.level == Level.NATIONAL:
        where = "TRUE"
    elif area.level == Level.REGION:
        where = f"(a.region_id = %(area)s OR {parties.format(area.matches('o'))})"
    else:
        where = parties.format(area.matches("o"))
    sql = f"""
    SELECT 'total' AS dim, 'total' AS key,
           count(*) FILTER (WHERE a.level = 'national') AS agreements_national,
           count(*) FILTER (WHERE a.level = 'regional') AS agreements_regional,
           count(*) FILTER (WHERE a.level = 'local') AS agreements_local
    FROM partners_agreement a
    WHERE a.starts_on <= %(end_day)s AND {where}
      AND greatest(a.ends_on, (SELECT max(m.new_end_on) FROM partners_amendment m WHERE m.agreement_id = a.id))
          >= %(start_day)s
    """  # noqa: S608
    return _fetch(sql, _params(area, period))


def coverage(area: Area, period: Period) -> Rows:
    """Départements of the area with and without an active E2C site (not meaningful for one organisation)."""
    if area.level == Level.ORGANISATION:
        return {}
    where = {Level.NATIONAL: "TRUE", Level.REGION: "dep.region_id = %(area)s", Level.DEPARTEMENT: "dep.code = %(area)s"}
    # One row per child area (région, département); a département's children are organisations: none.
    child = {Level.NATIONAL: ", ('area', dep.region_id::text)", Level.REGION: ", ('area', dep.code::text)"}
    sql = f"""
    WITH covered AS (
        SELECT dep.code, dep.region_id, EXISTS (
            SELECT 1 FROM partners_organisation o
            WHERE o.departement_id = dep.code AND o.kind = '{OrganisationKind.E2C_SITE}' AND o.is_active
        ) AS has_site
        FROM partners_departement dep WHERE {where[area.level]}
    )
    SELECT d.dim, d.key,
           count(*) FILTER (WHERE has_site) AS departements_with_site,
           count(*) FILTER (WHERE NOT has_site) AS departements_without_site
    FROM covered dep
    CROSS JOIN LATERAL (VALUES ('total', 'total'){child.get(area.level, "")}) AS d(dim, key)
    GROUP BY d.dim, d.key
    """  # noqa: S608
    return _fetch(sql, _params(area, period))


def _organisation_child_key(area: Area, alias: str) -> str | None:
    child = CHILD_LEVEL.get(area.level)
    if child == Level.REGION:
        return f"{alias}.region_id::text"
    if child == Level.DEPARTEMENT:
        return f"{alias}.departement_id::text"
    if child == Level.ORGANISATION:
        return f"{alias}.id::text"
    return None


def _organisation_dimensions(area: Area, first: str, second: str) -> str:
    """Like ``_dimensions``, for a record with two organisations (``first``, ``second``; the second may
    be missing): the total, and the child areas of each (once)."""
    values = ["('total', 'total', TRUE)"]
    first_key, second_key = _organisation_child_key(area, first), _organisation_child_key(area, second)
    if first_key is not None and second_key is not None:
        first_in, second_in = area.matches(first), area.matches(second)
        values.append(f"('area', {first_key}, {first_in})")
        values.append(
            f"('area', {second_key}, {second}.id IS NOT NULL AND {second_in} "
            f"AND NOT ({first_in} AND {first_key} = {second_key}))"
        )
    rows = ", ".join(values)
    return f"CROSS JOIN LATERAL (SELECT v.dim, v.key FROM (VALUES {rows}) AS v(dim, key, keep) WHERE v.keep AND v.key IS NOT NULL) AS d"  # noqa: S608, E501


def sessions(area: Area, period: Period) -> Rows:
    """Information sessions held in the period (at the E2C site or at the partner who hosted them),
    joint ones, and adviser immersions started in the period (visitors' or hosts' side)."""
    held = f"""
    SELECT d.dim, d.key,
           count(*) AS sessions_held,
           count(*) FILTER (WHERE s.kind = '{SessionKind.JOINT}') AS joint_sessions_held
    FROM e2c_referrals_informationsession s
    JOIN partners_organisation so ON so.id = s.e2c_site_id
    LEFT JOIN partners_organisation vo ON vo.id = s.venue_organisation_id
    {_organisation_dimensions(area, "so", "vo")}
    WHERE s.status = '{SessionStatus.HELD}' AND s.starts_at >= %(start)s AND s.starts_at < %(end)s
      AND ({area.matches("so")} OR (vo.id IS NOT NULL AND {area.matches("vo")}))
    GROUP BY d.dim, d.key
    """  # noqa: S608
    immersions = f"""
    SELECT d.dim, d.key,
           count(*) AS immersions,
           count(*) FILTER (WHERE i.direction = '{ImmersionDirection.ML_IN_E2C}') AS immersions_ml_in_e2c,
           count(*) FILTER (WHERE i.direction = '{ImmersionDirection.E2C_IN_ML}') AS immersions_e2c_in_ml
    FROM e2c_referrals_adviserimmersion i
    JOIN partners_organisation ho ON ho.id = i.host_organisation_id
    JOIN partners_organisation vi ON vi.id = i.visiting_organisation_id
    {_organisation_dimensions(area, "ho", "vi")}
    WHERE i.starts_on BETWEEN %(start_day)s AND %(end_day)s AND ({area.matches("ho")} OR {area.matches("vi")})
    GROUP BY d.dim, d.key
    """  # noqa: S608
    rows = _fetch(held, _params(area, period))
    for key, values in _fetch(immersions, _params(area, period)).items():
        rows.setdefault(key, {}).update(values)
    return rows


FAMILIES: list[Callable[[Area, Period], Rows]] = [referral_pipeline, exits, hand_backs, agreements, coverage, sessions]


# --- The report ----------------------------------------------------------------------------------


def compute(area: Area, period: Period) -> dict[str, Any]:
    """Every family's rows merged: ``{"totals": {...}, "rows": {"network": {...}, "area": {...}}}`` plus
    the labels of the keys, JSON-able (what a snapshot freezes)."""
    merged: dict[tuple[str, str], Row] = defaultdict(dict)
    with transaction.atomic(), connection.cursor() as cursor:
        # Percentiles sort each group: in memory rather than in temporary files. A SELECT rather than
        # SET LOCAL: the change history prefixes every other statement with its context (pghistory).
        cursor.execute("SELECT set_config('work_mem', '32MB', true)")
        for family in FAMILIES:
            for key, values in family(area, period).items():
                merged[key].update(values)
    report: dict[str, Any] = {
        "area": area.as_json(),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "totals": _complete(merged.get((TOTAL, TOTAL), {})),
        "rows": {NETWORK: {}, AREA: {}},
        "labels": {NETWORK: dict(OrganisationKind.choices), AREA: {}},
    }
    for (dimension, name), values in merged.items():
        if dimension != TOTAL:
            report["rows"][dimension][name] = _complete(values)
    report["labels"][AREA] = area_labels(area, report["rows"][AREA].keys())
    return report


def _complete(values: Row) -> Row:
    """Every declared indicator present (0 for an absent count, None for an absent delay), rates computed."""
    row: Row = {}
    for indicator in [*INDICATORS.values(), *HIDDEN_BASES.values()]:
        if indicator.kind == Kind.RATE:
            continue
        default = None if indicator.kind == Kind.DAYS else 0
        row[indicator.key] = values.get(indicator.key, default)
    for indicator in INDICATORS.values():
        if indicator.kind == Kind.RATE:
            denominator = row[indicator.denominator]
            row[indicator.key] = round(row[indicator.numerator] / denominator, 4) if denominator else None
    return row


def area_labels(area: Area, keys: Iterable[str]) -> dict[str, str]:
    """Names of the child areas (régions, départements or organisations) of a breakdown."""
    wanted = list(keys)
    if not wanted:
        return {}
    child = CHILD_LEVEL.get(area.level)
    places = geography()
    if child == Level.REGION:
        return {code: name for code in wanted if (name := places.region_name(code)) is not None}
    if child == Level.DEPARTEMENT:
        return {code: label for code in wanted if (label := places.departement_label(code)) is not None}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id::text, name FROM partners_organisation WHERE id = ANY(%s::bigint[])", [wanted])
        return dict(cursor.fetchall())
