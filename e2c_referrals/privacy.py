"""Referrals, their timeline, session registrations, hand-backs, post-exit news and attachments in
the right-of-access export (sections registered in ``e2c_referrals.apps``, assembled by ``privacy``)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from e2c_referrals.models import (
    Attachment,
    HandBack,
    PostExitNews,
    Referral,
    ReferralTransition,
    SessionRegistration,
)
from privacy.records import Record, record
from privacy.registry import Subject


def _referrals(subject: Subject) -> list[Referral]:
    """One query (and its prefetches) for every section of this module."""
    return subject.once(
        "e2c_referrals.referrals",
        lambda: list(
            Referral.objects.filter(young_person_id=subject.person.pk)
            .select_related("referring_organisation", "referring_adviser", "e2c_site")
            .prefetch_related(
                Prefetch(
                    "transitions",
                    queryset=ReferralTransition.objects.select_related("actor", "actor_organisation"),
                ),
                Prefetch("hand_backs", queryset=HandBack.objects.select_related("organisation", "handled_by")),
                Prefetch("post_exit_news", queryset=PostExitNews.objects.select_related("recorded_by")),
                Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
                Prefetch(
                    "session_registrations",
                    queryset=SessionRegistration.objects.select_related("session__e2c_site").order_by(
                        "created_at", "id"
                    ),
                ),
            )
            .order_by("created_at", "id")
        ),
    )


def _of(referral: Referral) -> tuple[str, object]:
    return ("Orientation", str(referral.public_id))


def referrals(subject: Subject) -> list[Record]:
    return [
        record(
            f"Orientation vers {referral.e2c_site}",
            referral,
            [
                ("public_id", "Identifiant"),
                "referring_organisation",
                "referring_adviser",
                "e2c_site",
                "status",
                "status_changed_at",
                "sent_at",
                "diagnostic",
                "motivation",
                "not_admitted_reason",
                "integration_starts_on",
                "integration_planned_end_on",
                "enrolled_on",
                "exited_on",
                "exit_outcome",
                "skills_certificate_issued",
                ("created_at", "Créée le"),
            ],
            logged_as=referral.public_id,
        )
        for referral in _referrals(subject)
    ]


def referral_transitions(subject: Subject) -> list[Record]:
    return [
        record(
            f"{step.get_from_status_display()} → {step.get_to_status_display()}",
            step,
            [
                ("created_at", "Date"),
                ("from_status", "De l'état"),
                ("to_status", "À l'état"),
                ("actor", "Par"),
                ("actor_organisation", "Organisation"),
                "reason",
            ],
            referral=_of(referral),
        )
        for referral in _referrals(subject)
        for step in referral.transitions.all()
    ]


def session_registrations(subject: Subject) -> list[Record]:
    return [
        record(
            f"Séance du {timezone.localtime(registration.session.starts_at):%d/%m/%Y à %H:%M}",
            registration,
            [
                ("status", "Inscription"),
                "attendance",
                ("created_at", "Inscrit(e) le"),
                ("status_changed_at", "Dernier changement"),
                "withdrawn_reason",
            ],
            logged_as=registration.public_id,
            session_site=("Site E2C", str(registration.session.e2c_site)),
            session_starts_at=("Début de la séance", registration.session.starts_at),
            referral=_of(referral),
        )
        for referral in _referrals(subject)
        for registration in referral.session_registrations.all()
    ]


def hand_backs(subject: Subject) -> list[Record]:
    return [
        record(
            hand_back.get_reason_display(),
            hand_back,
            ["reason", "organisation", ("created_at", "Créé le"), "handled_at", "handled_by", "follow_up_note"],
            logged_as=hand_back.public_id,
            referral=_of(referral),
        )
        for referral in _referrals(subject)
        for hand_back in referral.hand_backs.all()
    ]


def post_exit_news(subject: Subject) -> list[Record]:
    return [
        record(
            str(news),
            news,
            ["news_on", "situation", "note", ("recorded_by", "Noté par")],
            referral=_of(referral),
        )
        for referral in _referrals(subject)
        for news in referral.post_exit_news.all()
    ]


def attachments(subject: Subject) -> list[Record]:
    return [
        record(
            attachment.label,
            attachment,
            [
                ("public_id", "Identifiant"),
                "label",
                ("content_type", "Format"),
                ("size", "Taille (octets)"),
                ("created_at", "Ajoutée le"),
                ("uploaded_by", "Ajoutée par"),
            ],
            logged_as=attachment.public_id,
            referral=_of(referral),
        )
        for referral in _referrals(subject)
        for attachment in referral.attachments.all()
    ]
