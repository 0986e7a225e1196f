"""Benchmark of the young-person search at national scale (``make bench``).

Loads 1.5 million young people spread over 600 Missions Locales into a dedicated embedded PostgreSQL
(``.data/bench``, database ``orientations_e2c_bench``: the development database is never touched), then
times ``cej.selectors.young_people.search_young_people`` for 20 names typed the way advisers type them,
against the raw SQL of the same query in the same run, and prints EXPLAIN (ANALYZE, BUFFERS) of the
slowest. The requirement: first results in under 50 ms. Exit status 1 when a search is over.

    .venv/bin/python -m bench.search_young_people [--rows 1500000] [--organisations 600] [--seed 2026]

A re-run with the same parameters reuses the loaded rows (a few seconds instead of a few minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import functools
import multiprocessing
import os
import random
import statistics
import string
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bench.french_names import FIRST_NAMES, LAST_NAMES, tail_last_name, zipf_cumulative_weights

if TYPE_CHECKING:
    from partners.access import Actor
    from partners.models import Organisation

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data" / "bench"
BENCH_DATABASE = "orientations_e2c_bench"
BUDGET_MS = 50.0
RUNS = 5
COPY_CHUNK = 25_000
# From this many rows, two processes build them (see ``worker_pool``).
PARALLEL_FROM_ROWS = 100_000
ORGANISATION_PREFIX = "Mission Locale (banc d'essai)"
ADVISER_EMAIL = "conseiller.banc-essai@exemple.fr"
REFERENT_DOMAIN = "referents.banc-essai.exemple.fr"
# An adviser is the referent of about this many young people (and of none for 10% of them).
FILES_PER_REFERENT = 150
# Bump when the generator changes: the next run reloads instead of reusing rows generated differently.
GENERATOR_VERSION = 3
TABLE = "cej_youngperson"

# --- Embedded database ----------------------------------------------------------------------------


def start_django(data_dir: Path) -> None:
    """Start the bench's own embedded PostgreSQL, create and migrate its database, set Django up.

    Everything here must happen before Django's settings are imported: the local settings start the
    embedded servers found through E2C_DATA_DIR and read DATABASE_URL once.
    """
    os.environ["E2C_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    # DEBUG would record every query in connection.queries and slow the ORM side down: production has it off.
    os.environ["DJANGO_DEBUG"] = "false"

    from config import embedded

    # Redis is not used, but the settings require a URL: start the embedded one unless one is given.
    embedded.acquire(need_database=True, need_redis=not os.environ.get("REDIS_URL"))
    pgdata = embedded.EmbeddedPostgres(embedded.data_dir()).pgdata
    ensure_database(pgdata)
    os.environ["DATABASE_URL"] = f"postgres://postgres@{quote(str(pgdata), safe='')}/{BENCH_DATABASE}"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def ensure_database(pgdata: Path) -> None:
    ensure_database_named(pgdata, BENCH_DATABASE)


def ensure_database_named(pgdata: Path, name: str) -> None:
    """Create the database ``name`` in the embedded server unless it exists (also for reporting's bench)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=str(pgdata), user="postgres", dbname="postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- Organisations and the adviser -------------------------------------------------------------


def ensure_organisations(count: int) -> list[Organisation]:
    """``count`` Missions Locales, one département (and its région) each, created in one bulk insert."""
    from django.db import connection, transaction

    from partners.enums import OrganisationKind
    from partners.models import Departement, Membership, Organisation
    from partners.text import sort_key

    bench = Organisation.objects.filter(kind=OrganisationKind.MISSION_LOCALE, name__startswith=ORGANISATION_PREFIX)
    existing = list(bench.order_by("pk"))
    if len(existing) == count:
        return existing
    departements = list(Departement.objects.order_by("code"))
    with transaction.atomic():
        if existing:
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE")
            Membership.objects.filter(organisation__in=bench).delete()
            bench.delete()
        organisations = []
        for index in range(count):
            departement = departements[index % len(departements)]
            name = f"{ORGANISATION_PREFIX} n°{index + 1:03d} — {departement.name}"
            organisations.append(
                Organisation(
                    name=name,
                    sort_name=sort_key(name),
                    kind=OrganisationKind.MISSION_LOCALE,
                    departement=departement,
                    region_id=departement.region_id,
                    commune=departement.name,
                )
            )
        return Organisation.objects.bulk_create(organisations)


def adviser_of(organisation: Organisation) -> Actor:
    """The bench's adviser, a member of ``organisation`` only."""
    from partners.access import Actor
    from partners.enums import Role
    from partners.models import Membership, User

    user = User.objects.filter(email=ADVISER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(ADVISER_EMAIL, None, first_name="Camille", last_name="Banc-d'Essai")
    Membership.objects.filter(user=user).exclude(organisation=organisation).delete()
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Role.ADVISER})
    membership = Membership.objects.select_related("organisation").get(user=user, organisation=organisation)
    return Actor(user=user, membership=membership)


# --- Young people ---------------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue Pasteur",
    "allée des Tilleuls",
    "place de l'Église",
    "rue du Général de Gaulle",
    "impasse des Lilas",
    "chemin des Vignes",
)
LAST_CLASSES = ("3e", "Seconde", "Première", "Terminale", "CAP 1re année", "CAP 2e année", "BTS 1re année", "")
QUALIFICATIONS = ("infra_3", "3", "4", "5_plus")
QUALIFICATION_WEIGHTS = (45, 30, 20, 5)


def text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


@dataclasses.dataclass(frozen=True)
class Population:
    rows: int
    organisations: list[Organisation]
    seed: int

    @property
    def marker(self) -> str:
        """Stored as the table's comment: a re-run with the same parameters reuses the rows."""
        first, last = self.organisations[0].pk, self.organisations[-1].pk
        return f"bench v{GENERATOR_VERSION} rows={self.rows} organisations={first}..{last} seed={self.seed}"


def organisation_weights(population: Population, rng: random.Random) -> list[float]:
    """Organisation sizes vary a lot (a big city's Mission Locale follows several times more young
    people than a rural one): log-normal weights, the largest about 5 times the average."""
    return [rng.lognormvariate(0, 0.6) for _ in population.organisations]


def create_referents(population: Population, weights: list[float]) -> dict[int, list[int]]:
    """Advisers of each organisation, about one per FILES_PER_REFERENT young people: the search joins
    the referent (select_related), so the join must meet a realistic user table."""
    from django.contrib.auth.hashers import make_password

    from partners.models import User

    User.objects.filter(email__endswith=f"@{REFERENT_DOMAIN}").delete()
    total = sum(weights)
    users, owners = [], []
    for organisation, weight in zip(population.organisations, weights, strict=True):
        expected = population.rows * weight / total
        for number in range(max(1, round(expected / FILES_PER_REFERENT))):
            users.append(
                User(
                    email=f"conseiller.{organisation.pk}.{number}@{REFERENT_DOMAIN}",
                    first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
                    last_name=f"Référent {number}",
                    password=make_password(None),
                )
            )
            owners.append(organisation.pk)
    referents: dict[int, list[int]] = {organisation.pk: [] for organisation in population.organisations}
    for owner, user in zip(owners, User.objects.bulk_create(users, batch_size=2000), strict=True):
        referents[owner].append(user.pk)
    return referents


@dataclasses.dataclass(frozen=True)
class Plan:
    """Everything the rows are built from, drawn by the calling process: plain values only, so the
    worker processes (forked after it is set, see ``worker_pool``) read it without any database.

    Row ``i`` is the young person whose id is ``i + 1``; each chunk of rows has its own random generator
    seeded from the seed and the chunk's first row, so the same seed gives the same rows whether one
    process or several build them.
    """

    seed: int
    rows: int
    organisations: list[int]  # the organisation id of each row
    departements: dict[int, str]  # organisation id → its département code ("" when none)
    referents: dict[int, list[int]]  # organisation id → its advisers' user ids
    today: datetime.date
    now: datetime.datetime

    def chunks(self) -> list[tuple[int, int]]:
        return [(start, min(start + COPY_CHUNK, self.rows)) for start in range(0, self.rows, COPY_CHUNK)]


# Read by ``young_people_rows`` in the workers: set before they are forked (a fork copies it for free).
_plan: Plan | None = None

# The columns COPY fills, in order: all of YoungPerson's but the generated ``search_name``.
YOUNG_PEOPLE_COLUMNS = (
    "id",
    "organisation_id",
    "created_at",
    "updated_at",
    "public_id",
    "referent_id",
    "last_name",
    "first_name",
    "birth_date",
    "email",
    "phone",
    "address",
    "postcode",
    "commune",
    "departement_id",
    "lives_in_qpv",
    "lives_in_zrr",
    "qualification_level",
    "last_class",
    "left_school_on",
    "has_rqth",
    "imilo_number",
    "france_travail_id",
    "created_by_id",
)
UUID_V4_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
UUID_V4_BITS = (0x4000 << 64) | (0x8000 << 48)
UNIX_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


def random_uuid(rng: random.Random) -> str:
    """A version-4 UUID as 32 hex digits (PostgreSQL reads them without hyphens), without a UUID object."""
    return f"{(rng.getrandbits(128) & UUID_V4_MASK) | UUID_V4_BITS:032x}"


def utc_now() -> datetime.datetime:
    """The moment the generated dates are relative to (a test fixes it to compare two generations)."""
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


@functools.lru_cache(maxsize=8)
def day_texts(first_ordinal: int, last_ordinal: int) -> list[str]:
    """ISO texts of the days ``first_ordinal``..``last_ordinal`` (formatted once, then looked up)."""
    return [datetime.date.fromordinal(o).isoformat() for o in range(first_ordinal, last_ordinal + 1)]


@functools.lru_cache(maxsize=1)
def clock_texts() -> list[str]:
    """``HH:MM:SS`` of each second of a day."""
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


def utc_timestamps(rng: random.Random, now: datetime.datetime, span_seconds: int, count: int) -> list[str]:
    """``count`` UTC timestamps drawn uniformly in the ``span_seconds`` before ``now``, as COPY text."""
    epoch = int(now.timestamp())
    first_day = (epoch - span_seconds) // 86400
    days = day_texts(first_day + UNIX_EPOCH_ORDINAL, epoch // 86400 + UNIX_EPOCH_ORDINAL)
    clock = clock_texts()
    r = rng.random
    moments = [epoch - int(r() * span_seconds) for _ in range(count)]
    return [f"{days[m // 86400 - first_day]} {clock[m % 86400]}+00" for m in moments]


def young_people_rows(bounds: tuple[int, int]) -> bytes:
    """The COPY text of rows ``bounds`` (start included, end excluded), built column by column."""
    plan = _plan
    if plan is None:
        raise RuntimeError("bench.search_young_people._plan must be set before building rows")
    start, end = bounds
    count = end - start
    rng = random.Random(f"{plan.seed}/young-people/{start}")  # noqa: S311 (synthetic data, not security)
    r = rng.random
    organisations = plan.organisations[start:end]
    departements = [plan.departements[pk] for pk in organisations]
    indexes = range(start, end)
    today = plan.today.toordinal()
    first_day = today - (26 * 365 + 6)
    days = day_texts(first_day, today)

    last_frequent = rng.choices(LAST_NAMES_TEXT, cum_weights=LAST_CUMULATIVE, k=count)
    last_second = rng.choices(LAST_NAMES_TEXT, cum_weights=LAST_CUMULATIVE, k=count)
    last_names = []
    for frequent, second in zip(last_frequent, last_second, strict=True):
        draw = r()
        if draw < 0.40:  # a frequent name, Martin first
            last_names.append(frequent)
        elif draw < 0.45:  # a double name
            last_names.append(f"{frequent}-{second}")
        else:
            last_names.append(tail_last_name(rng))
    first_names = rng.choices(FIRST_NAMES_TEXT, cum_weights=FIRST_CUMULATIVE, k=count)
    seconds = rng.choices(FIRST_NAMES_TEXT, cum_weights=FIRST_CUMULATIVE, k=count)
    first_names = [f"{one} {two}" if r() < 0.08 else one for one, two in zip(first_names, seconds, strict=True)]
    birth_days = [today - (16 * 365 + 4) - int(r() * (10 * 365 + 2)) for _ in indexes]
    left_school = [
        NULL if r() < 0.25 else days[min(birth + 16 * 365 + int(r() * 5 * 365), today - 30) - first_day]
        for birth in birth_days
    ]
    created = utc_timestamps(rng, plan.now, 3 * 365 * 86400, count)

    def referent(organisation: int) -> str:
        advisers = plan.referents[organisation]
        return NULL if r() < 0.1 or not advisers else str(advisers[int(r() * len(advisers))])

    def postcode(code: str) -> str:
        if not code:
            return ""
        if code in ("2A", "2B"):
            return f"20{int(r() * 1000):03d}"
        if len(code) == 3:
            return f"{code}{int(r() * 100):02d}"
        return f"{code}{int(r() * 1000):03d}"

    def flags(probability: float) -> list[str]:
        return ["t" if r() < probability else "f" for _ in indexes]

    columns: dict[str, list[str]] = {
        "id": [str(index + 1) for index in indexes],
        "organisation_id": [str(pk) for pk in organisations],
        "created_at": created,
        "updated_at": created,
        "public_id": [random_uuid(rng) for _ in indexes],
        "referent_id": [referent(pk) for pk in organisations],
        "last_name": last_names,
        "first_name": first_names,
        "birth_date": [days[birth - first_day] for birth in birth_days],
        "email": [f"jeune.{index}@exemple.fr" if r() < 0.75 else "" for index in indexes],
        "phone": [f"0{'67'[int(r() * 2)]}{int(r() * 10**8):08d}" if r() < 0.8 else "" for _ in indexes],
        "address": [f"{1 + int(r() * 119)} {STREETS[int(r() * len(STREETS))]}" if r() < 0.9 else "" for _ in indexes],
        "postcode": [postcode(code) for code in departements],
        "commune": [""] * count,
        "departement_id": [code or NULL for code in departements],
        "lives_in_qpv": flags(0.2),
        "lives_in_zrr": flags(0.08),
        "qualification_level": rng.choices(QUALIFICATIONS, weights=QUALIFICATION_WEIGHTS, k=count),
        "last_class": rng.choices(LAST_CLASSES, k=count),
        "left_school_on": left_school,
        "has_rqth": flags(0.05),
        # i-milo numbers are unique: derived from the row index.
        "imilo_number": [str(3_000_000 + index) if r() < 0.45 else "" for index in indexes],
        "france_travail_id": [
            f"{int(r() * 10**7):07d}{string.ascii_uppercase[int(r() * 26)]}" if r() < 0.3 else "" for _ in indexes
        ],
        "created_by_id": [NULL] * count,
    }
    lines = map("\t".join, zip(*(columns[name] for name in YOUNG_PEOPLE_COLUMNS), strict=True))
    return ("\n".join(lines) + "\n").encode()


LAST_NAMES_TEXT = [text(name) for name in LAST_NAMES]
FIRST_NAMES_TEXT = [text(name) for name in FIRST_NAMES]
LAST_CUMULATIVE = zipf_cumulative_weights(len(LAST_NAMES), 0.5)
FIRST_CUMULATIVE = zipf_cumulative_weights(len(FIRST_NAMES), 0.6)


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


class SerialPool:
    """``worker_pool(1)``: the calling process builds the rows itself, when it needs them."""

    def imap(self, function: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        return map(function, tasks)

    def map_async(self, function: Callable[[Any], Any], tasks: Iterable[Any]) -> Deferred:
        return Deferred(function, list(tasks))


@dataclasses.dataclass
class Deferred:
    function: Callable[[Any], Any]
    tasks: list[Any]

    def get(self) -> list[Any]:
        return [self.function(task) for task in self.tasks]


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[Any]:
    """``workers`` processes forked now (they inherit the plans set before, and never touch the
    database), or the calling process itself for 1. Same rows either way (see ``Plan``)."""
    if workers <= 1:
        yield SerialPool()
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield pool


def default_workers(rows: int) -> int:
    """Two processes for a big load (the machine has 2 cores); a small one is not worth the forks."""
    return 2 if rows >= PARALLEL_FROM_ROWS and (os.cpu_count() or 1) > 1 else 1


@contextlib.contextmanager
def user_triggers_disabled(cursor: Any) -> Iterator[bool]:
    """``session_replication_role = replica`` for the block (user triggers, such as the change history's,
    do not fire on the loaded rows), when the database user may set it (a superuser: the embedded and
    bench databases). Otherwise the load goes on, triggers firing, slower: a message says so. Inside a
    block that already turned them off, nothing changes (and they stay off after it).

    Foreign keys of the copied tables are not left unchecked: they are dropped for the copy and added
    back after it, which checks every row with one query (``indexes_rebuilt_after``).
    """
    cursor.execute("SELECT current_setting('is_superuser') = 'on', current_setting('session_replication_role')")
    superuser, role = cursor.fetchone()
    if role == "replica":
        yield True
        return
    if not superuser:
        print(
            "  Not a PostgreSQL superuser: row triggers (change history) stay on during the load, "
            "which will be slower.",
            flush=True,
        )
        yield False
        return
    cursor.execute("SET LOCAL session_replication_role = replica")
    yield True
    # Not in a ``finally``: after an error the transaction is rolled back, and SET LOCAL with it.
    cursor.execute("SET LOCAL session_replication_role = origin")


@contextlib.contextmanager
def indexes_rebuilt_after(cursor: Any, table: str) -> Iterator[None]:
    """Drop ``table``'s secondary indexes and foreign keys, run the block (a bulk COPY), put them back.

    They are put back from their own definitions (so they stay exactly the migrations' ones): a foreign
    key added to a full table is checked by one join instead of a row-by-row trigger, an index is built
    once instead of updated for every row. Run it inside a transaction: an error leaves the table as it was.
    """
    cursor.execute(
        """
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
        WHERE indrelid = %s::regclass AND NOT indisunique AND NOT indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)
        """,
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign_keys = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    for name, _definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    rebuild_started = time.perf_counter()
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    print(
        f"  {table}: {len(indexes)} indexes rebuilt and {len(foreign_keys)} foreign keys checked in "
        f"{time.perf_counter() - rebuild_started:.0f} s",
        flush=True,
    )


def copy_columns() -> list[str]:
    from cej.models import YoungPerson

    return [str(field.column) for field in YoungPerson._meta.concrete_fields if not getattr(field, "generated", False)]


def ensure_population(population: Population, *, reload: bool = False) -> None:
    """Load the young people unless the table already holds exactly this population."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [TABLE])
        marker = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 (a constant)
        count = cursor.fetchone()[0]
    if marker == population.marker and count == population.rows and not reload:
        print(f"{count:,} young people already loaded ({marker}): loading skipped.")
        return
    load(population)


def load(population: Population) -> None:
    """COPY the rows in one transaction (``copy_young_people``), then ANALYZE (the rows are frozen)."""
    from django.db import connection

    started = time.perf_counter()
    copy_young_people(population)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {TABLE}")
        cursor.execute("VACUUM (ANALYZE) partners_user")
    print(f"Loaded, indexed and analysed in {time.perf_counter() - started:.0f} s.")


def prepare_young_people(population: Population) -> Plan:
    """Empty the table, create the referent advisers and draw each row's organisation (in the caller's
    transaction), and return the plan the rows are built from (see ``Plan``)."""
    from django.db import connection

    rng = random.Random(population.seed)  # noqa: S311 (synthetic data, not security)
    columns = copy_columns()
    if set(columns) != set(YOUNG_PEOPLE_COLUMNS):
        raise SystemExit(
            "YoungPerson's columns changed: update bench.search_young_people.young_people_rows "
            f"(missing: {sorted(set(columns) - set(YOUNG_PEOPLE_COLUMNS))}, "
            f"unknown: {sorted(set(YOUNG_PEOPLE_COLUMNS) - set(columns))})."
        )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE")
        weights = organisation_weights(population, rng)
        referents = create_referents(population, weights)
        print(f"  {sum(map(len, referents.values())):,} referent advisers created", flush=True)
        # Deleting the previous run's referents queued deferred foreign-key checks against this table:
        # run them now, while it is empty (after the copy, each would read 1.5 million rows).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    pks = [organisation.pk for organisation in population.organisations]
    now = utc_now()
    return Plan(
        seed=population.seed,
        rows=population.rows,
        organisations=rng.choices(pks, cum_weights=list(_accumulate(weights)), k=population.rows),
        departements={o.pk: o.departement_id or "" for o in population.organisations},
        referents=referents,
        today=now.date(),
        now=now,
    )


def copy_planned_young_people(plan: Plan, chunks: Iterable[bytes]) -> None:
    """COPY the rows' ``chunks`` (in order), user triggers off, indexes and foreign keys put back after.

    ``FREEZE``: the table was emptied in this transaction (``prepare_young_people``), so the rows are
    written already frozen and visible to all, with no later VACUUM pass rewriting every page.
    """
    from django.db import connection

    started = time.perf_counter()
    print(f"Loading {plan.rows:,} young people into {len(plan.departements)} organisations…", flush=True)
    columns = ", ".join(YOUNG_PEOPLE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE} CASCADE")  # FREEZE wants the emptying in this very subtransaction
        with (
            user_triggers_disabled(cursor),
            indexes_rebuilt_after(cursor, TABLE),
            cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN (FREEZE)") as copy,
        ):
            done = 0
            for chunk in chunks:
                copy.write(chunk)
                done += chunk.count(b"\n")
                if done % 250_000 == 0 or done == plan.rows:
                    print(f"  {done:>10,} rows copied ({time.perf_counter() - started:6.1f} s)", flush=True)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), %s + 1, false)",
            [plan.rows],
        )


def copy_young_people(population: Population, workers: int = 0) -> Plan:
    """The whole load in one transaction: plan, rows built by ``workers`` processes (0: as many as is
    worth it) and copied, indexes rebuilt. An interrupted load leaves the table as it was."""
    global _plan
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor, user_triggers_disabled(cursor):
        plan = prepare_young_people(population)
        _plan = plan
        with worker_pool(workers or default_workers(plan.rows)) as pool:
            copy_planned_young_people(plan, pool.imap(young_people_rows, plan.chunks()))
        _plan = None
        cursor.execute(f"COMMENT ON TABLE {TABLE} IS %s", [population.marker])
    return plan


# --- Queries ----------------------------------------------------------------------------------------

# What advisers type, and why each one is here.
FIXED_QUERIES: list[tuple[str, str]] = [
    ("Martin", "most frequent last name"),
    ("martin", "same, lower case"),
    ("Bernard", "frequent last name"),
    ("Lefèvre", "exact, accented"),
    ("lefevre", "accent-less typing"),
    ("Lefebre", "typo (Lefebvre/Lefèvre)"),
    ("Guerin", "accent-less (Guérin)"),
    ("Rouseau", "typo (Rousseau)"),
    ("N'Diaye", "apostrophe"),
    ("ndiaye", "apostrophe omitted"),
    ("D'Almeida", "apostrophe particle"),
    ("de la Fontaine", "particle « de la »"),
    ("Le Gall", "particle « Le »"),
    ("Dubois Léa", "last + first name"),
    ("Traore Aminata", "last + first, no accent"),
    ("Jean-Baptiste", "hyphen (last and first name)"),
    ("Maëlys", "first name only"),
    ("Dup", "3-letter beginning"),
]


def dynamic_queries(organisation: Organisation) -> list[tuple[str, str]]:
    """A rare name and one whole person of the actor's organisation, read from the data."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT last_name FROM {TABLE} WHERE organisation_id = %s
            GROUP BY last_name HAVING count(*) = 1 ORDER BY md5(last_name) LIMIT 1
            """,  # noqa: S608 (a constant)
            [organisation.pk],
        )
        rare = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT last_name, first_name FROM {TABLE} WHERE organisation_id = %s ORDER BY public_id LIMIT 1",  # noqa: S608
            [organisation.pk],
        )
        last, first = cursor.fetchone()
    return [(rare, "rare name (once in the organisation)"), (f"{last} {first}", "one person's full name")]


def largest_organisation(organisations: list[Organisation]) -> tuple[Organisation, int, int]:
    """The organisation with the most young people (the slowest case), its size, and the median size."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT organisation_id, count(*) FROM {TABLE} GROUP BY organisation_id")  # noqa: S608
        sizes = dict(cursor.fetchall())
    by_pk = {organisation.pk: organisation for organisation in organisations}
    largest = max(sizes, key=lambda pk: sizes[pk])
    return by_pk[largest], sizes[largest], int(statistics.median(sizes.values()))


Search = Callable[..., list[Any]]


@dataclasses.dataclass
class Measure:
    query: str
    why: str
    results: list[int]
    first_ms: float
    orm_ms: float
    raw_ms: float
    sql: list[str]

    @property
    def queries(self) -> int:
        return sum(1 for statement in self.sql if is_query(statement))

    @property
    def ratio(self) -> float:
        return self.orm_ms / self.raw_ms if self.raw_ms else float("inf")


def milliseconds_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def is_query(statement: str) -> bool:
    """False for the BEGIN/COMMIT/SAVEPOINT lines Django also records around ``transaction.atomic``."""
    return not statement.lstrip().upper().startswith(TRANSACTION_CONTROL)


def replay(statements: list[str], *, explain_last: bool = False) -> list[tuple[Any, ...]]:
    """Run the captured statements, transaction control included, on psycopg's own cursor (no Django
    in between); with ``explain_last``, EXPLAIN (ANALYZE, BUFFERS) the last query and return its plan."""
    from django.db import connection

    last_query = max(number for number, statement in enumerate(statements) if is_query(statement))
    rows: list[tuple[Any, ...]] = []
    with connection.connection.cursor() as raw:
        for number, statement in enumerate(statements):
            explained = explain_last and number == last_query
            raw.execute((("EXPLAIN (ANALYZE, BUFFERS) " if explained else "") + statement).encode())
            if raw.description is not None:
                fetched = raw.fetchall()
                if explained or not explain_last:
                    rows = fetched
    return rows


def measure(search: Search, actor: Actor, query: str, why: str) -> Measure:
    """The selector (first call, then the median of 5 warm calls) against its own SQL run raw 5 times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    results = search(actor=actor, query=query)
    first_ms = milliseconds_since(started)
    orm_runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        search(actor=actor, query=query)
        orm_runs.append(milliseconds_since(started))
    with CaptureQueriesContext(connection) as captured:
        search(actor=actor, query=query)
    statements = [str(entry["sql"]) for entry in captured.captured_queries]
    raw_runs = []
    for run in range(RUNS + 1):
        started = time.perf_counter()
        replay(statements)
        if run:  # the first run only warms up, like the selector's
            raw_runs.append(milliseconds_since(started))
    return Measure(
        query=query,
        why=why,
        results=[young_person.pk for young_person in results],
        first_ms=first_ms,
        orm_ms=statistics.median(orm_runs),
        raw_ms=statistics.median(raw_runs),
        sql=statements,
    )


def print_table(measures: list[Measure], reference: list[Measure] | None = None) -> None:
    """One line a query; with ``reference``, whether the results are the same, in the same order."""
    width = max(len(measure.query) for measure in measures)
    same = "  same" if reference else ""
    header = (
        f"{'#':>2}  {'query':<{width}}  {'results':>7}  {'SQL':>3}  {'1st call':>8}  {'ORM ms':>7}  "
        f"{'raw SQL ms':>10}  {'ORM/raw':>7}{same}  why"
    )
    print(header)
    print("-" * (len(header) + 30))
    for number, measure in enumerate(measures, 1):
        identical = ""
        if reference:
            identical = "   yes" if measure.results == reference[number - 1].results else "    NO"
        print(
            f"{number:>2}  {measure.query:<{width}}  {len(measure.results):>7}  {measure.queries:>3}  "
            f"{measure.first_ms:>8.1f}  {measure.orm_ms:>7.1f}  {measure.raw_ms:>10.1f}  {measure.ratio:>7.2f}"
            f"{identical}  {measure.why}"
        )


def summarise(measures: list[Measure]) -> bool:
    """Print the median, the max and the verdict; True when every search is under the budget."""
    slowest = max(measures, key=lambda m: m.orm_ms)
    over = [m for m in measures if m.orm_ms >= BUDGET_MS]
    print(
        f"\nORM: median {statistics.median(m.orm_ms for m in measures):.1f} ms, max {slowest.orm_ms:.1f} ms "
        f"(« {slowest.query} »); raw SQL: median {statistics.median(m.raw_ms for m in measures):.1f} ms, "
        f"max {max(m.raw_ms for m in measures):.1f} ms"
    )
    print(f"Machine: {machine_load()}")
    if over:
        print(f"Under {BUDGET_MS:.0f} ms for every search: NO — {len(over)} over: {', '.join(m.query for m in over)}")
    else:
        print(f"Under {BUDGET_MS:.0f} ms for every search: YES ({len(measures)}/{len(measures)})")
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest search, « {slowest.query} »:")
    for (line,) in replay(slowest.sql, explain_last=True):
        print(f"  {line}")
    return not over


def machine_load() -> str:
    """Other processes share the CPUs: a loaded machine slows every time down, say so beside them."""
    one, five, _fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} (1 min) {five:.2f} (5 min)"


def print_environment(organisation: Organisation, size: int, median_size: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute(
            "SELECT current_setting('shared_buffers'), current_setting('work_mem'), "
            "pg_size_pretty(pg_table_size(%s::regclass)), pg_size_pretty(pg_indexes_size(%s::regclass)), "
            "(SELECT count(*) FROM cej_youngperson), (SELECT count(*) FROM partners_user)",
            [TABLE, TABLE],
        )
        shared_buffers, work_mem, table_size, indexes_size, rows, users = cursor.fetchone()
    print(f"PostgreSQL {version} (shared_buffers {shared_buffers}, work_mem {work_mem}); {machine_load()}")
    print(f"{rows:,} young people (table {table_size}, its indexes {indexes_size}); {users:,} users")
    print(
        f"Adviser of « {organisation.name} », the largest organisation: {size:,} young people "
        f"(median organisation: {median_size:,})"
    )
    print(f"ORM and raw SQL: median of {RUNS} warm runs; « 1st call »: the first call of each query.\n")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_500_000, help="young people to load (default 1,500,000)")
    parser.add_argument("--organisations", type=int, default=600, help="Missions Locales (default 600)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated population")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("E2C_BENCH_DATA_DIR", DEFAULT_DATA_DIR)),
        help="embedded PostgreSQL of the bench (default .data/bench; keep the path short)",
    )
    parser.add_argument("--reload", action="store_true", help="load the young people again even if already loaded")
    arguments = parser.parse_args(argv)
    if arguments.rows < 1 or arguments.organisations < 1:
        parser.error("--rows and --organisations must be positive")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    start_django(arguments.data_dir.resolve())

    from cej.selectors.young_people import search_young_people

    organisations = ensure_organisations(arguments.organisations)
    population = Population(rows=arguments.rows, organisations=organisations, seed=arguments.seed)
    ensure_population(population, reload=arguments.reload)
    organisation, size, median_size = largest_organisation(organisations)
    actor = adviser_of(organisation)
    print_environment(organisation, size, median_size)
    queries = FIXED_QUERIES + dynamic_queries(organisation)
    measures = [measure(search_young_people, actor, query, why) for query, why in queries]
    print_table(measures)
    passed = summarise(measures)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
