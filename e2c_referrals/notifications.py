"""What the outbox's messages about referrals and sessions say (registered in ``e2c_referrals.apps``)."""

from __future__ import annotations

from typing import Any

from cej.notifications import short_name
from e2c_referrals.enums import Attendance, ReferralStatus
from e2c_referrals.models import Referral


def sender(message: Any, objects: dict[str, Any]) -> Any:
    """Who the message comes from. A referral's messages go to one side (``message.organisation``
    is the recipient's): the sender is the other side; another network's referral, its referrer."""
    if objects.get("other_referral") is not None:
        return objects["other_referral"].referring_organisation
    referral = objects.get("referral")
    if referral is None or message.kind.startswith("reminder."):
        return None
    if message.organisation_id == referral.e2c_site_id:
        return referral.referring_organisation
    return referral.e2c_site


def listed_young_people(message: Any, objects: dict[str, Any]) -> list[dict[str, str]]:
    """A session message's list of referrals (``[{"referral": id, "attendance": …}]``) as short
    names and attendance labels, read at delivery."""
    items = message.context.get("referrals")
    if not isinstance(items, list) or not items:
        return []
    found = {
        str(referral.public_id): referral
        for referral in Referral.objects.filter(public_id__in=[item.get("referral") for item in items]).select_related(
            "young_person"
        )
    }
    labels = dict(Attendance.choices)
    return [
        {
            "name": short_name(getattr(found.get(str(item.get("referral"))), "young_person", None)),
            "attendance": str(labels.get(item.get("attendance", ""), "")),
        }
        for item in items
    ]


def status_label(message: Any, objects: dict[str, Any]) -> str:
    """A move's target status (``context["to"]``) in French, for the subject line (no database read)."""
    value = message.context.get("to", "")
    try:
        return str(ReferralStatus(str(value)).label)
    except ValueError:
        return str(value)
