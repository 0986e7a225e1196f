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
import os
import random
import statistics
import string
import sys
import time
import uuid
from collections.abc import Callable, Iterator
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
ORGANISATION_PREFIX = "Mission Locale (banc d'essai)"
ADVISER_EMAIL = "conseiller.banc-essai@exemple.fr"
REFERENT_DOMAIN = "referents.banc-essai.exemple.fr"
# An adviser is the referent of about this many young people (and of none for 10% of them).
FILES_PER_REFERENT = 150
# Bump when the generator changes: the next run reloads instead of reusing rows generated differently.
GENERATOR_VERSION = 2
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


def postcode_of(departement_code: str, rng: random.Random) -> str:
    if departement_code in ("2A", "2B"):
        return f"20{rng.randrange(1000):03d}"
    if len(departement_code) == 3:
        return f"{departement_code}{rng.randrange(100):02d}"
    return f"{departement_code}{rng.randrange(1000):03d}"


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


def row_builders(
    population: Population, rng: random.Random, weights: list[float], referents: dict[int, list[int]]
) -> dict[str, Callable[[int], str]]:
    """For each column COPY fills, how to build its text value for the row of that index.

    The keys must be exactly the table's columns except ``id`` and the generated ``search_name``;
    ``load`` checks it, so a field added to YoungPerson stops the bench with a clear message.
    """
    organisations = population.organisations
    organisation_cumulative = list(_accumulate(weights))
    last_cumulative = zipf_cumulative_weights(len(LAST_NAMES), 0.5)
    first_cumulative = zipf_cumulative_weights(len(FIRST_NAMES), 0.6)
    today = datetime.date.today()
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    state: dict[str, Any] = {}

    def organisation(index: int) -> str:
        chosen = rng.choices(organisations, cum_weights=organisation_cumulative)[0]
        state["organisation"] = chosen.pk
        state["departement"] = chosen.departement_id or ""
        state["birth_date"] = today - datetime.timedelta(days=rng.randrange(16 * 365 + 4, 26 * 365 + 6))
        return str(chosen.pk)

    def last_name(index: int) -> str:
        draw = rng.random()
        if draw < 0.40:  # a frequent name, Martin first
            return text(rng.choices(LAST_NAMES, cum_weights=last_cumulative)[0])
        if draw < 0.45:  # a double name
            first, second = rng.choices(LAST_NAMES, cum_weights=last_cumulative, k=2)
            return text(f"{first}-{second}")
        return text(tail_last_name(rng))

    def first_name(index: int) -> str:
        name = rng.choices(FIRST_NAMES, cum_weights=first_cumulative)[0]
        if rng.random() < 0.08:
            name += " " + rng.choices(FIRST_NAMES, cum_weights=first_cumulative)[0]
        return text(name)

    def timestamp(index: int) -> str:
        return (now - datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400))).isoformat()

    def left_school_on(index: int) -> str:
        if rng.random() < 0.25:
            return NULL
        birth_date: datetime.date = state["birth_date"]
        left = birth_date + datetime.timedelta(days=rng.randrange(16 * 365, 21 * 365))
        return min(left, today - datetime.timedelta(days=30)).isoformat()

    def referent(index: int) -> str:
        if rng.random() < 0.1:
            return NULL
        return str(rng.choice(referents[state["organisation"]]))

    def departement_code() -> str:
        return str(state["departement"])

    def boolean(probability: float) -> Callable[[int], str]:
        return lambda index: "t" if rng.random() < probability else "f"

    def sometimes(probability: float, build: Callable[[int], str]) -> Callable[[int], str]:
        return lambda index: build(index) if rng.random() < probability else ""

    return {
        # Column order matters: organisation_id draws the row's département and birth date first.
        "organisation_id": organisation,
        "created_at": timestamp,
        "updated_at": timestamp,
        "public_id": lambda index: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "referent_id": referent,
        "last_name": last_name,
        "first_name": first_name,
        "birth_date": lambda index: state["birth_date"].isoformat(),
        "email": sometimes(0.75, lambda index: f"jeune.{index}@exemple.fr"),
        "phone": sometimes(0.8, lambda index: f"0{rng.choice('67')}{rng.randrange(10**8):08d}"),
        "address": sometimes(0.9, lambda index: text(f"{rng.randrange(1, 120)} {rng.choice(STREETS)}")),
        "postcode": lambda index: postcode_of(departement_code(), rng) if departement_code() else "",
        "commune": lambda index: "",
        "departement_id": lambda index: departement_code() or NULL,
        "lives_in_qpv": boolean(0.2),
        "lives_in_zrr": boolean(0.08),
        "qualification_level": lambda index: rng.choices(QUALIFICATIONS, weights=QUALIFICATION_WEIGHTS)[0],
        "last_class": lambda index: text(rng.choice(LAST_CLASSES)),
        "left_school_on": left_school_on,
        "has_rqth": boolean(0.05),
        # i-milo numbers are unique: derived from the row index.
        "imilo_number": sometimes(0.45, lambda index: str(3_000_000 + index)),
        "france_travail_id": sometimes(
            0.3, lambda index: f"{rng.randrange(10**7):07d}{rng.choice(string.ascii_uppercase)}"
        ),
        "created_by_id": lambda index: NULL,
    }


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


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

    return [
        str(field.column)
        for field in YoungPerson._meta.concrete_fields
        if not field.primary_key and not getattr(field, "generated", False)
    ]


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
    """COPY the rows in one transaction (``copy_young_people``), then VACUUM ANALYZE."""
    from django.db import connection

    started = time.perf_counter()
    copy_young_people(population)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {TABLE}")
        cursor.execute("VACUUM (ANALYZE) partners_user")
    print(f"Loaded, indexed and analysed in {time.perf_counter() - started:.0f} s.")


def copy_young_people(population: Population) -> None:
    """COPY the rows in one transaction (also used by ``reporting``'s national dataset generator).

    The usual bulk load: the table's foreign keys and secondary indexes are dropped for the copy and put
    back after it from their own definitions (so they stay exactly the migrations' ones): a foreign key
    added to a full table is checked by one join instead of 1.5 million row-by-row triggers, an index
    is built once instead of updated 1.5 million times. All in one transaction: an interrupted load
    leaves the table as it was.
    """
    from django.db import connection, transaction

    rng = random.Random(population.seed)  # noqa: S311 (synthetic data, not security)
    started = time.perf_counter()
    print(f"Loading {population.rows:,} young people into {len(population.organisations)} organisations…")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE")
        weights = organisation_weights(population, rng)
        referents = create_referents(population, weights)
        print(f"  {sum(map(len, referents.values())):,} referent advisers created", flush=True)
        # Deleting the previous run's referents queued deferred foreign-key checks against this table:
        # run them now, while it is empty (after the copy, each would read 1.5 million rows).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        builders = row_builders(population, rng, weights, referents)
        columns = copy_columns()
        if set(columns) != set(builders):
            raise SystemExit(
                "YoungPerson's columns changed: update bench.search_young_people.row_builders "
                f"(missing: {sorted(set(columns) - set(builders))}, "
                f"unknown: {sorted(set(builders) - set(columns))})."
            )
        ordered = [builders[column] for column in builders]  # builders' order: organisation_id first
        column_list = ", ".join(builders)
        with indexes_rebuilt_after(cursor, TABLE), cursor.copy(f"COPY {TABLE} ({column_list}) FROM STDIN") as copy:
            for start in range(0, population.rows, COPY_CHUNK):
                lines = []
                for index in range(start, min(start + COPY_CHUNK, population.rows)):
                    lines.append("\t".join([build(index) for build in ordered]))
                copy.write("\n".join(lines) + "\n")
                done = min(start + COPY_CHUNK, population.rows)
                if done % 250_000 == 0 or done == population.rows:
                    print(f"  {done:>10,} rows copied ({time.perf_counter() - started:6.1f} s)", flush=True)
        cursor.execute(f"COMMENT ON TABLE {TABLE} IS %s", [population.marker])


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
