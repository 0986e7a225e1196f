"""Benchmark of the everyday pages through gunicorn at national scale (``make bench-pages``).

The national dataset of ``make bench-reporting`` (loaded if the bench database is empty), two gunicorn
servers with ``config/gunicorn.py`` and the production settings: the application, and a plain Django
floor page (bench/floor.py: 50 rows of the 1.5-million-row young people table, session authentication,
a date and a URL per row). Then, in each of ``--runs`` runs:

1. p50 / p95 of every everyday page (lists, the inbox in each state filter, the file page, the referral
   page from both sides, home and the sessions list from each role), each request preceded by a request
   to the floor, pages in a new random order every round: the ratio of a page's p95 to the floor's p95
   is measured under the same load, at the same moments;
2. deep pages of the young people list: page 1, 50 and 150 (cursors followed like a person would);
3. ``wrk -t2 -c8`` throughput of the young people list and the inbox, each next to the floor's (floor,
   list, inbox, floor: the floor's figure is the mean of its two runs).

The query count of each page (a second visit, in-process, on the same database) is compared with
``bench/pages_queries.json``, the counts recorded before the work on these pages (``--record-queries``
writes it again). Targets: every page p95 ≤ 2.0 × the floor's, throughput ≥ 0.6 × the floor's, page 150
≤ 1.2 × page 1 (medians), no query count above its record. Exit code 1 when a target is missed in any run.

    .venv/bin/python -m bench.pages [--runs 3] [--rounds 30] [--wrk-seconds 10] [--data-dir DIR] [--scale 1]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import html
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.reporting_dashboard import add_data_dir_argument, ensure_dataset, machine_load, start_django

BASE_DIR = Path(__file__).resolve().parent.parent
QUERY_RECORD = Path(__file__).resolve().parent / "pages_queries.json"
SECRET_KEY = "bench-pages-secret-key-" + "x" * 40  # both servers and this process sign sessions with it
HOST = "127.0.0.1"
COOKIE_NAME = "__Host-sessionid"  # the production settings' session cookie
P95_TARGET = 2.0
THROUGHPUT_TARGET = 0.6
DEPTH_TARGET = 1.2
DEEP_PAGES = (1, 50, 150)
LIST_PAGE = "Jeunes (liste)"  # page 1 of the young people list


def deep_page_name(depth: int) -> str:
    return LIST_PAGE if depth == 1 else f"Jeunes, page {depth}"


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    account: str  # key of Accounts.sessions
    url: str


@dataclasses.dataclass
class Accounts:
    """The signed-in people of the bench (the busiest organisation of each kind) and their sessions."""

    sessions: dict[str, str]  # account key -> session key
    described: dict[str, str]  # account key -> what it is, for the output


# --- Set-up: actors, sessions, pages ------------------------------------------------------------------


def busiest_accounts() -> tuple[Accounts, dict[str, Any]]:
    """One account per role in the busiest organisations of the dataset, signed in (2FA verified)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cej.models import YoungPerson
    from common.middleware import LAST_SEEN_AT, SIGNED_IN_AT
    from e2c_referrals.enums import OPEN_STATUSES, ReferralStatus
    from e2c_referrals.models import Referral
    from partners.enums import OrganisationKind, Role
    from partners.models import Membership, Organisation
    from partners.services.two_factor import TWO_FACTOR_ROLES

    def busiest(queryset: Any, field: str) -> int:
        row = queryset.values(field).annotate(n=Count("id")).order_by("-n").first()
        if row is None:
            raise SystemExit("The bench database holds no national dataset (--scale 0.1 loads a small one).")
        return int(row[field])

    biggest_list = busiest(YoungPerson.objects.all(), "organisation_id")
    busiest_site = busiest(Referral.objects.all(), "e2c_site_id")
    busiest_referrer = busiest(Referral.objects.filter(e2c_site_id=busiest_site), "referring_organisation_id")
    referral = (
        Referral.objects.filter(
            e2c_site_id=busiest_site,
            referring_organisation_id=busiest_referrer,
            status__in=sorted(OPEN_STATUSES - {ReferralStatus.DRAFT}),
        )
        .order_by("-status_changed_at")
        .first()
    )
    if referral is None:
        raise SystemExit("No referral in progress between the busiest E2C site and its busiest referrer.")
    site = Organisation.objects.get(pk=busiest_site)
    members = {
        "adviser_list": Membership.objects.filter(organisation_id=biggest_list, role=Role.ADVISER),
        "adviser": Membership.objects.filter(organisation_id=busiest_referrer, role=Role.ADVISER),
        "e2c_staff": Membership.objects.filter(organisation_id=busiest_site, role=Role.E2C_STAFF),
        "manager": Membership.objects.filter(organisation_id=site.parent_id or 0, role=Role.MANAGER),
        "coordinator": Membership.objects.filter(
            organisation__kind=OrganisationKind.ARML,
            organisation__region_id=site.region_id,
            role=Role.REGIONAL_COORDINATOR,
        ),
        "committee": Membership.objects.filter(role=Role.NATIONAL_COMMITTEE),
    }
    sessions, described = {}, {}
    now = time.time()
    for key, memberships in members.items():
        membership = memberships.select_related("user", "organisation").order_by("pk").first()
        if membership is None:
            continue
        user = membership.user
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[SIGNED_IN_AT] = now
        store[LAST_SEEN_AT] = now
        if membership.role in TWO_FACTOR_ROLES:
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="banc d'essai", defaults={"confirmed": True})
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        sessions[key] = str(store.session_key)
        described[key] = f"{membership.get_role_display()} — {membership.organisation.name}"
    return Accounts(sessions=sessions, described=described), {"referral": referral, "site": site}


def everyday_pages(accounts: Accounts, found: dict[str, Any]) -> list[Page]:
    from e2c_referrals.enums import ReferralStatus

    referral = found["referral"]
    pages = [
        Page(LIST_PAGE, "adviser_list", "/jeunes/"),
        Page("Dossier du jeune", "adviser", f"/jeunes/{referral.young_person.public_id}/"),
        Page("Orientations envoyées", "adviser", "/orientations/envoyees/"),
        Page("Orientations envoyées, toutes", "adviser", "/orientations/envoyees/?etat=toutes"),
        Page("Orientation, vue du prescripteur", "adviser", f"/orientations/{referral.public_id}/"),
        Page("Orientation, vue de l'E2C", "e2c_staff", f"/orientations/{referral.public_id}/"),
        Page("Orientations reçues (en cours)", "e2c_staff", "/orientations/recues/"),
        Page("Orientations reçues, toutes", "e2c_staff", "/orientations/recues/?etat=toutes"),
    ]
    pages += [
        Page(f"Orientations reçues, « {status.label} »", "e2c_staff", f"/orientations/recues/?etat={status.value}")
        for status in ReferralStatus
        if status != ReferralStatus.DRAFT
    ]
    pages.append(Page("Orientations reçues (direction)", "manager", "/orientations/recues/"))
    for account in ("adviser", "e2c_staff", "manager", "coordinator", "committee"):
        pages.append(Page(f"Accueil ({account})", account, "/"))
    for account in ("adviser", "e2c_staff", "manager"):
        pages.append(Page(f"Séances ({account})", account, "/seances/"))
    return [page for page in pages if page.account in accounts.sessions]


def record_query_counts(pages: list[Page], accounts: Accounts) -> dict[str, int]:
    """Queries of each page on a second visit (the first may fill per-session caches), in-process."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    counts = {}
    for page in pages:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = accounts.sessions[page.account]
        client.get(page.url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url)
        if response.status_code != 200:
            raise SystemExit(f"{page.name} ({page.url}) answers {response.status_code} in-process.")
        counts[page.name] = len(queries)
    return counts


# --- The servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def server_environment(settings_module: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        DJANGO_DEBUG="false",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return environment


def collect_static() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=server_environment("config.settings.production"),
        check=True,
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def headers(session_key: str) -> dict[str, str]:
    # Behind the production proxy: HTTPS as SECURE_PROXY_SSL_HEADER says (no redirect to https://).
    return {"Cookie": f"{COOKIE_NAME}={session_key}", "X-Forwarded-Proto": "https"}


class Gunicorn:
    """``gunicorn -c config/gunicorn.py`` on a free port of 127.0.0.1 (its access log in a file)."""

    def __init__(self, settings_module: str, log: Path) -> None:
        self.port = free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"{HOST}:{self.port}",
                "config.wsgi:application",
            ],
            cwd=BASE_DIR,
            env=server_environment(settings_module),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (see {self.log.name}).")
            try:
                with OPENER.open(urllib.request.Request(self.url(path), headers=headers("")), timeout=5):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within 60 s (see {self.log.name}).")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=40)
        self.log.close()


def fetch(url: str, session_key: str) -> tuple[float, int, bytes]:
    """(milliseconds, status, body) of one GET on a new connection (gunicorn's sync workers close it)."""
    request = urllib.request.Request(url, headers=headers(session_key))  # noqa: S310 (http://127.0.0.1 only)
    started = time.perf_counter()
    try:
        with OPENER.open(request, timeout=30) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return (time.perf_counter() - started) * 1000, status, body


NEXT_LINK = re.compile(r'href="([^"]*)" rel="next"')


def deep_page_urls(app: Gunicorn, session_key: str) -> dict[int, str]:
    """The URLs of pages 1, 50 and 150 of the young people list, following « Page suivante » links."""
    urls, url, page = {}, "/jeunes/", 1
    while True:
        if page in DEEP_PAGES:
            urls[page] = url
        if page == max(DEEP_PAGES):
            return urls
        _ms, status, body = fetch(app.url(url), session_key)
        match = NEXT_LINK.search(body.decode())
        if status != 200 or match is None:
            raise SystemExit(f"The young people list has only {page} pages: page {max(DEEP_PAGES)} is needed.")
        url, page = "/jeunes/" + html.unescape(match.group(1)), page + 1


def check_pages(app: Gunicorn, floor: Gunicorn, pages: list[Page], accounts: Accounts) -> None:
    """Every page answers 200 to its account (not a sign-in page, not an error): else nothing is measured."""
    any_session = next(iter(accounts.sessions.values()))
    _ms, status, _body = fetch(floor.url("/plancher/"), any_session)
    if status != 200:
        raise SystemExit(f"The floor answers {status}.")
    for page in pages:
        _ms, status, _body = fetch(app.url(page.url), accounts.sessions[page.account])
        if status != 200:
            raise SystemExit(f"{page.name} ({page.url}) answers {status} through gunicorn.")


# --- Measures -----------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclasses.dataclass
class Latencies:
    floor: list[float]
    pages: dict[str, list[float]]


def measure_latencies(
    app: Gunicorn, floor: Gunicorn, pages: list[Page], accounts: Accounts, rounds: int, rng: random.Random
) -> Latencies:
    floor_session = accounts.sessions[pages[0].account]
    result = Latencies(floor=[], pages={page.name: [] for page in pages})
    for page in pages:  # warm-up: every worker's caches, PostgreSQL's buffers
        for _ in range(3):
            fetch(app.url(page.url), accounts.sessions[page.account])
            fetch(floor.url("/plancher/"), floor_session)
    for _ in range(rounds):
        order = list(pages)
        rng.shuffle(order)
        for page in order:
            floor_ms, floor_status, _ = fetch(floor.url("/plancher/"), floor_session)
            page_ms, page_status, _ = fetch(app.url(page.url), accounts.sessions[page.account])
            if floor_status != 200 or page_status != 200:
                raise SystemExit(f"{page.name}: {page_status} (floor {floor_status}) during the measure.")
            result.floor.append(floor_ms)
            result.pages[page.name].append(page_ms)
    return result


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*")


def wrk_rate(url: str, session_key: str, seconds: int) -> float:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency"]
    for name, value in headers(session_key).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = WRK_ERRORS.search(output)
    if errors:
        raise SystemExit(f"wrk {url}: {errors.group(0)}")
    match = WRK_RATE.search(output)
    if match is None:
        raise SystemExit(f"wrk printed no rate:\n{output}")
    return float(match.group(1))


@dataclasses.dataclass
class Throughput:
    floor: float
    pages: dict[str, float]


def measure_throughput(
    app: Gunicorn, floor: Gunicorn, targets: list[Page], accounts: Accounts, seconds: int
) -> Throughput:
    floor_session = accounts.sessions[targets[0].account]
    floor_rates = [wrk_rate(floor.url("/plancher/"), floor_session, seconds)]
    rates = {page.name: wrk_rate(app.url(page.url), accounts.sessions[page.account], seconds) for page in targets}
    floor_rates.append(wrk_rate(floor.url("/plancher/"), floor_session, seconds))
    return Throughput(floor=statistics.mean(floor_rates), pages=rates)


# --- One run, and the verdict -------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    number: int
    load_before: str
    latencies: Latencies
    throughput: Throughput
    missed: list[str]


def french(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")


def one_run(number: int, app: Gunicorn, floor: Gunicorn, pages: list[Page], accounts: Accounts, arguments: Any) -> Run:
    load_before = machine_load()
    print(f"\n## Run {number} — {load_before}", flush=True)
    rng = random.Random(arguments.seed + number)  # noqa: S311 (an order of pages, no secret)
    latencies = measure_latencies(app, floor, pages, accounts, arguments.rounds, rng)
    wrk_targets = [page for page in pages if page.name in (LIST_PAGE, "Orientations reçues (en cours)")]
    throughput = measure_throughput(app, floor, wrk_targets, accounts, arguments.wrk_seconds)
    missed = []
    floor_p50, floor_p95 = statistics.median(latencies.floor), p95(latencies.floor)
    print(f"\n| page | p50 ms | p95 ms | p95 / plancher | cible ≤ {french(P95_TARGET)} |")
    print("|---|---:|---:|---:|---|")
    floor_row = f"{french(floor_p50)} | {french(floor_p95)} | 1,00 |"
    print(f"| **plancher Django** (50 lignes, {len(latencies.floor)} requêtes) | {floor_row} |")
    for page in pages:
        values = latencies.pages[page.name]
        ratio = p95(values) / floor_p95
        ok = ratio <= P95_TARGET
        if not ok:
            missed.append(f"run {number}: {page.name} p95 {french(ratio, 2)} × the floor")
        verdict = "oui" if ok else "**NON**"
        times = f"{french(statistics.median(values))} | {french(p95(values))}"
        print(f"| {page.name} | {times} | {french(ratio, 2)} | {verdict} |")
    deep = {depth: statistics.median(latencies.pages[deep_page_name(depth)]) for depth in DEEP_PAGES}
    print("\n| profondeur (liste des jeunes) | p50 ms | / page 1 | cible ≤ 1,2 |")
    print("|---|---:|---:|---|")
    for depth, median in deep.items():
        ratio = median / deep[1]
        ok = ratio <= DEPTH_TARGET
        if not ok:
            missed.append(f"run {number}: page {depth} {french(ratio, 2)} × page 1")
        print(f"| page {depth} | {french(median)} | {french(ratio, 2)} | {'oui' if ok else '**NON**'} |")
    wrk_heading = f"débit (wrk -t2 -c8, {arguments.wrk_seconds} s)"
    print(f"\n| {wrk_heading} | requêtes/s | / plancher | cible ≥ {french(THROUGHPUT_TARGET)} |")
    print("|---|---:|---:|---|")
    print(f"| plancher Django (moyenne de deux mesures, avant et après) | {french(throughput.floor)} | 1,00 | |")
    for name, rate in throughput.pages.items():
        ratio = rate / throughput.floor
        ok = ratio >= THROUGHPUT_TARGET
        if not ok:
            missed.append(f"run {number}: {name} throughput {french(ratio, 2)} × the floor")
        print(f"| {name} | {french(rate)} | {french(ratio, 2)} | {'oui' if ok else '**NON**'} |")
    print(f"\nAfter run {number}: {machine_load()}", flush=True)
    return Run(number, load_before, latencies, throughput, missed)


def compare_query_counts(counts: dict[str, int], record: dict[str, int]) -> list[str]:
    missed = []
    print("\n| page | requêtes SQL | enregistrées avant | |")
    print("|---|---:|---:|---|")
    for name, count in counts.items():
        before = record.get(name)
        ok = before is None or count <= before
        if not ok:
            missed.append(f"{name}: {count} queries, {before} recorded")
        print(f"| {name} | {count} | {'—' if before is None else before} | {'oui' if ok else '**NON**'} |")
    return missed


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=30, help="requests per page and run (p95 of these)")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scale", type=float, default=1.0, help="volume generated if the database is empty")
    parser.add_argument("--record-queries", action="store_true", help=f"write the counts to {QUERY_RECORD.name}")
    add_data_dir_argument(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench-pages` installs it (Debian package wrk).")
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY
    start_django(arguments.data_dir.resolve())
    ensure_dataset(seed=arguments.seed, regenerate=False, scale=arguments.scale)
    accounts, found = busiest_accounts()
    for key, description in accounts.described.items():
        print(f"  {key}: {description}")
    pages = everyday_pages(accounts, found)
    counts = record_query_counts(pages, accounts)
    if arguments.record_queries:
        QUERY_RECORD.write_text(json.dumps(counts, ensure_ascii=False, indent=2) + "\n")
        print(f"Query counts written to {QUERY_RECORD}")
    record = json.loads(QUERY_RECORD.read_text()) if QUERY_RECORD.exists() else {}
    collect_static()
    logs = arguments.data_dir.resolve()
    app = Gunicorn("config.settings.production", logs / "gunicorn-app.log")
    floor = Gunicorn("bench.floor_settings", logs / "gunicorn-floor.log")
    try:
        app.wait_ready("/")
        floor.wait_ready("/plancher/")
        check_pages(app, floor, pages, accounts)
        deep = deep_page_urls(app, accounts.sessions["adviser_list"])
        pages += [Page(deep_page_name(depth), "adviser_list", url) for depth, url in deep.items() if depth != 1]
        print(f"\n{len(pages)} pages, {arguments.rounds} requests each per run, each after a request to the floor.")
        runs = [one_run(number, app, floor, pages, accounts, arguments) for number in range(1, arguments.runs + 1)]
    finally:
        app.stop()
        floor.stop()
    missed = [miss for run in runs for miss in run.missed] + compare_query_counts(counts, record)
    worst = max(
        (p95(run.latencies.pages[page.name]) / p95(run.latencies.floor), page.name, run.number)
        for run in runs
        for page in pages
    )
    print(f"\nWorst p95 ratio over {len(runs)} runs: {french(worst[0], 2)} ({worst[1]}, run {worst[2]}).")
    if missed:
        print("\nTargets missed:\n- " + "\n- ".join(missed))
        return 1
    print("\nEvery target met in every run.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
