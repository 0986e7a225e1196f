"""The indicators' summary table (``ReferralFact``), rebuilt from the referrals and their timelines."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from e2c_referrals.enums import ReferralStatus

REFRESH_LOCK_KEY = 914_002


def _days(column: str) -> str:
    return f"EXTRACT(EPOCH FROM {column} - r.sent_at) / 86400"


# A referral of an anonymised file keeps the fact row computed from its real dates just before they
# were cut to the month (``freeze_facts``, called by the anonymisation): the committee's delays and
# counts do not move when files are anonymised, and no later rebuild recomputes them.
_ANONYMISED = "SELECT 1 FROM retention_anonymisedfile a WHERE a.young_person_id = r.young_person_id"
_FACT_COLUMNS = """referral_id, sent_at, network, ro_id, ro_parent_id, ro_region, ro_departement,
    so_id, so_parent_id, so_region, so_departement, cej, acknowledged_days, invited, session_days,
    attended, integration, enrolled_days, exited_on, exit_outcome, refreshed_at"""
_SIDES = "network, ro_id, ro_parent_id, ro_region, ro_departement, so_id, so_parent_id, so_region, so_departement"


def _insert_facts(cursor: CursorWrapper, where: str, params: list[list[int]]) -> int:
    cursor.execute(
        f"""
        INSERT INTO reporting_referralfact ({_FACT_COLUMNS})
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
        WHERE r.sent_at IS NOT NULL AND {where}
        ORDER BY r.sent_at  -- rows of a period stored together: a semester reads few pages
        """,  # noqa: S608 (constants only)
        [timezone.now(), *params],
    )
    return int(cursor.rowcount)


def _insert_hand_back_facts(cursor: CursorWrapper, where: str, params: list[list[int]]) -> None:
    cursor.execute(
        f"INSERT INTO reporting_handbackfact (hand_back_id, created_at, reason, {_SIDES}) "  # noqa: S608
        f"SELECT h.id, h.created_at, h.reason, {_SIDES} FROM e2c_referrals_handback h "
        "JOIN reporting_referralfact f ON f.referral_id = h.referral_id "
        f"WHERE {where} ON CONFLICT (hand_back_id) DO NOTHING",
        params,
    )


@transaction.atomic
def refresh_facts() -> int:
    """Rebuild the summary table in one transaction (readers see the old rows until it commits).

    Side effects: replaces the rows of ``reporting_referralfact`` (returns how many were computed) and
    of ``reporting_handbackfact``, except the frozen rows of anonymised files. Two refreshes
    at once: the second waits for the first (advisory lock), then rebuilds again.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK_KEY])
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            "DELETE FROM reporting_referralfact f WHERE NOT EXISTS ("  # noqa: S608 (constants only)
            f"SELECT 1 FROM e2c_referrals_referral r WHERE r.id = f.referral_id AND EXISTS ({_ANONYMISED}))"
        )
        count = _insert_facts(cursor, f"NOT EXISTS ({_ANONYMISED})", [])
        cursor.execute(
            "DELETE FROM reporting_handbackfact x WHERE NOT EXISTS ("  # noqa: S608 (constants only)
            "SELECT 1 FROM e2c_referrals_handback h JOIN e2c_referrals_referral r ON r.id = h.referral_id "
            f"WHERE h.id = x.hand_back_id AND EXISTS ({_ANONYMISED}))"
        )
        _insert_hand_back_facts(cursor, "TRUE", [])
        return count


def freeze_facts(referral_ids: list[int]) -> None:
    """Compute, from their real dates, the fact rows of referrals about to be anonymised, then cut the
    dates those rows hold to the month (the delays, in days, stay exact).

    Called inside the anonymisation's transaction, before it cuts the referrals' own dates. Side
    effects: replaces those referrals' rows of ``reporting_referralfact`` and ``reporting_handbackfact``.
    """
    if not referral_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK_KEY])
        cursor.execute(
            "DELETE FROM reporting_handbackfact WHERE hand_back_id IN "
            "(SELECT id FROM e2c_referrals_handback WHERE referral_id = ANY(%s))",
            [referral_ids],
        )
        cursor.execute("DELETE FROM reporting_referralfact WHERE referral_id = ANY(%s)", [referral_ids])
        _insert_facts(cursor, "r.id = ANY(%s)", [referral_ids])
        _insert_hand_back_facts(cursor, "h.referral_id = ANY(%s)", [referral_ids])
        cursor.execute(
            "UPDATE reporting_referralfact SET "
            "sent_at = date_trunc('month', sent_at, 'Europe/Paris'), "
            "exited_on = date_trunc('month', exited_on)::date WHERE referral_id = ANY(%s)",
            [referral_ids],
        )
        cursor.execute(
            "UPDATE reporting_handbackfact x SET created_at = date_trunc('month', x.created_at, 'Europe/Paris') "
            "FROM e2c_referrals_handback h WHERE h.id = x.hand_back_id AND h.referral_id = ANY(%s)",
            [referral_ids],
        )


def refreshed_at() -> datetime.datetime | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT refreshed_at FROM reporting_referralfact LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else None
