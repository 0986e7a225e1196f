"""Reads of the retention process: the policies, each file's due date, what is due, the dry-run report.

A file's due date is computed by PostgreSQL for all files at once: the later of its 25th birthday plus
the age period and the end of its last CEJ plus the CEJ period (GREATEST ignores a missing CEJ). A file
with a running CEJ or PACEA, or an open referral, is never due: its story is not over.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.db import connection, models
from django.db.models import Exists, F, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from cej.enums import ContractStatus
from cej.models import CejContract, PaceaContract, YoungPerson, restricted
from e2c_referrals.enums import OPEN_STATUSES
from e2c_referrals.models import Referral
from partners.access import Actor
from partners.models import User
from retention.access import can_manage_retention
from retention.enums import RetentionCategory
from retention.models import (
    AnonymisedAccount,
    AnonymisedFile,
    RetentionNotice,
    RetentionPolicy,
    RetentionPolicyChange,
    RetentionRun,
)

# The referent is told this long before a file is anonymised (the job anonymises a file only once its
# notice is at least this old).
NOTICE_PERIOD = datetime.timedelta(days=30)
AGE_OF_REFERENCE_MONTHS = 25 * 12  # the retention of a file runs from the 25th birthday (décret 2015-59)
RUNNING = [ContractStatus.ACTIVE, ContractStatus.SUSPENDED]


class AddMonths(models.Func):
    """``date + n months`` as a date (n is an integer of ours, never user input)."""

    output_field = models.DateField()

    def __init__(self, expression: object, months: int) -> None:
        super().__init__(expression, months=int(months))

    template = "(%(expressions)s + make_interval(months => %(months)s))::date"


def policies() -> dict[str, RetentionPolicy]:
    """The policy of each category (created by migration; a missing row is a deployment error)."""
    found = {policy.category: policy for policy in RetentionPolicy.objects.all()}
    missing = set(RetentionCategory.values) - set(found)
    if missing:
        raise RetentionPolicy.DoesNotExist(f"Durées de conservation manquantes : {sorted(missing)}")
    return found


def files_with_due_date(rules: dict[str, RetentionPolicy] | None = None) -> models.QuerySet[YoungPerson]:
    """Files not yet anonymised whose story is over, annotated with ``due_on``."""
    rules = rules or policies()
    last_cej_end = (
        CejContract.objects.filter(young_person=OuterRef("pk"))
        .order_by()
        .values("young_person")
        .annotate(last=Max(Coalesce("ended_on", "planned_end_on")))
        .values("last")
    )
    return (
        YoungPerson.objects.exclude(Exists(AnonymisedFile.objects.filter(young_person=OuterRef("pk"))))
        .exclude(Exists(CejContract.objects.filter(young_person=OuterRef("pk"), status__in=RUNNING)))
        .exclude(Exists(PaceaContract.objects.filter(young_person=OuterRef("pk"), status__in=RUNNING)))
        .exclude(Exists(Referral.objects.filter(young_person=OuterRef("pk"), status__in=sorted(OPEN_STATUSES))))
        .annotate(
            due_on=Greatest(
                AddMonths(F("birth_date"), AGE_OF_REFERENCE_MONTHS + rules[RetentionCategory.YOUNG_PERSON_AGE].months),
                AddMonths(Subquery(last_cej_end), rules[RetentionCategory.YOUNG_PERSON_CEJ].months),
            )
        )
    )


def _notice(*, notified_before: datetime.date | None = None) -> Exists:
    notices = RetentionNotice.objects.filter(young_person=OuterRef("pk"), due_on=OuterRef("due_on"))
    if notified_before is not None:
        notices = notices.filter(notified_at__date__lte=notified_before)
    return Exists(notices)


def files_to_notify(today: datetime.date) -> models.QuerySet[YoungPerson]:
    """Files due within the notice period whose referent was not told of this due date yet; not a
    restricted file (RGPD article 18: it is kept; the notice comes after the lift)."""
    return (
        files_with_due_date().filter(**{"due_on__lte": today + NOTICE_PERIOD}).exclude(_notice()).exclude(restricted())
    )


def files_to_anonymise(today: datetime.date) -> models.QuerySet[YoungPerson]:
    """Files due today or before whose notice of this due date is at least the notice period old."""
    return files_with_due_date().filter(**{"due_on__lte": today}).filter(_notice(notified_before=today - NOTICE_PERIOD))


def accounts_to_anonymise(now: datetime.datetime | None = None) -> models.QuerySet[User]:
    """Accounts deactivated for longer than the account period, not anonymised yet."""
    now = now or timezone.now()
    limit = now - policies()[RetentionCategory.ACCOUNT].delta
    return User.objects.filter(is_active=False, deactivated_at__isnull=False, deactivated_at__lte=limit).exclude(
        Exists(AnonymisedAccount.objects.filter(user=OuterRef("pk")))
    )


@dataclasses.dataclass(frozen=True)
class Report:
    """The dry run: counts and dates only, never a name."""

    today: datetime.date
    files_to_notify: int
    files_waiting_notice_period: int  # due, told less than the notice period ago
    files_to_anonymise: int
    files_restricted: int  # due and told long enough ago, but kept: processing restricted (article 18)
    next_file_due_on: datetime.date | None  # the earliest due date after the notice window
    files_due_by_month: list[tuple[datetime.date, int]]  # the next 12 months
    accounts_to_anonymise: int
    next_account_due_on: datetime.date | None
    files_anonymised: int
    accounts_anonymised: int


# One pass over the files: their due dates computed once (a materialised CTE: the ORM would inline the
# GREATEST(...) and its CEJ subquery at every reference), then bucketed by month for the next year.
DUE_COLUMNS = ("pk", "due_on")  # in this order: the CTE names them (id, due_on)
REPORT_SQL = """
WITH due (id, due_on) AS MATERIALIZED ({files}),
flagged AS (
    SELECT d.due_on,
           EXISTS (SELECT 1 FROM retention_retentionnotice n
                   WHERE n.young_person_id = d.id AND n.due_on = d.due_on) AS told,
           EXISTS (SELECT 1 FROM retention_retentionnotice n
                   WHERE n.young_person_id = d.id AND n.due_on = d.due_on
                     AND (n.notified_at AT TIME ZONE %s)::date <= %s) AS told_long_ago,
           EXISTS (SELECT 1 FROM cej_restriction r
                   WHERE r.young_person_id = d.id AND r.lifted_at IS NULL) AS restricted
    FROM due d
)
SELECT CASE WHEN due_on > %s AND due_on <= %s THEN date_trunc('month', due_on)::date END AS month,
       count(*) FILTER (WHERE due_on > %s) AS upcoming,
       count(*) FILTER (WHERE due_on <= %s AND NOT told AND NOT restricted) AS to_notify,
       count(*) FILTER (WHERE due_on <= %s AND told_long_ago AND NOT restricted) AS to_anonymise,
       count(*) FILTER (WHERE due_on <= %s AND told_long_ago AND restricted) AS restricted,
       count(*) FILTER (WHERE due_on <= %s AND NOT told_long_ago) AS waiting,
       min(due_on) FILTER (WHERE due_on > %s) AS next_due
FROM flagged
GROUP BY 1
"""


def report(today: datetime.date) -> Report:
    """What the monthly job would do on ``today``, without writing anything."""
    horizon = today + NOTICE_PERIOD
    files_sql, files_params = files_with_due_date().values(*DUE_COLUMNS).query.sql_with_params()
    params = [
        *files_params,
        settings.TIME_ZONE,
        today - NOTICE_PERIOD,
        today,
        today + datetime.timedelta(days=366),
        today,
        horizon,
        today,
        today,
        today,
        horizon,
    ]
    to_notify = to_anonymise = waiting = restricted = 0
    next_due: datetime.date | None = None
    by_month: list[tuple[datetime.date, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(REPORT_SQL.replace("{files}", files_sql), params)
        for month, upcoming, notify, anonymise, kept, wait, first in cursor.fetchall():
            to_notify, to_anonymise, waiting = to_notify + notify, to_anonymise + anonymise, waiting + wait
            restricted += kept
            if first is not None and (next_due is None or first < next_due):
                next_due = first
            if month is not None:
                by_month.append((month, upcoming))
    account_rule = policies()[RetentionCategory.ACCOUNT]
    pending_accounts = User.objects.filter(is_active=False, deactivated_at__isnull=False).exclude(
        Exists(AnonymisedAccount.objects.filter(user=OuterRef("pk")))
    )
    now = timezone.now()
    first_waiting = pending_accounts.filter(deactivated_at__gt=now - account_rule.delta).aggregate(
        first=Min("deactivated_at")
    )["first"]
    return Report(
        today=today,
        files_to_notify=to_notify,
        files_waiting_notice_period=waiting,
        files_to_anonymise=to_anonymise,
        files_restricted=restricted,
        next_file_due_on=next_due,
        files_due_by_month=sorted(by_month),
        accounts_to_anonymise=accounts_to_anonymise(now).count(),
        next_account_due_on=timezone.localdate(first_waiting + account_rule.delta) if first_waiting else None,
        files_anonymised=AnonymisedFile.objects.count(),
        accounts_anonymised=AnonymisedAccount.objects.count(),
    )


def anonymised_file_ids(young_person_ids: list[int]) -> set[int]:
    return set(
        AnonymisedFile.objects.filter(young_person_id__in=young_person_ids).values_list("young_person_id", flat=True)
    )


# --- The administrators' page (scoped: nothing for any other role) ------------------------------------


def policy_changes_for(actor: Actor, *, limit: int = 20) -> list[RetentionPolicyChange]:
    """The last duration changes, newest first."""
    if not can_manage_retention(actor):
        return []
    return list(RetentionPolicyChange.objects.select_related("policy", "changed_by")[:limit])


def runs_for(actor: Actor, *, limit: int = 12) -> list[RetentionRun]:
    """The last monthly runs, newest first."""
    if not can_manage_retention(actor):
        return []
    return list(RetentionRun.objects.all()[:limit])
