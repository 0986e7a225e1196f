"""The young person's file, consents, CEJ and PACEA contracts, follow-ups and restrictions in the
right-of-access export (sections registered in ``cej.apps``, assembled by ``privacy``)."""

from __future__ import annotations

from typing import cast

from cej.models import CejContract, Consent, FollowUp, PaceaContract, Restriction, YoungPerson
from privacy.records import Record, names, record
from privacy.registry import Subject


def _young_person(subject: Subject) -> YoungPerson:
    return cast(YoungPerson, subject.person)


def _cej_contracts(subject: Subject) -> list[CejContract]:
    return subject.once(
        "cej.cej_contracts",
        lambda: list(
            CejContract.objects.filter(young_person=_young_person(subject))
            .select_related("organisation", "referent")
            .prefetch_related("events", "structuring_steps")
            .order_by("starts_on", "id")
        ),
    )


def file(subject: Subject) -> list[Record]:
    young_person = _young_person(subject)
    return [
        record(
            "Dossier du jeune",
            young_person,
            [
                ("public_id", "Identifiant du dossier"),
                "last_name",
                "first_name",
                "birth_date",
                "email",
                "phone",
                "address",
                "postcode",
                "commune",
                "departement",
                "lives_in_qpv",
                "lives_in_zrr",
                "qualification_level",
                "last_class",
                "left_school_on",
                "has_rqth",
                "imilo_number",
                "france_travail_id",
                "organisation",
                "referent",
                "created_at",
                "updated_at",
            ],
            logged_as=young_person.public_id,
        )
    ]


def file_events(subject: Subject) -> list[Record]:
    events = _young_person(subject).events.select_related("actor_organisation").order_by("created_at", "id")
    return [
        record(
            event.action,
            event,
            [("created_at", "Date"), ("action", "Action"), ("changed_fields", "Champs modifiés")],
            actor_organisation=("Organisation", event.actor_organisation),
        )
        for event in events
    ]


def consents(subject: Subject) -> list[Record]:
    found = (
        Consent.objects.filter(young_person=_young_person(subject))
        .select_related("e2c_site", "recorded_by", "revoked_by", "supersedes")
        .order_by("given_on", "id")
    )
    return [
        record(
            f"Accord du {consent.given_on:%d/%m/%Y}",
            consent,
            [
                ("public_id", "Identifiant"),
                "e2c_site",
                "shared_data",
                "given_on",
                "method",
                "attestation",
                "signed_form",
                "recorded_by",
                "revoked_at",
                "revoked_by",
                "revocation_reason",
                "superseded_at",
            ],
            logged_as=consent.public_id,
            supersedes=("Remplace l'accord", consent.supersedes.public_id if consent.supersedes else None),
            state=("État", consent.state_label),
        )
        for consent in found
    ]


# What a CEJ and a PACEA have in common, in the order the export lists it.
CONTRACT_FIELDS: list[str | tuple[str, str]] = [
    ("public_id", "Identifiant"),
    "organisation",
    "referent",
    "signed_on",
    "starts_on",
    "planned_end_on",
    "ended_on",
    "status",
    "end_reason",
]


def cej_contracts(subject: Subject) -> list[Record]:
    return [
        record(
            str(contract),
            contract,
            [*CONTRACT_FIELDS, "weekly_hours", "allowance_category", "activity_plan"],
            logged_as=contract.public_id,
        )
        for contract in _cej_contracts(subject)
    ]


def cej_events(subject: Subject) -> list[Record]:
    contracts = _cej_contracts(subject)
    return [
        record(
            str(event),
            event,
            ["kind", "occurred_on", "new_end_on", "breach_rank", "consequence", "reason"],
            contract=("Contrat", str(contract.public_id)),
        )
        for contract in contracts
        for event in contract.events.all()
    ] + [
        record(
            step.label,
            step,
            ["label", "is_e2c", "starts_on", "ends_on"],
            contract=("Contrat", str(contract.public_id)),
        )
        for contract in contracts
        for step in contract.structuring_steps.all()
    ]


def pacea_contracts(subject: Subject) -> list[Record]:
    contracts = list(
        PaceaContract.objects.filter(young_person=_young_person(subject))
        .select_related("organisation", "referent")
        .prefetch_related("phases")
        .order_by("starts_on", "id")
    )
    return [
        record(
            str(contract),
            contract,
            CONTRACT_FIELDS,
            logged_as=contract.public_id,
        )
        for contract in contracts
    ] + [
        record(
            phase.label,
            phase,
            ["label", "starts_on", "ends_on", "objectives"],
            contract=("Contrat", str(contract.public_id)),
        )
        for contract in contracts
        for phase in contract.phases.all()
    ]


def follow_ups(subject: Subject) -> list[Record]:
    found = (
        FollowUp.objects.filter(young_person=_young_person(subject))
        .prefetch_related("participants")
        .order_by("scheduled_on")
    )
    return [
        record(
            str(follow_up),
            follow_up,
            [("public_id", "Identifiant"), "scheduled_on", "held_on", "status", "notes", "next_review_on"],
            logged_as=follow_up.public_id,
            participants=("Participants", names(follow_up.participants.all())),
        )
        for follow_up in found
    ]


def restrictions(subject: Subject) -> list[Record]:
    found = (
        Restriction.objects.filter(young_person=_young_person(subject))
        .select_related("started_by", "lifted_by")
        .order_by("started_at", "id")
    )
    return [
        record(
            restriction.get_ground_display(),
            restriction,
            [
                "started_at",
                ("started_by", "Limité par"),
                "ground",
                "note",
                "lifted_at",
                ("lifted_by", "Levée par"),
                "lift_reason",
                "person_informed_on",
            ],
            logged_as=restriction.public_id,
        )
        for restriction in found
    ]
