from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, database_is_empty, load_demo_data
from partners.models import User


class Command(BaseCommand):
    help = "Charge les données de démonstration si la base est vide, puis affiche les comptes de démonstration."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Autorise le chargement hors mode DEBUG (tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError("Les données de démonstration ne se chargent qu'en local (DEBUG).")
        if database_is_empty():
            load_demo_data()
            self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        else:
            self.stdout.write("La base contient déjà des données : rien n'est chargé.")
        existing = set(User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).values_list("email", flat=True))
        accounts = [account for account in DEMO_ACCOUNTS if account.email in existing]
        if not accounts:
            return
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})")
        width = max(len(account.email) for account in accounts)
        for account in accounts:
            self.stdout.write(f"  {account.email.ljust(width)}  {account.role.label} — {account.label}")
