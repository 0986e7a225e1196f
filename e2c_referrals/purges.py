"""What the outbox's purge of old messages must keep for the reminders of ``e2c_referrals.reminders``.

Three of those reminders have no end: a referral left « envoyée » (5 and 10 working days), an
integration period past its planned end and not confirmed, a hand-back never handled. They run
every minute, and only the message already written under their delivery key stops a new one.
So their messages are kept, whatever their age, while the referral or the hand-back named in the
message is still in that state (``outbox.purges``); once it has moved on, the message can go.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, UUIDField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import HandBack, Referral

# Message kind → the referral status that keeps its reminder due (the key holds the referral).
REFERRAL_REMINDERS = {
    "reminder.referral_unacknowledged": ReferralStatus.SENT,
    "reminder.referral_escalation": ReferralStatus.SENT,
    "reminder.integration_end": ReferralStatus.INTEGRATION,
}
HAND_BACK_REMINDER = "reminder.hand_back_late"


def _named(key: str) -> Cast:
    """The public UUID the outer message's context names under ``key``."""
    return Cast(KeyTextTransform(key, OuterRef("context")), output_field=UUIDField())


def messages_still_due() -> Q:
    """Messages (``outbox.Message``) whose reminder would be sent again if they were deleted."""
    guard = Q()
    for kind, status in REFERRAL_REMINDERS.items():
        guard |= Q(kind=kind) & Q(Exists(Referral.objects.filter(public_id=_named("referral"), status=status)))
    still_open = HandBack.objects.filter(public_id=_named("hand_back"), handled_at__isnull=True)
    return guard | (Q(kind=HAND_BACK_REMINDER) & Q(Exists(still_open)))
