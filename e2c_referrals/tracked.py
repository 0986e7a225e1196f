"""The change history of referrals, hand-backs and attachments (``history``), shown on the young
person's file. Discovered by ``history.models``."""

from e2c_referrals.models import Attachment, HandBack, Referral
from history.registry import register_file_events, register_model_label
from history.tracking import track

ReferralChange = track(Referral, "ReferralChange")
HandBackChange = track(HandBack, "HandBackChange")
AttachmentChange = track(Attachment, "AttachmentChange")

register_file_events("history.ReferralChange", "_event.young_person_id = {pk}")
for label in ("HandBackChange", "AttachmentChange"):
    register_file_events(
        f"history.{label}",
        "_event.referral_id IN (SELECT pgh_obj_id FROM {history.ReferralChange} WHERE young_person_id = {pk})",
    )
register_model_label("e2c_referrals.Attachment", "Pièce jointe")
