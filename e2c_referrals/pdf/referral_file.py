"""The referral file (fiche de liaison): the document that travels with a referral.

It shows what the referral page shows to the same actor: the E2C side sees only what the young
person agreed to share with the site (``shared_view``), the referrer sees the whole file.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from cej.enums import SharedData
from cej.models import CejContract, PaceaContract
from e2c_referrals.access import can_see_attachments, on_referrer_side
from e2c_referrals.models import HandBack, PostExitNews, Referral, ReferralTransition
from e2c_referrals.pdf.base import document_context, pdf_filename, render_pdf
from e2c_referrals.selectors.consents import attach_site_consents
from e2c_referrals.selectors.inbox import shared_view
from e2c_referrals.selectors.referrals import referral_contracts
from partners.access import Actor

TEMPLATE = "pdf/referral_file.html"
FILENAME_PREFIX = "fiche-de-liaison"


def prefetch_referral_files(referrals: Sequence[Referral]) -> None:
    """Everything the referral file reads, in one query per relation for the whole batch (relations
    the caller already joined with ``select_related`` cost nothing)."""
    prefetch_related_objects(
        list(referrals),
        "young_person",
        "referring_organisation",
        "referring_adviser",
        "e2c_site",
        "cej_contract",
        Prefetch(
            "transitions",
            queryset=ReferralTransition.objects.select_related("actor", "actor_organisation").order_by(
                "created_at", "id"
            ),
        ),
        "attachments",
        Prefetch("hand_backs", queryset=HandBack.objects.select_related("organisation", "handled_by")),
        Prefetch("post_exit_news", queryset=PostExitNews.objects.select_related("recorded_by")),
        Prefetch("young_person__cej_contracts", queryset=CejContract.objects.order_by("-starts_on")),
        Prefetch("young_person__pacea_contracts", queryset=PaceaContract.objects.order_by("-starts_on")),
    )
    attach_site_consents(referrals)


def referral_file_context(referral: Referral, *, actor: Actor) -> dict[str, object]:
    young_person = referral.young_person
    shared = shared_view(actor=actor, referral=referral)
    referrer_side = on_referrer_side(actor, referral)
    day = (referral.sent_at or referral.created_at).date()
    today = timezone.localdate()
    contracts = referral_contracts(referral, today=today)
    return {
        **document_context(actor=actor, title="Fiche de liaison — orientation vers une E2C"),
        "referral": referral,
        "young_person": young_person,
        "referrer_name": referral.referring_organisation.display_name(day),
        "site_name": referral.e2c_site.display_name(day),
        "shared": shared,
        "shows": {category: shared.shows(category) for category in SharedData.values},
        "on_referrer_side": referrer_side,
        "consent": shared.consent,  # the one in force, not necessarily the one attached at sending
        "cej": contracts.cej,
        "cej_allowance": contracts.cej_allowance,
        "cej_contracts": contracts.cej_contracts,
        "pacea_contracts": contracts.pacea_contracts,
        "transitions": list(referral.transitions.all()),
        "attachments_visible": can_see_attachments(actor, referral),
        "attachments": list(referral.attachments.all()),
        "hand_backs": list(referral.hand_backs.all()),
        "news": list(referral.post_exit_news.all()),
        "age": young_person.age_on(today),
    }


def referral_file_pdf(referral: Referral, *, actor: Actor) -> bytes:
    """The referral file of ``referral`` as ``actor`` may see it (the referral must be in their scope)."""
    prefetch_referral_files([referral])
    return render_pdf(TEMPLATE, referral_file_context(referral, actor=actor))


def referral_file_name(referral: Referral) -> str:
    return pdf_filename(FILENAME_PREFIX, referral.public_id)
