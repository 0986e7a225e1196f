"""Reminders about referrals and hand-backs, run by beat every minute (``e2c_referrals.jobs``).

Each is idempotent (the delivery key holds the row and the threshold or due date: a second run
writes nothing) and bounded (rows read by primary-key batches, recipients read per batch).
Restricted files (RGPD article 18) are skipped: they are kept, not processed.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from cej.models import restricted
from e2c_referrals.calendar import LOCAL_CALENDARS, latest_start_beyond
from e2c_referrals.enums import ReferralStatus, RegistrationStatus, SessionStatus
from e2c_referrals.models import HandBack, InformationSession, Referral
from outbox.services import enqueue
from partners.enums import Role
from partners.models import User
from partners.recipients import members_by_organisation
from scheduling.batches import in_batches
from scheduling.registry import JobCounts

ACKNOWLEDGE_WITHIN = 5  # working days: the E2C site staff is reminded
ESCALATE_AFTER = 10  # working days: the E2C managers (site and school) are told
HAND_BACK_WITHIN = 5  # working days: the referring organisation's managers are told
INTEGRATION_END_NOTICE = datetime.timedelta(days=3)


def _end_of(day: datetime.date) -> datetime.datetime:
    """Midnight after ``day`` in Europe/Paris: ``timestamp < _end_of(day)`` ⇔ its date ≤ ``day``."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def at_least_working_days_ago(
    *, today: datetime.date, working_days: int, timestamp_field: str, departement_field: str
) -> Q:
    """Rows whose ``timestamp_field`` is ``working_days`` or more working days before ``today``,
    each under its organisation's calendar (national, Alsace-Moselle, overseas départements).

    One OR-ed range per calendar on the timestamp, so PostgreSQL keeps using its index.
    """
    national = latest_start_beyond(today, working_days - 1)
    condition = Q(**{f"{timestamp_field}__lt": _end_of(national)}) & (
        Q(**{f"{departement_field}__isnull": True}) | ~Q(**{f"{departement_field}__in": LOCAL_CALENDARS})
    )
    for departement in LOCAL_CALENDARS:
        local = latest_start_beyond(today, working_days - 1, departement)
        condition |= Q(**{departement_field: departement, f"{timestamp_field}__lt": _end_of(local)})
    return condition


def _staff_or_managers(site_ids: set[int], parents: dict[int, int | None]) -> dict[int, list[User]]:
    """Each site's active staff; where it has none, the managers of the site and its school."""
    staff = members_by_organisation(site_ids, [Role.E2C_STAFF])
    managers = _managers(site_ids, parents)
    return {site_id: staff.get(site_id) or managers.get(site_id, []) for site_id in site_ids}


def _managers(site_ids: set[int], parents: dict[int, int | None]) -> dict[int, list[User]]:
    organisation_ids = site_ids | {parent for parent in parents.values() if parent}
    found = members_by_organisation(organisation_ids, [Role.MANAGER])
    result: dict[int, list[User]] = {}
    for site_id in site_ids:
        parent = parents.get(site_id)
        result[site_id] = found.get(site_id, []) + (found.get(parent, []) if parent else [])
    return result


def referrals_not_acknowledged(today: datetime.date) -> JobCounts:
    """Sent referrals not taken into account: after 5 working days the site's staff is reminded,
    after 10 its managers (and the school's) are told."""
    counts = JobCounts()
    for threshold, kind in (
        (ACKNOWLEDGE_WITHIN, "reminder.referral_unacknowledged"),
        (ESCALATE_AFTER, "reminder.referral_escalation"),
    ):
        due = (
            Referral.objects.filter(status=ReferralStatus.SENT)
            .filter(
                at_least_working_days_ago(
                    today=today,
                    working_days=threshold,
                    timestamp_field="status_changed_at",
                    departement_field="e2c_site__departement_id",
                )
            )
            .exclude(restricted("young_person_id"))
            .select_related("e2c_site")
        )
        for batch in in_batches(due):
            parents = {referral.e2c_site_id: referral.e2c_site.parent_id for referral in batch}
            site_ids = set(parents)
            recipients = (
                _staff_or_managers(site_ids, parents)
                if threshold == ACKNOWLEDGE_WITHIN
                else _managers(site_ids, parents)
            )
            for referral in batch:
                counts.examined += 1
                counts.enqueued += len(
                    enqueue(
                        kind=kind,
                        recipients=recipients.get(referral.e2c_site_id, []),
                        key=f"{kind}:{referral.pk}:{referral.status_changed_at:%Y%m%d}",
                        organisation=None,
                        context={"referral": str(referral.public_id), "working_days": threshold},
                    )
                )
    return counts


def integration_periods_ending(today: datetime.date) -> JobCounts:
    """Integration periods ending within 3 days (or past their planned end): the site's staff
    confirms the enrolment or not."""
    counts = JobCounts()
    due = (
        Referral.objects.filter(
            status=ReferralStatus.INTEGRATION, integration_planned_end_on__lte=today + INTEGRATION_END_NOTICE
        )
        .exclude(restricted("young_person_id"))
        .select_related("e2c_site")
    )
    for batch in in_batches(due):
        parents = {referral.e2c_site_id: referral.e2c_site.parent_id for referral in batch}
        recipients = _staff_or_managers(set(parents), parents)
        for referral in batch:
            counts.examined += 1
            counts.enqueued += len(
                enqueue(
                    kind="reminder.integration_end",
                    recipients=recipients.get(referral.e2c_site_id, []),
                    key=f"reminder.integration_end:{referral.pk}:{referral.integration_planned_end_on}",
                    context={
                        "referral": str(referral.public_id),
                        "planned_end_on": str(referral.integration_planned_end_on),
                    },
                )
            )
    return counts


def hand_backs_not_handled(today: datetime.date) -> JobCounts:
    """Hand-backs still open after 5 working days: the managers of the organisation they went to."""
    counts = JobCounts()
    due = (
        HandBack.objects.filter(handled_at__isnull=True)
        .filter(
            at_least_working_days_ago(
                today=today,
                working_days=HAND_BACK_WITHIN,
                timestamp_field="created_at",
                departement_field="organisation__departement_id",
            )
        )
        .exclude(restricted("referral__young_person_id"))
        .select_related("referral")
    )
    for batch in in_batches(due):
        managers = members_by_organisation({hand_back.organisation_id for hand_back in batch}, [Role.MANAGER])
        for hand_back in batch:
            counts.examined += 1
            counts.enqueued += len(
                enqueue(
                    kind="reminder.hand_back_late",
                    recipients=managers.get(hand_back.organisation_id, []),
                    key=f"reminder.hand_back_late:{hand_back.pk}",
                    organisation=None,
                    context={"hand_back": str(hand_back.public_id), "referral": str(hand_back.referral.public_id)},
                )
            )
    return counts


SESSION_NOTICE_DAYS = 2


def information_sessions_in_two_days(today: datetime.date) -> JobCounts:
    """Planned sessions starting in 2 days: each co-host gets the registration list (and the
    site's staff when nobody co-hosts)."""
    counts = JobCounts()
    day = today + datetime.timedelta(days=SESSION_NOTICE_DAYS)
    due = InformationSession.objects.filter(
        status=SessionStatus.PLANNED,
        starts_at__gte=_end_of(day - datetime.timedelta(days=1)),
        starts_at__lt=_end_of(day),
    ).select_related("e2c_site")
    for batch in in_batches(due):
        staff = members_by_organisation({session.e2c_site_id for session in batch}, [Role.E2C_STAFF])
        for session in batch:
            counts.examined += 1
            hosts = [user for user in session.co_hosts.all() if user.is_active] or staff.get(session.e2c_site_id, [])
            seats = (
                session.registrations.filter(status=RegistrationStatus.REGISTERED)
                .exclude(restricted("referral__young_person_id"))
                .select_related("referral")
            )
            counts.enqueued += len(
                enqueue(
                    kind="reminder.session_in_two_days",
                    recipients=hosts,
                    key=f"reminder.session_in_two_days:{session.pk}:{day}",
                    organisation=session.e2c_site,
                    context={
                        "session": str(session.public_id),
                        "referrals": [{"referral": str(seat.referral.public_id)} for seat in seats],
                    },
                )
            )
    return counts
