import datetime

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cej.enums import ConsentMethod, SharedData
from cej.models import Consent
from e2c_referrals.enums import ExitOutcome, HandBackReason, ReferralStatus
from e2c_referrals.models import Attachment, HandBack, Referral
from tests.cej.factories import YoungPersonFactory
from tests.url_matrix import Entry, everyone


def referral(w, status=ReferralStatus.SENT, **fields):
    """A referral of Mission Locale A's file to the Vénissieux site (E2C school Lyon's)."""
    return Referral.objects.create(
        young_person=YoungPersonFactory(organisation=w.ml_a),
        referring_organisation=w.ml_a,
        referring_adviser=w.user("adviser_ml"),
        e2c_site=w.site,
        diagnostic="Projet de formation à consolider.",
        motivation="Veut reprendre un rythme.",
        status=status,
        sent_at=None if status == ReferralStatus.DRAFT else timezone.now(),
        **fields,
    )


def url(name, **kwargs):
    return lambda w: reverse(f"e2c_referrals:{name}", kwargs={"public_id": referral(w).public_id, **kwargs})


def attachment_url(w):
    found = referral(w)
    # The E2C side sees documents only while a consent shares the diagnostic they go with.
    Consent.objects.create(
        young_person=found.young_person,
        e2c_site=w.site,
        shared_data=[SharedData.IDENTITY, SharedData.DIAGNOSTIC],
        given_on=datetime.date.today(),
        method=ConsentMethod.ORAL,
        attestation="Accord donné.",
        recorded_by=w.user("adviser_ml"),
    )
    attachment = Attachment.objects.create(
        referral=found,
        file=ContentFile(b"%PDF-1.4 cv", name="piece.pdf"),
        label="CV",
        content_type="application/pdf",
        size=11,
        uploaded_by=w.user("adviser_ml"),
    )
    return reverse(
        "e2c_referrals:attachment_download",
        kwargs={"public_id": found.public_id, "attachment_id": attachment.public_id},
    )


def news_url(w):
    exited = referral(
        w,
        status=ReferralStatus.EXITED,
        enrolled_on=datetime.date.today() - datetime.timedelta(days=200),
        exited_on=datetime.date.today() - datetime.timedelta(days=10),
        exit_outcome=ExitOutcome.APPRENTICESHIP,
    )
    return reverse("e2c_referrals:post_exit_news_add", kwargs={"public_id": exited.public_id})


def hand_back_url(w):
    not_admitted = referral(w, status=ReferralStatus.NOT_ADMITTED)
    hand_back = HandBack.objects.create(
        referral=not_admitted,
        organisation=w.ml_a,
        assignee=w.user("adviser_ml"),
        reason=HandBackReason.NOT_ADMITTED,
    )
    return reverse("e2c_referrals:hand_back_handle", kwargs={"public_id": hand_back.public_id})


# Both sides of a referral from Mission Locale A to the Vénissieux site; nobody else knows it exists.
BOTH_SIDES = everyone(404, adviser_ml=200, manager_ml=200, e2c_staff=200, manager_e2c=200)
# A move or an action of one side: the other side sees the referral but may not (403).
E2C_SIDE = everyone(404, adviser_ml=403, manager_ml=403, e2c_staff=200, manager_e2c=200)
REFERRER_SIDE = everyone(404, adviser_ml=200, manager_ml=200, e2c_staff=403, manager_e2c=403)

ENTRIES = [
    Entry(
        "e2c_referrals:referral_create",
        lambda w: reverse(
            "e2c_referrals:referral_create", kwargs={"public_id": YoungPersonFactory(organisation=w.ml_a).public_id}
        ),
        everyone(404, adviser_ml=200, manager_ml=200),
        methods=("GET", "POST"),
    ),
    Entry("e2c_referrals:referral_detail", url("referral_detail"), BOTH_SIDES),
    Entry(
        "e2c_referrals:referral_move",
        url("referral_move", to=ReferralStatus.ACKNOWLEDGED),
        E2C_SIDE,
        methods=("GET", "POST"),
    ),
    Entry("e2c_referrals:attachment_add", url("attachment_add"), REFERRER_SIDE, methods=("GET", "POST")),
    Entry("e2c_referrals:attachment_download", attachment_url, BOTH_SIDES),
    Entry("e2c_referrals:post_exit_news_add", news_url, BOTH_SIDES, methods=("GET", "POST")),
    Entry(
        "e2c_referrals:inbox",
        lambda w: reverse("e2c_referrals:inbox"),
        everyone(403, e2c_staff=200, manager_e2c=200),
    ),
    Entry(
        "e2c_referrals:sent_referrals",
        lambda w: reverse("e2c_referrals:sent_referrals"),
        everyone(403, adviser_ml=200, adviser_ft=200, manager_ml=200),
    ),
    # The young person comes back to Mission Locale A: its advisers and managers handle it.
    Entry(
        "e2c_referrals:hand_back_handle",
        hand_back_url,
        everyone(404, adviser_ml=200, manager_ml=200),
        methods=("GET", "POST"),
    ),
]
