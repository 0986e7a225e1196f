"""``manage.py retention_report [--date YYYY-MM-DD]``: what the monthly job would do, writing nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from retention import selectors


class Command(BaseCommand):
    help = "Dry run of the retention job: counts per category and next due dates (no personal data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None, help="Day of the run.")

    def handle(self, *args: Any, **options: Any) -> None:
        today: datetime.date = options["date"] or timezone.localdate()
        rules = selectors.policies()
        result = selectors.report(today)
        out = self.stdout.write
        out(f"Rapport de conservation au {today:%d/%m/%Y} (simulation : rien n'est écrit)")
        for policy in rules.values():
            out(f"  Durée — {policy}")
        out(f"Dossiers de jeunes à prévenir (échéance dans les 30 jours) : {result.files_to_notify}")
        out(f"Dossiers échus, préavis de moins de 30 jours : {result.files_waiting_notice_period}")
        out(f"Dossiers à anonymiser : {result.files_to_anonymise}")
        out(f"Dossiers échus gardés, traitement limité (article 18) : {result.files_restricted}")
        next_file = f"{result.next_file_due_on:%d/%m/%Y}" if result.next_file_due_on else "aucune"
        out(f"Prochaine échéance d'un dossier après 30 jours : {next_file}")
        for month, count in result.files_due_by_month:
            out(f"  Échéances en {month:%m/%Y} : {count}")
        out(f"Comptes désactivés à anonymiser : {result.accounts_to_anonymise}")
        next_account = f"{result.next_account_due_on:%d/%m/%Y}" if result.next_account_due_on else "aucune"
        out(f"Prochaine échéance d'un compte : {next_account}")
        out(f"Déjà anonymisés : {result.files_anonymised} dossiers, {result.accounts_anonymised} comptes")
