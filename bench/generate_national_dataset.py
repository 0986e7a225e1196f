"""Fill an empty database with the national dataset (régions' networks, young people, referrals).

    .venv/bin/python -m bench.generate_national_dataset [--young-people 1500000] [--referrals 300000]
                                                        [--seed 2026] [--workers 0] [--force]

The database of the settings in ``DJANGO_SETTINGS_MODULE`` (local by default, as ``manage.py``);
``make bench-reporting`` runs it in a database of its own. The generator is ``bench.national_dataset``,
imported once Django is set up (it reads the models).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from bench.national_dataset import Command

    arguments = sys.argv[1:] if argv is None else argv
    Command().run_from_argv(["python -m bench.generate_national_dataset", "", *arguments])


if __name__ == "__main__":
    main()
