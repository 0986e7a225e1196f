"""Closing a semester: its indicators are computed once and frozen, for the committee's meeting.

Asked on the dashboard (``semester_close_request``), done by a Celery worker (``semester_close``): at
national scale freezing the 120 areas takes longer than a web request may last.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from common.tasks import publish
from partners.access import Actor
from partners.enums import Role
from partners.models import Departement, Region
from reporting.indicators import Area, Level, Period
from reporting.indicators import compute as compute_report
from reporting.models import SemesterClosing, SemesterSnapshot
from reporting.services.facts import refresh_facts

logger = logging.getLogger(__name__)
LOCK_KEY = 914_001  # pg_advisory_xact_lock key: one closing request at a time


@transaction.atomic
def semester_close_request(*, actor: Actor, period: Period) -> SemesterClosing:
    """Ask for the semester to be closed.

    Side effects: a ``SemesterClosing`` row; the task ``reporting.close_semester`` enqueued once the
    transaction commits (broker down: the summary table's beat task sends it again). Refused (ValidationError) for a
    semester not over yet or already closed (or being closed); forbidden (PermissionDenied) to anyone
    but a national committee member.
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
    if SemesterClosing.objects.filter(semester=code).exists():
        raise ValidationError("Ce semestre est déjà clos : ses chiffres figés ne changent plus.")
    closing = SemesterClosing.objects.create(semester=code, requested_by=actor.user)
    closing_id = closing.pk
    transaction.on_commit(lambda: enqueue(closing_id))
    return closing


def enqueue(closing_id: int) -> None:
    """Hand the closing to the workers; if the broker is down, beat's sweep sends it again."""
    from reporting.tasks import close_semester

    try:
        publish(close_semester, args=(closing_id,))  # bounded, one attempt
    except Exception as error:  # kombu, redis-py and socket errors alike
        logger.warning("semester closing %s: task not published (%s)", closing_id, type(error).__name__)


@transaction.atomic
def semester_close(*, closing_id: int) -> int:
    """Freeze the semester's indicators nationally, for each région and each département (the worker).

    Side effects: the summary table is rebuilt (``refresh_facts``); one ``SemesterSnapshot`` row per
    area, all with the closing's date and author; ``closed_at`` set. Idempotent: a closing already done
    (a task delivered twice) changes nothing. Returns the number of snapshots written.
    Organisation pages of a closed semester keep showing live figures (not frozen).
    """
    closing = SemesterClosing.objects.select_for_update().select_related("requested_by").get(pk=closing_id)
    if closing.closed_at is not None:
        return 0
    year, half = closing.semester.split("-S")
    period = Period.semester(int(year), int(half))
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
                semester=closing.semester,
                level=str(area.level),
                code=area.code,
                indicators=compute_report(area, period),
                closed_at=closed_at,
                closed_by=closing.requested_by,
            )
            for area in areas
        ]
    )
    closing.closed_at = closed_at
    closing.save(update_fields=["closed_at"])
    return len(snapshots)


def pending_closings() -> list[int]:
    """Closings asked for and not done (broker down at request time, worker lost), for the beat task."""
    return list(SemesterClosing.objects.filter(closed_at__isnull=True).values_list("pk", flat=True))
