"""Benchmark of the referral file (fiche de liaison) PDF, and of the batch export in a Celery worker.

Builds 200 referrals with realistic data (French names with accents, a CEJ for half of them, a
consent, one or two attachments, a timeline of 2 to 9 states, post-exit news for the exited) in its
own database (``orientations_e2c_bench_pdf`` in the bench's embedded PostgreSQL, ``.data/bench``),
then:

1. renders a minimal one-page PDF 20 times: the baseline of WeasyPrint on this machine, same run;
2. renders the 200 referral files one by one as the referring adviser sees them (the fullest view)
   and prints median / p90 / max per file against the 300 ms target, in wall-clock time (the
   target) and in CPU time of this process (what the rendering itself costs: on a machine shared
   with other busy processes the wall-clock time is mostly waiting for a core — compare the two,
   and the load average printed before and after);
3. starts a Celery worker process, hands it the ``referral_files`` export of the 200 files (the
   ``exports.tasks.build_export`` task) and, meanwhile, keeps answering "requests" in this process
   (a query every 50 ms): the batch runs in the worker, the web side stays responsive.

    .venv/bin/python -m bench.render_referral_files [--count 200] [--skip-worker]

Exit status 1 when the median is over the target.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from bench.french_names import FIRST_NAMES, LAST_NAMES

if TYPE_CHECKING:
    from partners.access import Actor
    from partners.models import Membership

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data" / "bench"
BENCH_DATABASE = "orientations_e2c_bench_pdf"
TARGET_MS = 300.0
BASELINE_RUNS = 20
PREFIX = "Banc PDF"
STATES = [
    "sent",
    "acknowledged",
    "invited",
    "attended",
    "interview",
    "integration",
    "enrolled",
    "exited",
]
SIDE_EXITS = {"acknowledged": "not_admitted", "invited": "no_show", "integration": "withdrawn"}
DIAGNOSTICS = [
    "Sorti(e) de 3e sans diplôme il y a deux ans ; petits boulots en restauration. Besoin de remise à niveau "
    "en français et en mathématiques avant d'envisager un CAP cuisine.",
    "Décrochage en 1re année de CAP électricité. Motivation réelle pour les métiers du bâtiment, mobilité "
    "limitée (pas de permis). Situation familiale stable ; aide au logement en cours.",
    "Parcours scolaire interrompu en seconde. A suivi une immersion en EHPAD très positive : projet d'aide-"
    "soignant(e) à consolider. Besoin d'un cadre régulier, 35 h par semaine lui conviendraient.",
]
MOTIVATIONS = [
    "Veut « apprendre un vrai métier » et passer son permis B ; intéressé(e) par l'alternance.",
    "Souhaite reprendre un rythme et obtenir l'attestation de compétences pour rassurer les employeurs.",
    "Aimerait découvrir plusieurs métiers en entreprise avant de choisir ; disponible immédiatement.",
]


def start_django(data_dir: Path) -> None:
    """The bench's embedded PostgreSQL (its own database) and Redis, Django set up and migrated."""
    os.environ["E2C_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"  # production has it off (DEBUG records every query)

    from bench.search_young_people import ensure_database_named
    from config import embedded

    embedded.acquire(need_database=True, need_redis=not os.environ.get("REDIS_URL"))
    pgdata = embedded.EmbeddedPostgres(embedded.data_dir()).pgdata
    ensure_database_named(pgdata, BENCH_DATABASE)
    os.environ["DATABASE_URL"] = f"postgres://postgres@{quote(str(pgdata), safe='')}/{BENCH_DATABASE}"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def ensure_data(count: int, seed: int) -> tuple[Membership, Membership]:
    """``count`` referrals from a Mission Locale to an E2C site (reused when already there).

    Returns the referring adviser's membership and the Mission Locale manager's.
    """
    from django.db import transaction
    from django.utils import timezone

    from cej.enums import AllowanceCategory, ConsentMethod, SharedData
    from cej.models import CejContract, Consent, YoungPerson
    from e2c_referrals.models import Attachment, PostExitNews, Referral, ReferralTransition
    from partners.enums import OrganisationKind, Role
    from partners.models import Departement, Membership, Organisation, User
    from partners.text import sort_key

    departement = Departement.objects.get(code="69")
    ml_name = f"{PREFIX} — Mission Locale de Lyon Sud-Est"
    ml, _ = Organisation.objects.get_or_create(
        name=ml_name,
        defaults={
            "sort_name": sort_key(ml_name),
            "kind": OrganisationKind.MISSION_LOCALE,
            "departement": departement,
            "region_id": departement.region_id,
            "address": "18 avenue Berthelot",
            "postcode": "69007",
            "commune": "Lyon",
            "phone": "+33478000000",
            "email": "contact@ml-lyon-sud-est.exemple.fr",
        },
    )
    site_name = f"{PREFIX} — E2C Lyon Métropole, site de Vénissieux"
    site, _ = Organisation.objects.get_or_create(
        name=site_name,
        defaults={
            "sort_name": sort_key(site_name),
            "kind": OrganisationKind.E2C_SITE,
            "departement": departement,
            "region_id": departement.region_id,
            "address": "3 rue Émile-Zola",
            "postcode": "69200",
            "commune": "Vénissieux",
            "phone": "+33472000000",
            "email": "accueil@e2c-venissieux.exemple.fr",
        },
    )

    def member(email: str, first: str, last: str, organisation: Organisation, role: str) -> Membership:
        user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last})
        membership, _ = Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": role})
        return membership

    adviser = member("conseillere.banc-pdf@exemple.fr", "Hélène", "Marchand-Lefèvre", ml, Role.ADVISER)
    manager = member("directeur.banc-pdf@exemple.fr", "Jérôme", "Dubois", ml, Role.MANAGER)
    staff = member("recrutement.banc-pdf@exemple.fr", "Aïcha", "Benali", site, Role.E2C_STAFF)
    if Referral.objects.filter(referring_organisation=ml).count() == count:
        return adviser, manager

    rng = random.Random(seed)  # noqa: S311 — reproducible synthetic data, not secrets
    today = timezone.localdate()
    with transaction.atomic():
        Referral.objects.filter(referring_organisation=ml).delete()
        YoungPerson.objects.filter(organisation=ml).delete()
        for index in range(count):
            birth = today - datetime.timedelta(days=rng.randint(16 * 365 + 10, 25 * 365))
            young_person = YoungPerson.objects.create(
                organisation=ml,
                referent=adviser.user,
                last_name=rng.choice(LAST_NAMES),
                first_name=rng.choice(FIRST_NAMES),
                birth_date=birth,
                email=f"jeune{index}@exemple.fr",
                phone=f"+336{rng.randint(10000000, 99999999)}",
                address=f"{rng.randint(1, 120)} rue de la République",
                postcode="69200",
                commune="Vénissieux",
                departement=departement,
                lives_in_qpv=rng.random() < 0.4,
                last_class=rng.choice(["3e générale", "2de professionnelle", "1re année de CAP"]),
                left_school_on=today - datetime.timedelta(days=rng.randint(400, 2000)),
                created_by=adviser.user,
            )
            cej = None
            if index % 2 == 0:
                cej = CejContract.objects.create(
                    young_person=young_person,
                    organisation=ml,
                    referent=adviser.user,
                    signed_on=today - datetime.timedelta(days=90),
                    starts_on=today - datetime.timedelta(days=90),
                    planned_end_on=today + datetime.timedelta(days=270),
                    weekly_hours=rng.choice([15, 18, 20]),
                    allowance_category=rng.choice(AllowanceCategory.values),
                )
            consent = Consent.objects.create(
                young_person=young_person,
                e2c_site=site,
                shared_data=list(SharedData.values) if index % 3 else [SharedData.IDENTITY, SharedData.DIAGNOSTIC],
                given_on=today - datetime.timedelta(days=60),
                method=ConsentMethod.ORAL,
                attestation="Notice d'information remise et expliquée ; accord donné.",
                recorded_by=adviser.user,
            )
            path = STATES[: rng.randint(1, len(STATES))]
            final = path[-1]
            if final in SIDE_EXITS and rng.random() < 0.3:
                path = [*path, SIDE_EXITS[final]]
                final = path[-1]
            sent_at = timezone.now() - datetime.timedelta(days=60 - index % 50, hours=index % 7)
            referral = Referral.objects.create(
                young_person=young_person,
                referring_organisation=ml,
                referring_adviser=adviser.user,
                e2c_site=site,
                status=final,
                sent_at=sent_at,
                status_changed_at=sent_at + datetime.timedelta(days=2 * len(path)),
                diagnostic=rng.choice(DIAGNOSTICS),
                motivation=rng.choice(MOTIVATIONS),
                cej_contract=cej,
                consent=consent,
                integration_starts_on=today - datetime.timedelta(days=20) if "integration" in path else None,
                integration_planned_end_on=today + datetime.timedelta(days=8) if "integration" in path else None,
                enrolled_on=today - datetime.timedelta(days=10) if "enrolled" in path else None,
                exited_on=today - datetime.timedelta(days=2) if final == "exited" else None,
                exit_outcome="apprenticeship" if final == "exited" else "",
            )
            Referral.objects.filter(pk=referral.pk).update(created_at=sent_at - datetime.timedelta(hours=3))
            previous = "draft"
            steps = []
            for step, state in enumerate(path):
                by_referrer = state == "sent"
                steps.append(
                    ReferralTransition(
                        referral=referral,
                        created_at=sent_at + datetime.timedelta(days=2 * step),
                        from_status=previous,
                        to_status=state,
                        actor=adviser.user if by_referrer else staff.user,
                        actor_organisation=ml if by_referrer else site,
                        reason="Ne s'est pas présenté(e) à l'entretien." if state in SIDE_EXITS.values() else "",
                    )
                )
                previous = state
            ReferralTransition.objects.bulk_create(steps)
            Attachment.objects.bulk_create(
                Attachment(
                    referral=referral,
                    file=f"referrals/{uuid.uuid4()}.pdf",
                    label=label,
                    content_type="application/pdf",
                    size=rng.randint(40_000, 900_000),
                    uploaded_by=adviser.user,
                )
                for label in ["CV à jour", "Bilan de l'immersion en entreprise"][: rng.randint(1, 2)]
            )
            if final == "exited":
                PostExitNews.objects.create(
                    referral=referral, news_on=today, situation="apprenticeship", recorded_by=staff.user
                )
    return adviser, manager


def actor_of(membership: Membership) -> Actor:
    from partners.access import Actor

    return Actor(user=membership.user, membership=membership)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_rendering(adviser: Membership) -> tuple[float, list[float]]:
    from pypdf import PdfReader

    from e2c_referrals.pdf.base import document_context, render_pdf
    from e2c_referrals.pdf.referral_file import referral_file_pdf
    from e2c_referrals.selectors.referrals import referrals_for_actor

    actor = actor_of(adviser)
    render_pdf("pdf/base.html", document_context(actor=actor, title="Échauffement"))  # fonts and stylesheet
    baseline, baseline_cpu = [], []
    for _ in range(BASELINE_RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        render_pdf("pdf/base.html", document_context(actor=actor, title="Page minimale"))
        baseline.append((time.perf_counter() - started) * 1000)
        baseline_cpu.append((time.process_time() - started_cpu) * 1000)
    referrals = list(
        referrals_for_actor(actor)
        .select_related("young_person", "referring_organisation", "referring_adviser", "e2c_site", "cej_contract")
        .order_by("id")
    )
    timings, cpu, pages = [], [], []
    for referral in referrals:
        started, started_cpu = time.perf_counter(), time.process_time()
        content = referral_file_pdf(referral, actor=actor)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        pages.append(len(PdfReader(io.BytesIO(content)).pages))
    print(
        f"Page minimale (référence, {BASELINE_RUNS} rendus) : médiane {statistics.median(baseline):.0f} ms "
        f"(CPU {statistics.median(baseline_cpu):.0f} ms)"
    )
    median = statistics.median(timings)
    print(
        f"Fiches de liaison ({len(timings)} rendus, {min(pages)} à {max(pages)} pages) : médiane {median:.0f} ms, "
        f"p90 {percentile(timings, 0.9):.0f} ms, max {max(timings):.0f} ms, "
        f"soit {median / statistics.median(baseline):.1f} × la page minimale"
    )
    print(
        f"Temps CPU de ce processus par fiche (hors PostgreSQL) : médiane {statistics.median(cpu):.0f} ms, "
        f"p90 {percentile(cpu, 0.9):.0f} ms, soit {statistics.median(cpu) / statistics.median(baseline_cpu):.1f} × "
        "la page minimale"
    )
    return median, timings


def measure_worker(manager: Membership, count: int) -> None:
    """The export job of ``count`` files run by a real Celery worker; this process keeps answering."""
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.utils import timezone

    from exports.models import ExportJob
    from exports.tasks import build_export

    queue = f"bench-pdf-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env=dict(os.environ),
    )
    try:
        today = timezone.localdate()
        job = ExportJob.objects.create(
            kind="referral_files",
            requested_by=manager.user,
            membership=manager,
            organisation=manager.organisation,
            parameters={
                "organisation": str(manager.organisation.public_id),
                "start": (today - datetime.timedelta(days=90)).isoformat(),
                "end": today.isoformat(),
            },
        )
        started = time.perf_counter()
        build_export.apply_async(args=(job.pk,), queue=queue)
        latencies: list[float] = []
        snapshots: list[tuple[float, int, int]] = []
        while True:
            tick = time.perf_counter()
            with connection.cursor() as cursor:  # what a web request of this process would do
                cursor.execute(
                    "SELECT status, progress_done, progress_total FROM exports_exportjob WHERE id = %s", [job.pk]
                )
                status, done, total = cursor.fetchone()
            latencies.append((time.perf_counter() - tick) * 1000)
            if not snapshots or snapshots[-1][1] != done:
                snapshots.append((time.perf_counter() - started, done, total))
            if status in ("done", "failed") or time.perf_counter() - started > 900:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    job.refresh_from_db()
    files = 0
    if job.file:
        with default_storage.open(str(job.file.name)) as handle:
            files = sum(1 for name in zipfile.ZipFile(handle).namelist() if name.endswith(".pdf"))
    print(
        f"Export par le worker Celery (pid {worker.pid}, ce processus : {os.getpid()}) : état « {job.status} », "
        f"{files} fiches dans le ZIP en {elapsed:.1f} s ({elapsed * 1000 / max(files, 1):.0f} ms par fiche)"
    )
    print(
        f"Pendant ce temps, ce processus a répondu {len(latencies)} fois : "
        f"médiane {statistics.median(latencies):.1f} ms, "
        f"max {max(latencies):.1f} ms ; avancement lu : "
        + ", ".join(f"{done}/{total} à {at:.0f} s" for at, done, total in snapshots[:: max(1, len(snapshots) // 6)])
    )


def write_images(adviser: Membership, folder: Path) -> None:
    """Page 1 of each document as PNG (pdftoppm, Debian's poppler-utils) for the README."""
    import tempfile

    from django.db.models import Count

    from e2c_referrals.pdf.referral_file import referral_file_pdf
    from e2c_referrals.personal_data import personal_data_pdf
    from e2c_referrals.selectors.referrals import referrals_for_actor

    actor = actor_of(adviser)
    referral = (
        referrals_for_actor(actor)
        .filter(cej_contract__isnull=False)
        .annotate(steps=Count("transitions"))
        .order_by("-steps", "id")
        .select_related("young_person", "referring_organisation", "referring_adviser", "e2c_site", "cej_contract")
        .first()
    )
    if referral is None:
        raise SystemExit("Aucune orientation avec un CEJ dans la base du banc d'essai.")
    folder.mkdir(parents=True, exist_ok=True)
    documents = {
        "fiche-de-liaison": referral_file_pdf(referral, actor=actor),
        "donnees-personnelles": personal_data_pdf(referral.young_person, actor=actor),
    }
    with tempfile.TemporaryDirectory() as scratch:
        for name, content in documents.items():
            source = Path(scratch) / f"{name}.pdf"
            source.write_bytes(content)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source), str(folder / name)],
                check=True,
            )
            print(f"{folder / name}.png")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-worker", action="store_true")
    parser.add_argument("--images", type=Path, help="write page 1 of each document as PNG in this folder, and stop")
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("E2C_BENCH_DATA_DIR", DEFAULT_DATA_DIR)))
    options = parser.parse_args()
    start_django(options.data_dir)
    adviser, manager = ensure_data(options.count, options.seed)
    if options.images:
        write_images(adviser, options.images)
        return 0
    print(f"Charge de la machine (1, 5, 15 min) : {', '.join(f'{load:.2f}' for load in os.getloadavg())}")
    median, _ = measure_rendering(adviser)
    print(f"Charge de la machine après le rendu : {', '.join(f'{load:.2f}' for load in os.getloadavg())}")
    verdict = "atteint" if median < TARGET_MS else "NON atteint"
    print(f"Objectif < {TARGET_MS:.0f} ms par fiche (médiane) : {verdict}")
    if not options.skip_worker:
        measure_worker(manager, options.count)
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
