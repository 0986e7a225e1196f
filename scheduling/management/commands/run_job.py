from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.registry import JOBS
from scheduling.runs import run_job


class Command(BaseCommand):
    help = "Exécute tout de suite une tâche planifiée (un rappel, l'envoi, le récapitulatif) et l'enregistre."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", nargs="?", help=f"Nom de la tâche : {', '.join(JOBS)}")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["job"]
        if name not in JOBS:
            raise CommandError(f"Tâche inconnue. Tâches : {', '.join(JOBS)}.")
        run = run_job(name)
        self.stdout.write(f"{JOBS[name].label} — lignes examinées : {run.examined}, messages écrits : {run.enqueued}.")
