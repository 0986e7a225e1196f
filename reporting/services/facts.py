"""The indicators' summary table (``ReferralFact``), rebuilt from the referrals and their timelines."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone

from e2c_referrals.enums import ReferralStatus

REFRESH_LOCK_KEY = 914_002


def _days(column: str) -> str:
    return f"EXTRACT(EPOCH FROM {column} - r.sent_at) / 86400"


@transaction.atomic
def refresh_facts() -> int:
    """Rebuild the summary table in one transaction (readers see the old rows until it commits).

    Side effects: replaces every row of ``reporting_referralfact`` (returns how many) and of
    ``reporting_handbackfact``. Two refreshes
    at once: the second waits for the first (advisory lock), then rebuilds again.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK_KEY])
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DELETE FROM reporting_referralfact")
        cursor.execute(
            f"""
            INSERT INTO reporting_referralfact (
                referral_id, sent_at, network, ro_id, ro_parent_id, ro_region, ro_departement,
                so_id, so_parent_id, so_region, so_departement, cej, acknowledged_days, invited, session_days,
                attended, integration, enrolled_days, exited_on, exit_outcome, refreshed_at)
            SELECT r.id, r.sent_at, ro.kind, ro.id, ro.parent_id, coalesce(ro.region_id, ''),
                   coalesce(ro.departement_id, ''), so.id, so.parent_id, coalesce(so.region_id, ''),
                   coalesce(so.departement_id, ''), r.cej_contract_id IS NOT NULL,
                   {_days("s.acknowledged_at")}, s.invited, {_days("s.session_at")}, s.attended, s.integration,
                   {_days("s.enrolled_at")},
                   CASE WHEN r.status = '{ReferralStatus.EXITED}' THEN r.exited_on END, r.exit_outcome, %s
            FROM e2c_referrals_referral r
            JOIN partners_organisation ro ON ro.id = r.referring_organisation_id
            JOIN partners_organisation so ON so.id = r.e2c_site_id
            LEFT JOIN (
                SELECT t.referral_id,
                       min(t.created_at) FILTER (WHERE t.to_status = 'acknowledged') AS acknowledged_at,
                       bool_or(t.to_status = 'invited') AS invited,
                       min(t.created_at) FILTER (
                           WHERE t.from_status = 'invited' AND t.to_status IN ('attended', 'no_show')) AS session_at,
                       bool_or(t.to_status = 'attended') AS attended,
                       bool_or(t.to_status = 'integration') AS integration,
                       min(t.created_at) FILTER (WHERE t.to_status = 'enrolled') AS enrolled_at
                FROM e2c_referrals_referraltransition t
                GROUP BY t.referral_id
            ) s ON s.referral_id = r.id
            WHERE r.sent_at IS NOT NULL
            ORDER BY r.sent_at  -- rows of a period stored together: a semester reads few pages
            """,  # noqa: S608 (constants only)
            [timezone.now()],
        )
        count = int(cursor.rowcount)
        cursor.execute("DELETE FROM reporting_handbackfact")
        sides = (
            "network, ro_id, ro_parent_id, ro_region, ro_departement, so_id, so_parent_id, so_region, so_departement"
        )
        cursor.execute(
            f"INSERT INTO reporting_handbackfact (hand_back_id, created_at, reason, {sides}) "  # noqa: S608
            f"SELECT h.id, h.created_at, h.reason, {sides} FROM e2c_referrals_handback h "
            "JOIN reporting_referralfact f ON f.referral_id = h.referral_id"
        )
        return count


def refreshed_at() -> datetime.datetime | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT refreshed_at FROM reporting_referralfact LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else None
