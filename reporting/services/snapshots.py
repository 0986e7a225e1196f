"""Closing a semester: its indicators are computed once and frozen, for the committee's meeting."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from partners.access import Actor
from partners.enums import Role
from partners.models import Departement, Region
from reporting.indicators import Area, Level, Period, compute
from reporting.models import SemesterSnapshot
from reporting.services.facts import refresh_facts

LOCK_KEY = 914_001  # pg_advisory_xact_lock key: one closing at a time


@transaction.atomic
def semester_close(*, actor: Actor, period: Period) -> SemesterSnapshot:
    """Freeze the semester's indicators nationally, for each région and each département.

    Side effects: the summary table is rebuilt (``refresh_facts``); one ``SemesterSnapshot`` row per
    area, all with the same closing date and author; the national row makes the semester closed.
    Refused (ValidationError) for a semester not over yet or
    already closed; forbidden (PermissionDenied) to anyone but a national committee member.
    Organisation pages of a closed semester keep showing live figures (not frozen).
    """
    if actor.role != Role.NATIONAL_COMMITTEE:
        raise PermissionDenied("Seul le comité national clôt un semestre.")
    code = period.semester_code
    if code is None:
        raise ValidationError("Seul un semestre entier peut être clos.")
    if period.end >= timezone.localdate():
        raise ValidationError("Ce semestre n'est pas terminé : il ne peut pas encore être clos.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    if SemesterSnapshot.objects.filter(semester=code, level=Level.NATIONAL).exists():
        raise ValidationError("Ce semestre est déjà clos : ses chiffres figés ne changent plus.")
    refresh_facts()  # the frozen figures are those of this very moment
    areas = [Area(Level.NATIONAL)]
    areas += [Area(Level.REGION, region.code, region.name) for region in Region.objects.order_by("code")]
    areas += [
        Area(Level.DEPARTEMENT, departement.code, str(departement))
        for departement in Departement.objects.order_by("code")
    ]
    closed_at = timezone.now()
    snapshots = SemesterSnapshot.objects.bulk_create(
        [
            SemesterSnapshot(
                semester=code,
                level=str(area.level),
                code=area.code,
                indicators=compute(area, period),
                closed_at=closed_at,
                closed_by=actor.user,
            )
            for area in areas
        ]
    )
    return snapshots[0]
