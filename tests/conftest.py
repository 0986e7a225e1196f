import copy
import importlib

import pytest
from django.apps import apps

from cej.models import AllowanceRate
from partners.models import Region
from retention.models import RetentionPolicy

geography_migration = importlib.import_module("partners.migrations.0002_load_geography")
allowance_migration = importlib.import_module("cej.migrations.0004_allowance_rates")
retention_migration = importlib.import_module("retention.migrations.0002_default_policies")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test never land in the developer's .data/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_rate_limit_counter():
    """Each test starts with no rate-limit counter: its process's own Redis database is emptied
    (config/settings/test.py gives each xdist worker one, never the broker's)."""
    from django.conf import settings
    from django.core.cache import cache

    from config.settings.base import redis_database

    assert redis_database(settings.REDIS_URL) != settings.CACHE_REDIS_DATABASE, "never empty the broker's database"
    cache.clear()


@pytest.fixture(autouse=True)
def _code_typed_on_test_sign_in(monkeypatch):
    """client.force_login() and client.login() stand for the whole sign-in, two-factor code included
    (partners.middleware.TwoFactorRequiredMiddleware); tests/partners/test_two_factor.py signs in through
    the pages to test the code itself."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    original = Client._login

    def login_with_code(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = "tests.signed-in-with-code"
        session.save()

    monkeypatch.setattr(Client, "_login", login_with_code)


@pytest.fixture(autouse=True)
def _geography(request):
    """Reference data loaded by migrations (régions and départements, CEJ allowance rates, retention
    durations), back after a transactional test's flush."""
    if request.node.get_closest_marker("django_db") is None:
        return
    load_reference_data()


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    from django.db import transaction

    from tests.world import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data()
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def shared_world(_module_world, db):
    """The access-test world (tests/world.py) built once per module, in a transaction rolled back at the
    module's end: each test runs in a savepoint of its own inside it (pytest-django's ``db``), so what a test
    creates or posts never reaches the next, as when each test built its own world. Each test gets its own
    copy of the objects as built (a sign-in sets ``last_login`` on the user object a later test would see)."""
    return copy.deepcopy(_module_world)


def load_reference_data() -> None:
    """The rows the migrations load, if a flush removed them (also for module-scoped fixtures, which run
    before the autouse fixture above)."""
    if not Region.objects.exists():
        geography_migration.load(apps, None)
    if not AllowanceRate.objects.exists():
        allowance_migration.load(apps, None)
    if not RetentionPolicy.objects.exists():
        retention_migration.create_defaults(apps, None)


# The longest files first (pytest-xdist hands out whole files in the order collected, `make test` turns off
# its reordering by number of tests): a worker never starts a long browser file when the other is idle at the
# end of the run. The browser files weigh most (Chromium, a live server, the demo loaded per test), then these.
LONGEST_FIRST = (
    "tests/e2e/test_key_pages_visual.py",
    "tests/test_url_matrix.py",
    "tests/e2e/test_accessibility_crawl.py",
    "tests/test_error_summary.py",
    "tests/e2e/",
    "tests/security/",
)


def pytest_collection_modifyitems(session, config, items):
    counts: dict[str, int] = {}
    for item in items:
        counts[item.nodeid.split("::")[0]] = counts.get(item.nodeid.split("::")[0], 0) + 1

    def weight(item) -> tuple[int, int]:
        path = item.nodeid.split("::")[0]
        rank = next((i for i, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)), len(LONGEST_FIRST))
        return rank, -counts[path]

    items.sort(key=weight)  # stable: a file's tests keep their order


def pytest_sessionfinish(session):
    """In a pytest-xdist worker: hand this process's axe scans and attack counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is None:
        return
    from tests.e2e.conftest import AXE_SCANS, REFLOW_CHECKS
    from tests.security import COUNTS

    workeroutput["axe_scans"] = [list(scan) for scan in AXE_SCANS]
    workeroutput["reflow_checks"] = list(REFLOW_CHECKS)
    workeroutput["attack_counts"] = dict(COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """In the pytest-xdist controller: add up what each worker counted, for the summary below."""
    from tests.e2e.conftest import AXE_SCANS, REFLOW_CHECKS
    from tests.security import COUNTS

    output = getattr(node, "workeroutput", {})
    AXE_SCANS.extend((url, count) for url, count in output.get("axe_scans", []))
    REFLOW_CHECKS.extend(output.get("reflow_checks", []))
    for label, count in output.get("attack_counts", {}).items():
        COUNTS[label] = COUNTS.get(label, 0) + count


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """How many pages axe-core scanned in the browser tests, and how many violations it found;
    how many attacks the security battery made (each one refused, or the run failed)."""
    from tests.e2e.conftest import AXE_SCANS, REFLOW_CHECKS
    from tests.security import COUNTS

    if COUNTS:
        attacks = ", ".join(f"{label} : {count}" for label, count in sorted(COUNTS.items()))
        terminalreporter.write_line(f"Batterie d'attaques : {attacks}.")

    if AXE_SCANS:
        violations = sum(count for _, count in AXE_SCANS)
        pages = len({url.split("?")[0] for url, _ in AXE_SCANS})
        terminalreporter.write_line(
            f"axe-core (WCAG 2.0/2.1 A et AA) : {len(AXE_SCANS)} analyses sur {pages} pages distinctes, "
            f"{violations} violation(s)."
        )
    if REFLOW_CHECKS:
        terminalreporter.write_line(
            f"Zoom 200 % et largeur 375 px : {len(REFLOW_CHECKS)} pages vérifiées "
            "(aucun défilement horizontal, contenu principal et action principale visibles)."
        )
