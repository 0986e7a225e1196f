"""Benchmark of the reporting dashboard at national scale (``make bench-reporting``).

Fills a dedicated embedded PostgreSQL database (``.data/bench``, database ``orientations_e2c_reporting``:
the development database is never touched) with ``bench.national_dataset`` (18 régions, ~800
organisations, 1.5 million young people, 300,000 referrals over 5 years) unless already there, then
times the dashboard pages (Django test client, a signed-in national committee member) for the last
closed semester at national, région and organisation level, and the XLSX export, each next to the raw
SQL time of the same aggregates measured in the same run. Targets: page ≤ 1.5 × its SQL, national < 1 s.

    .venv/bin/python -m bench.reporting_dashboard [--regenerate] [--scale 1] [--data-dir DIR] [--seed 2026]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data" / "bench"
DATABASE = "orientations_e2c_reporting"
RUNS = 15


def start_django(data_dir: Path) -> None:
    """The bench's own embedded PostgreSQL and database, migrated; Django set up (DEBUG off)."""
    os.environ["E2C_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"

    from bench.search_young_people import ensure_database_named
    from config import embedded

    embedded.acquire(need_database=True, need_redis=not os.environ.get("REDIS_URL"))
    pgdata = embedded.EmbeddedPostgres(embedded.data_dir()).pgdata
    ensure_database_named(pgdata, DATABASE)
    os.environ["DATABASE_URL"] = f"postgres://postgres@{quote(str(pgdata), safe='')}/{DATABASE}"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def ensure_dataset(*, seed: int, regenerate: bool, scale: float = 1.0) -> None:
    """The national dataset (``scale`` < 1: that fraction of the young people and referrals, to try the
    bench quickly), unless the database already holds one."""
    from django.core.management import call_command

    from bench.national_dataset import Command, Sizes, database_is_empty

    if not database_is_empty() and not regenerate:
        print("National dataset already loaded: generation skipped (--regenerate to load it again).")
        return
    sizes = Sizes()
    young_people, referrals = round(sizes.young_people * scale), round(sizes.referrals * scale)
    print(f"Before generation: {machine_load()}", flush=True)
    started = time.perf_counter()
    call_command(Command(), seed=seed, force=regenerate, young_people=young_people, referrals=referrals)
    print(f"generate_national_dataset: {time.perf_counter() - started:.0f} s wall time", flush=True)
    print(f"After generation: {machine_load()}\n", flush=True)


def median_ms(function: Callable[[], Any], runs: int = RUNS) -> float:
    function()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def machine_load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.2f} (1 min) {five:.2f} (5 min)"


def add_data_dir_argument(parser: argparse.ArgumentParser) -> None:
    """``--data-dir``: the benches' own embedded PostgreSQL (shared by bench.pages)."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("E2C_BENCH_DATA_DIR", DEFAULT_DATA_DIR)),
        help="embedded PostgreSQL of the bench (default .data/bench; keep the path short)",
    )


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--regenerate", action="store_true", help="empty the bench database and generate again")
    parser.add_argument("--generate-only", action="store_true", help="load the dataset, measure nothing")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of the national volume to generate (default 1: 1.5 million young people)",
    )
    add_data_dir_argument(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    start_django(arguments.data_dir.resolve())
    ensure_dataset(seed=arguments.seed, regenerate=arguments.regenerate, scale=arguments.scale)
    if arguments.generate_only:
        return 0
    return measure_all()


@dataclasses.dataclass
class Measure:
    what: str
    page_ms: float
    sql_ms: float
    queries: int
    size: int

    @property
    def ratio(self) -> float:
        return self.page_ms / self.sql_ms if self.sql_ms else float("inf")


def measure(client: Any, what: str, url: str) -> Measure:
    """The page through the test client against the raw SQL of the same aggregates: the statements the
    page sent, captured, replayed on psycopg's own cursor. Runs interleaved (page, SQL, page, SQL…)
    so both meet the same machine load; medians of the warm runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.search_young_people import is_query, replay

    def get() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: status {response.status_code}")
        return response

    with CaptureQueriesContext(connection) as captured:
        response = get()  # also the warm-up
    statements = [str(entry["sql"]) for entry in captured.captured_queries]
    replay(statements)
    page_runs, sql_runs = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        get()
        page_runs.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        replay(statements)
        sql_runs.append((time.perf_counter() - started) * 1000)
    return Measure(
        what=what,
        page_ms=statistics.median(page_runs),
        sql_ms=statistics.median(sql_runs),
        queries=sum(1 for statement in statements if is_query(statement)),
        size=len(response.content),
    )


def measure_all() -> int:
    from django.conf import settings
    from django.test import Client

    from bench.national_dataset import NATIONAL_MEMBER_EMAIL
    from partners.models import Organisation, User
    from reporting.indicators import Period

    today = datetime.date.today()
    period = Period.last_complete_semester(today)
    query = f"?semestre={period.semester_code}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Signed in with force_login: the two-factor step of the committee's accounts is not what is timed.
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("TwoFactorRequiredMiddleware")]
    client = Client()
    client.force_login(User.objects.get(email=NATIONAL_MEMBER_EMAIL))
    busiest_region = "84" if Organisation.objects.filter(region_id="84", kind="e2c_site").exists() else None
    region = busiest_region or Organisation.objects.filter(kind="e2c_site").values_list("region_id", flat=True)[0]
    site = Organisation.objects.filter(kind="e2c_site", region_id=region).order_by("pk").first()
    assert site is not None  # noqa: S101
    pages = [
        ("national dashboard", f"/indicateurs/{query}"),
        (f"région {region} dashboard", f"/indicateurs/region/{region}/{query}"),
        ("E2C site dashboard", f"/indicateurs/organisation/{site.public_id}/{query}"),
    ]
    if EXPORTS:
        pages.append(("national XLSX export", f"/indicateurs/export.xlsx{query}"))
    print(f"{machine_load()}; semester {period.label}; median of {RUNS} warm runs\n")
    measures = [measure(client, what, url) for what, url in pages]
    print(f"{'what':<28} {'page ms':>8} {'raw SQL ms':>10} {'page/SQL':>8} {'queries':>7} {'bytes':>9}")
    for m in measures:
        print(f"{m.what:<28} {m.page_ms:>8.0f} {m.sql_ms:>10.0f} {m.ratio:>8.2f} {m.queries:>7} {m.size:>9,}")
    national = measures[0]
    ok = national.page_ms < 1000 and all(m.ratio <= 1.5 for m in measures)
    print(f"\nTargets (page ≤ 1.5 × its SQL, national < 1 s): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


EXPORTS = True


if __name__ == "__main__":
    sys.exit(main())
