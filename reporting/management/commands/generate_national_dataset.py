"""Fill an empty database with a national dataset (régions' networks, young people, referrals).

    manage.py generate_national_dataset [--young-people 1500000] [--referrals 300000] [--seed 2026]
                                        [--workers 0] [--force]

Measure it in a database of its own (see ``bench/reporting_dashboard.py``), never the development one.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.dataset import Sizes, database_is_empty, empty_database, generate


class Command(BaseCommand):
    help = "Remplit une base vide d'un jeu de données national reproductible (organisations, jeunes, orientations)."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Sizes()
        parser.add_argument("--young-people", type=int, default=defaults.young_people)
        parser.add_argument("--referrals", type=int, default=defaults.referrals)
        parser.add_argument("--missions-locales", type=int, default=defaults.missions_locales)
        parser.add_argument("--e2c-sites", type=int, default=defaults.e2c_sites)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="processus qui fabriquent les lignes (0 : 2 pour un gros volume, sinon 1) ; mêmes données",
        )
        parser.add_argument(
            "--force", action="store_true", help="vide d'abord les organisations, comptes, jeunes et orientations"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["young_people"] < 1 or not 0 <= options["referrals"] <= options["young_people"]:
            raise CommandError("--young-people must be positive and --referrals at most --young-people.")
        if not database_is_empty():
            if not options["force"]:
                raise CommandError(
                    "La base contient déjà des organisations, des jeunes ou des orientations : "
                    "utilisez une base vide, ou --force pour la vider d'abord."
                )
            empty_database()
        defaults = Sizes()
        sizes = Sizes(
            young_people=options["young_people"],
            referrals=options["referrals"],
            missions_locales=options["missions_locales"],
            e2c_sites=options["e2c_sites"],
            e2c_schools=min(defaults.e2c_schools, options["e2c_sites"]),
        )
        started = time.perf_counter()
        counts = generate(sizes=sizes, seed=options["seed"], log=self.stdout.write, workers=options["workers"])
        summary = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        self.stdout.write(f"Done in {time.perf_counter() - started:.0f} s: {summary}.")
