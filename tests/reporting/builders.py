"""A small known dataset: referrals walked through their states at chosen delays (in days after sending)."""

import datetime

from django.utils import timezone

from cej.models import CejContract
from e2c_referrals.enums import HandBackReason, ReferralStatus
from e2c_referrals.models import HandBack, Referral, ReferralTransition
from reporting.services.facts import refresh_facts
from tests.cej.factories import YoungPersonFactory

S = ReferralStatus
UTC = datetime.UTC


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def referral(w, *, referrer, site, sent_at, steps=(), cej=False, exit_on=None, outcome="", hand_back=""):
    """A referral sent at ``sent_at``, then moved through ``steps`` [(status, days after sending)]."""
    young = YoungPersonFactory(organisation=referrer)
    contract = None
    if cej:
        contract = CejContract.objects.create(
            young_person=young,
            organisation=referrer,
            signed_on=sent_at.date(),
            starts_on=sent_at.date(),
            planned_end_on=sent_at.date() + datetime.timedelta(days=365),
            weekly_hours=15,
            allowance_category="minor",
        )
    adviser = w.user("adviser_ml")
    created = Referral.objects.create(
        young_person=young,
        referring_organisation=referrer,
        referring_adviser=adviser,
        e2c_site=site,
        diagnostic="Diagnostic.",
        motivation="Motivation.",
        status=S.SENT,
        sent_at=sent_at,
        cej_contract=contract,
    )
    moves = [(S.DRAFT, S.SENT, sent_at)]
    status = S.SENT
    for target, days in steps:
        moves.append((status, target, sent_at + datetime.timedelta(days=days)))
        status = target
    if exit_on:
        moves.append((status, S.EXITED, at(exit_on)))
        status = S.EXITED
    for origin, target, when in moves:
        ReferralTransition.objects.create(
            referral=created,
            created_at=when,
            from_status=origin,
            to_status=target,
            actor=adviser,
            actor_organisation=referrer,
        )
    enrolled = next((when for _o, target, when in moves if target == S.ENROLLED), None)
    Referral.objects.filter(pk=created.pk).update(
        status=status,
        status_changed_at=moves[-1][2],
        enrolled_on=timezone.localdate(enrolled) if enrolled else None,
        exited_on=datetime.date.fromisoformat(exit_on) if exit_on else None,
        exit_outcome=outcome,
    )
    if hand_back:
        hand = HandBack.objects.create(referral=created, organisation=referrer, reason=hand_back)
        HandBack.objects.filter(pk=hand.pk).update(created_at=moves[-1][2])
    return created


def enrolled_path(ack, invited, attended, integration, enrolled):
    return [
        (S.ACKNOWLEDGED, ack),
        (S.INVITED, invited),
        (S.ATTENDED, attended),
        (S.INTERVIEW, attended + 1),
        (S.INTEGRATION, integration),
        (S.ENROLLED, enrolled),
    ]


def known_dataset(w):
    """Ten referrals sent in the first semester of 2026 (and one before), see test_indicators."""
    lyon, ft, site, lille, lille_site = w.ml_a, w.ft, w.site, w.ml_b, w.other_site
    feb = at("2026-02-02")
    referral(
        w,
        referrer=lyon,
        site=site,
        sent_at=feb,
        steps=enrolled_path(2, 5, 10, 20, 50),
        cej=True,
        exit_on="2026-05-15",
        outcome="cdi",
    )
    referral(
        w,
        referrer=lyon,
        site=site,
        sent_at=feb,
        steps=enrolled_path(4, 6, 14, 25, 60),
        exit_on="2026-06-01",
        outcome="no_solution",
        hand_back=HandBackReason.NON_POSITIVE_EXIT,
    )
    referral(
        w,
        referrer=lyon,
        site=site,
        sent_at=feb,
        steps=[(S.ACKNOWLEDGED, 1), (S.INVITED, 3), (S.NO_SHOW, 8), (S.WITHDRAWN, 20)],
        hand_back=HandBackReason.WITHDRAWN,
    )
    referral(
        w,
        referrer=lyon,
        site=site,
        sent_at=feb,
        steps=[(S.ACKNOWLEDGED, 3), (S.NOT_ADMITTED, 5)],
        hand_back=HandBackReason.NOT_ADMITTED,
    )
    referral(w, referrer=lyon, site=site, sent_at=at("2026-03-02"), steps=enrolled_path(6, 9, 16, 30, 70), cej=True)
    referral(w, referrer=lyon, site=site, sent_at=at("2026-06-30", hour=20))  # 22:00 in Paris: still June
    referral(w, referrer=ft, site=site, sent_at=feb, steps=[(S.ACKNOWLEDGED, 2), (S.INVITED, 4), (S.ATTENDED, 12)])
    referral(w, referrer=ft, site=site, sent_at=feb, steps=[(S.ACKNOWLEDGED, 10)])
    referral(w, referrer=lille, site=lille_site, sent_at=feb, steps=[(S.ACKNOWLEDGED, 5)])
    referral(w, referrer=lyon, site=lille_site, sent_at=feb)  # across régions: counts in both
    referral(w, referrer=lyon, site=site, sent_at=at("2025-12-31", hour=22), steps=[(S.ACKNOWLEDGED, 1)])
    refresh_facts()
    # ^ 23:00 on 31 December in Paris: the previous semester
