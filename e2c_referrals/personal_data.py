"""Right of access (RGPD art. 15): every piece of data the application holds on one young person.

One gathering (``personal_data_sections``) feeds both outputs, so the PDF (for reading) and the JSON
(for machines) never disagree: the file, its history, consents, CEJ and PACEA contracts with their
events, follow-ups, referrals with their timeline and information-session registrations,
hand-backs, post-exit news, attachments (listed, not included) and the access log entries about any
of these records.

Allowed to advisers and managers of the young person's referent organisation, and to administrators
(the DPO answers requests for any file). Reading only: the caller logs the export.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import models
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import formats, timezone

from audit.models import AccessLog
from cej.models import CejContract, Consent, FollowUp, PaceaContract, Restriction, YoungPerson
from cej.selectors.young_people import young_person_for_actor
from e2c_referrals.models import (
    Attachment,
    HandBack,
    PostExitNews,
    Referral,
    ReferralTransition,
    SessionRegistration,
)
from e2c_referrals.pdf.base import document_context, pdf_filename, render_pdf
from partners.access import Actor, Capability

TEMPLATE = "pdf/personal_data.html"
FORMAT_VERSION = 1

# A field: its attribute name, or (attribute name, French label) when the model has no good label.
FieldSpec = str | tuple[str, str]


@dataclasses.dataclass(frozen=True)
class Value:
    key: str
    label: str
    display: str
    data: object  # JSON-ready


@dataclasses.dataclass(frozen=True)
class Record:
    title: str
    values: list[Value]

    def as_json(self) -> dict[str, object]:
        return {value.key: value.data for value in self.values}


@dataclasses.dataclass(frozen=True)
class Section:
    key: str
    title: str
    records: list[Record]


def young_person_for_personal_data(*, actor: Actor, public_id: uuid.UUID | str) -> YoungPerson:
    """The file whose data ``actor`` may export: 403 for roles that may not, 404 outside the scope."""
    actor.require(Capability.EXPORT_PERSONAL_DATA)
    if not actor.is_administrator:
        return young_person_for_actor(actor=actor, public_id=public_id)
    try:
        return YoungPerson.objects.select_related("organisation", "referent", "departement").get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Dossier introuvable.") from error


# --- Turning a model's fields into labelled values ---------------------------------------------------


def _json(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


def _display(record: models.Model, field: models.Field[object, object], value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d/m/Y")
    choices = dict(
        getattr(field, "flatchoices", None) or getattr(getattr(field, "base_field", None), "flatchoices", [])
    )
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, models.Model):
        return _person(value) if hasattr(value, "get_full_name") else str(value)
    if isinstance(value, Decimal):
        return f"{formats.number_format(value, 2, use_l10n=True)} €"
    return str(value)


def _person(user: models.Model) -> str:
    return str(user.get_full_name())  # type: ignore[attr-defined]


def record(title: str, instance: models.Model, specs: Sequence[FieldSpec], **extra: tuple[str, object]) -> Record:
    """``instance``'s fields as labelled values; ``extra`` adds computed ones: key=(label, value)."""
    values = []
    for spec in specs:
        name, label = (spec, "") if isinstance(spec, str) else spec
        field = instance._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{name} is a relation, not a field")
        value = getattr(instance, name)
        if not label:
            label = str(field.verbose_name)
            label = label[:1].upper() + label[1:]
        data = value.name if isinstance(value, models.fields.files.FieldFile) else _json(value)
        shown = ("fichier conservé" if value else "—") if isinstance(value, models.fields.files.FieldFile) else None
        values.append(Value(name, label, shown or _display(instance, field, value), data))
    for key, (label, value) in extra.items():
        values.append(Value(key, label, str(value) if value not in (None, "") else "—", _json(value)))
    return Record(title, values)


def _names(users: Iterable[models.Model]) -> str:
    return ", ".join(_person(user) for user in users)


# --- Gathering ------------------------------------------------------------------------------------


def personal_data_sections(young_person: YoungPerson) -> list[Section]:
    """Everything held on ``young_person``, one section per kind of record, oldest first."""
    events = list(young_person.events.select_related("actor_organisation").order_by("created_at", "id"))
    consents = list(
        Consent.objects.filter(young_person=young_person)
        .select_related("e2c_site", "recorded_by", "revoked_by", "supersedes")
        .order_by("given_on", "id")
    )
    cej_contracts = list(
        CejContract.objects.filter(young_person=young_person)
        .select_related("organisation", "referent")
        .prefetch_related("events", "structuring_steps")
        .order_by("starts_on", "id")
    )
    pacea_contracts = list(
        PaceaContract.objects.filter(young_person=young_person)
        .select_related("organisation", "referent")
        .prefetch_related("phases")
        .order_by("starts_on", "id")
    )
    follow_ups = list(
        FollowUp.objects.filter(young_person=young_person).prefetch_related("participants").order_by("scheduled_on")
    )
    referrals = list(
        Referral.objects.filter(young_person=young_person)
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
                queryset=SessionRegistration.objects.select_related("session__e2c_site").order_by("created_at", "id"),
            ),
        )
        .order_by("created_at", "id")
    )
    identifiers: list[uuid.UUID] = [young_person.public_id]
    identifiers += [consent.public_id for consent in consents]
    identifiers += [contract.public_id for contract in [*cej_contracts, *pacea_contracts]]
    identifiers += [follow_up.public_id for follow_up in follow_ups]
    for referral in referrals:
        identifiers.append(referral.public_id)
        identifiers += [attachment.public_id for attachment in referral.attachments.all()]
        identifiers += [hand_back.public_id for hand_back in referral.hand_backs.all()]
        identifiers += [registration.public_id for registration in referral.session_registrations.all()]
    restrictions = list(
        Restriction.objects.filter(young_person=young_person)
        .select_related("started_by", "lifted_by")
        .order_by("started_at", "id")
    )
    identifiers += [restriction.public_id for restriction in restrictions]
    # The reads of these records, and the lists and searches that showed the young person's name.
    accesses = list(
        AccessLog.objects.filter(Q(object_id__in=identifiers) | Q(shown__contains=[young_person.public_id]))
        .select_related("organisation")
        .order_by("created_at", "id")
    )

    def of_referral(referral: Referral) -> tuple[str, object]:
        return ("Orientation", str(referral.public_id))

    return [
        Section(
            "file",
            "Dossier",
            [
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
                )
            ],
        ),
        Section(
            "file_events",
            "Historique du dossier",
            [
                record(
                    event.action,
                    event,
                    [("created_at", "Date"), ("action", "Action"), ("changed_fields", "Champs modifiés")],
                    actor_organisation=("Organisation", event.actor_organisation),
                )
                for event in events
            ],
        ),
        Section(
            "consents",
            "Accords de partage",
            [
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
                    supersedes=("Remplace l'accord", consent.supersedes.public_id if consent.supersedes else None),
                    state=("État", consent.state_label),
                )
                for consent in consents
            ],
        ),
        Section(
            "cej_contracts",
            "Contrats d'engagement jeune (CEJ)",
            [
                record(
                    str(contract),
                    contract,
                    [
                        ("public_id", "Identifiant"),
                        "organisation",
                        "referent",
                        "signed_on",
                        "starts_on",
                        "planned_end_on",
                        "ended_on",
                        "status",
                        "end_reason",
                        "weekly_hours",
                        "allowance_category",
                        "activity_plan",
                    ],
                )
                for contract in cej_contracts
            ],
        ),
        Section(
            "cej_events",
            "Événements des CEJ",
            [
                record(
                    str(event),
                    event,
                    ["kind", "occurred_on", "new_end_on", "breach_rank", "consequence", "reason"],
                    contract=("Contrat", str(contract.public_id)),
                )
                for contract in cej_contracts
                for event in contract.events.all()
            ]
            + [
                record(
                    step.label,
                    step,
                    ["label", "is_e2c", "starts_on", "ends_on"],
                    contract=("Contrat", str(contract.public_id)),
                )
                for contract in cej_contracts
                for step in contract.structuring_steps.all()
            ],
        ),
        Section(
            "pacea_contracts",
            "PACEA et phases",
            [
                record(
                    str(contract),
                    contract,
                    [
                        ("public_id", "Identifiant"),
                        "organisation",
                        "referent",
                        "signed_on",
                        "starts_on",
                        "planned_end_on",
                        "ended_on",
                        "status",
                        "end_reason",
                    ],
                )
                for contract in pacea_contracts
            ]
            + [
                record(
                    phase.label,
                    phase,
                    ["label", "starts_on", "ends_on", "objectives"],
                    contract=("Contrat", str(contract.public_id)),
                )
                for contract in pacea_contracts
                for phase in contract.phases.all()
            ],
        ),
        Section(
            "follow_ups",
            "Points de suivi",
            [
                record(
                    str(follow_up),
                    follow_up,
                    [("public_id", "Identifiant"), "scheduled_on", "held_on", "status", "notes", "next_review_on"],
                    participants=("Participants", _names(follow_up.participants.all())),
                )
                for follow_up in follow_ups
            ],
        ),
        Section(
            "referrals",
            "Orientations vers une E2C",
            [
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
                )
                for referral in referrals
            ],
        ),
        Section(
            "referral_transitions",
            "Historique des orientations",
            [
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
                    referral=of_referral(referral),
                )
                for referral in referrals
                for step in referral.transitions.all()
            ],
        ),
        Section(
            "session_registrations",
            "Inscriptions aux informations collectives",
            [
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
                    session_site=("Site E2C", str(registration.session.e2c_site)),
                    session_starts_at=("Début de la séance", registration.session.starts_at),
                    referral=of_referral(referral),
                )
                for referral in referrals
                for registration in referral.session_registrations.all()
            ],
        ),
        Section(
            "hand_backs",
            "Retours vers le prescripteur",
            [
                record(
                    hand_back.get_reason_display(),
                    hand_back,
                    ["reason", "organisation", ("created_at", "Créé le"), "handled_at", "handled_by", "follow_up_note"],
                    referral=of_referral(referral),
                )
                for referral in referrals
                for hand_back in referral.hand_backs.all()
            ],
        ),
        Section(
            "post_exit_news",
            "Nouvelles après la sortie",
            [
                record(
                    str(news),
                    news,
                    ["news_on", "situation", "note", ("recorded_by", "Noté par")],
                    referral=of_referral(referral),
                )
                for referral in referrals
                for news in referral.post_exit_news.all()
            ],
        ),
        Section(
            "attachments",
            "Pièces jointes (liste ; les fichiers sont remis à part sur demande)",
            [
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
                    referral=of_referral(referral),
                )
                for referral in referrals
                for attachment in referral.attachments.all()
            ],
        ),
        Section(
            "restrictions",
            "Limitations du traitement (RGPD, article 18)",
            [
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
                )
                for restriction in restrictions
            ],
        ),
        Section(
            "access_log",
            "Journal des accès à ces données",
            [
                record(
                    access.get_purpose_display(),
                    access,
                    [("created_at", "Date"), "purpose", ("organisation", "Organisation")],
                    object_type=("Objet", access.listing_label or access.object_type),
                    object_id=("Identifiant de l'objet", str(access.object_id)),
                )
                for access in accesses
            ],
        ),
    ]


def personal_data(young_person: YoungPerson, *, actor: Actor) -> dict[str, object]:
    """The JSON export: every section, each record as ``{field: value}`` (ISO dates, codes not labels)."""
    sections = personal_data_sections(young_person)
    return {
        "format": "orientations-e2c/donnees-personnelles",
        "version": FORMAT_VERSION,
        "generated_at": timezone.localtime().isoformat(),
        "generated_by_organisation": str(actor.organisation) if actor.organisation else None,
        "young_person": str(young_person.public_id),
        **{section.key: [item.as_json() for item in section.records] for section in sections},
    }


def personal_data_pdf(young_person: YoungPerson, *, actor: Actor) -> bytes:
    sections = personal_data_sections(young_person)
    context = {
        **document_context(actor=actor, title="Données personnelles détenues — droit d'accès"),
        "young_person": young_person,
        "sections": sections,
    }
    return render_pdf(TEMPLATE, context)


def personal_data_filename(young_person: YoungPerson, extension: str) -> str:
    return pdf_filename("donnees-personnelles", young_person.public_id).removesuffix(".pdf") + f".{extension}"
