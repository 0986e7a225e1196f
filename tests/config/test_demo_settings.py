"""The demonstration data is installed in the local and test settings only, never in production."""

import subprocess
import sys

from django.conf import settings

from tests.config.test_settings import BASE_DIR, GOOD_SECRET, URLS


def installed_apps(settings_module: str, **env: str) -> list[str]:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, django; django.setup(); from django.conf import settings; "
            "print(' '.join(settings.INSTALLED_APPS)); "
            "print(any(name.split('.')[0] == 'demo' for name in sys.modules))",
        ],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    apps, imported = result.stdout.splitlines()
    return apps.split() + (["<demo imported>"] if imported == "True" else [])


def test_production_neither_installs_nor_imports_the_demo(tmp_path):
    apps = installed_apps(
        "config.settings.production",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        DJANGO_ALLOWED_HOSTS="e2c.exemple.fr",
        E2C_DATA_DIR=str(tmp_path),
        **URLS,
    )
    assert "e2c_referrals" in apps and "privacy" in apps
    assert "demo" not in apps
    assert "<demo imported>" not in apps


def test_the_tests_install_the_demo():
    assert "demo" in settings.INSTALLED_APPS
