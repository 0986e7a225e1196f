"""Writes of the retention process: durations, notices, anonymisation of files and accounts.

Anonymisation keeps what the statistics need and nothing that names the person: the département,
QPV/ZRR flags, qualification level, RQTH flag, states, the year of birth (stored as 1 July of that
year), personal dates at month precision (left school, consents, follow-ups, post-exit news, and the
referral workflow's dates: the committee's rows are computed from the real dates just before the cut
and kept, see ``reporting.services.facts.freeze_facts``); contract dates stay exact (the CEJ/PACEA
no-overlap constraints need them). Names, contact
details, identifiers of other systems and every free-text note go; attachments and signed consent
forms are deleted from storage; the change history of the anonymised rows is deleted. Access-log
rows hold only UUIDs and stay (their retention is the access log's own).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
from collections.abc import Iterable, Mapping

import pghistory
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from pghistory.models import Event

from cej.models import (
    CejContract,
    CejEvent,
    Consent,
    FollowUp,
    PaceaContract,
    PaceaPhase,
    Restriction,
    StructuringStep,
    YoungPerson,
    YoungPersonEvent,
)
from cej.services.imports import young_people_imports_forget
from cej.services.restrictions import is_restricted
from e2c_referrals.models import (
    Attachment,
    HandBack,
    PostExitNews,
    Referral,
    ReferralTransition,
    SessionRegistration,
)
from e2c_referrals.workflow.sessions import REGISTRATION
from outbox.models import Message
from outbox.services import enqueue
from partners.access import Actor, Capability
from partners.enums import Role
from partners.models import AccountEvent, BackupCode, EmailChangeRequest, Invitation, SignInNetwork, User
from partners.recipients import members_by_organisation
from partners.templatetags.french_dates import date_fr
from reporting.services.facts import freeze_facts
from retention import selectors
from retention.enums import DurationUnit
from retention.models import (
    AnonymisedAccount,
    AnonymisedFile,
    RetentionNotice,
    RetentionPolicy,
    RetentionPolicyChange,
    RetentionRun,
)
from states.models import StateChange

logger = logging.getLogger(__name__)

ANONYMISED = "Anonymisé"
ANONYMISED_FIRST_NAME = "Jeune"
ANONYMISED_ACCOUNT_FIRST_NAME = "Compte"
NOTICE_KIND = "retention.notice"


# --- Durations -------------------------------------------------------------------------------------


@transaction.atomic
def policy_update(*, actor: Actor, policy: RetentionPolicy, duration: int, unit: str) -> RetentionPolicy:
    """Change one duration (administrators only). Side effects: the row locked and saved, a
    RetentionPolicyChange row (who, when, old and new value). An unchanged value writes nothing."""
    actor.require(Capability.MANAGE_RETENTION)
    if unit not in DurationUnit.values or duration < 1:
        raise ValueError("Durée invalide.")
    locked = RetentionPolicy.objects.select_for_update().get(pk=policy.pk)
    if (locked.duration, locked.unit) == (duration, unit):
        return locked
    RetentionPolicyChange.objects.create(
        policy=locked,
        changed_by=actor.user,
        old_duration=locked.duration,
        old_unit=locked.unit,
        new_duration=duration,
        new_unit=unit,
    )
    locked.duration, locked.unit = duration, unit
    locked.updated_at, locked.updated_by = timezone.now(), actor.user
    locked.save(update_fields=["duration", "unit", "updated_at", "updated_by"])
    return locked


# --- Notices -------------------------------------------------------------------------------------


def _recipients(young_person: YoungPerson, managers: dict[int, list[User]]) -> list[User]:
    referent = young_person.referent
    if referent is not None and referent.is_active:
        return [referent]
    return managers.get(young_person.organisation_id, [])


def send_notices(today: datetime.date) -> tuple[int, int]:
    """Tell the referent (else the organisation's managers) of each file due within the notice period.

    One transaction per file. Side effects: a RetentionNotice row (young person, due date) and one outbox
    message per recipient, keyed by the file and its due date: a second run writes nothing.
    Returns (files examined, messages written).
    """
    examined = written = 0
    due = list(selectors.files_to_notify(today).select_related("referent").order_by(*["due_on", "pk"]))
    managers = members_by_organisation({person.organisation_id for person in due}, [Role.MANAGER])
    for person in due:
        examined += 1
        due_on: datetime.date = person.due_on  # type: ignore[attr-defined]
        with transaction.atomic():
            _, created = RetentionNotice.objects.get_or_create(young_person=person, due_on=due_on)
            if not created:
                continue
            written += len(
                enqueue(
                    kind=NOTICE_KIND,
                    recipients=_recipients(person, managers),
                    key=f"{NOTICE_KIND}:{person.pk}:{due_on.isoformat()}",
                    context={
                        "retention_file": str(person.public_id),
                        "young_person": str(person.public_id),
                        "due_on": due_on.isoformat(),
                        "due_on_label": _french_date(due_on),
                    },
                    organisation=person.organisation,
                )
            )
    return examined, written


def _french_date(day: datetime.date) -> str:
    with translation.override("fr"):
        return date_fr(day)


# --- Anonymisation of a young person's file --------------------------------------------------------


def _month(day: datetime.date | None) -> datetime.date | None:
    return day.replace(day=1) if day else None


class _ParisMonthStart(models.Func):
    """The first of the month, 00:00 in Paris, of a date-time column (PostgreSQL's zoned date_trunc:
    Django's TruncMonth gives a local time that an UPDATE would store as UTC)."""

    template = "date_trunc('month', %(expressions)s, 'Europe/Paris')"
    output_field = models.DateTimeField()


def _months_of(model: type[models.Model], *fields: str) -> dict[str, models.Func]:
    """``update()`` arguments cutting each date or date-time column to the first of its month (Paris)."""
    return {
        name: _ParisMonthStart(name)
        if isinstance(model._meta.get_field(name), models.DateTimeField)
        else TruncMonth(name)
        for name in fields
    }


def _delete_file(field: models.fields.files.FieldFile) -> None:
    """Remove a stored file through the storage API (after the commit: a rollback keeps it)."""
    if not field.name:
        return
    storage, name = field.storage, field.name
    transaction.on_commit(lambda: storage.delete(name))


@functools.cache
def history_event_models() -> list[type[models.Model]]:
    """Every pghistory event model with a ``pgh_obj`` link (whichever app declares them)."""
    found: list[type[models.Model]] = []
    for model in apps.get_models():
        if issubclass(model, Event) and not model._meta.abstract:
            try:
                model._meta.get_field("pgh_obj")  # type: ignore[misc]
            except FieldDoesNotExist:  # tracked without its object link: nothing to match
                continue
            found.append(model)
    return found


def delete_history(touched: Mapping[type[models.Model], Iterable[int]]) -> int:
    """Delete the change-history events of the rows in ``touched`` (model → ids); returns how many."""
    wanted = {model._meta.concrete_model: list(ids) for model, ids in touched.items()}
    deleted = 0
    for event_model in history_event_models():
        target = event_model._meta.get_field("pgh_obj").related_model
        ids = wanted.get(target._meta.concrete_model) if target is not None else None
        if ids:
            deleted += event_model._default_manager.filter(pgh_obj_id__in=ids).delete()[0]
    return deleted


RETENTION_DUE = "Dossier anonymisé (durée de conservation échue)"


def young_person_anonymise(
    *, young_person_id: int, due_by: datetime.date | None = None, event: str | None = RETENTION_DUE
) -> bool:
    """Anonymise one file in its own transaction, the young person's row locked.

    Returns False when the file was anonymised already, when its processing is restricted (RGPD
    article 18: the data may be needed for a legal claim; it is anonymised by the first run after the
    lift), or, with ``due_by``, when it is no longer due by that day with an old enough notice
    (checked under the lock: a CEJ signed meanwhile wins).

    Side effects: the rows listed in the module
    docstring rewritten; attachments and signed forms deleted from storage (after the commit) with
    their rows or file fields; previewed imports naming the person cancelled and emptied; a
    YoungPersonEvent ``event`` (none when None: the caller writes its own); an AnonymisedFile row;
    the history events of every row touched deleted.
    """
    with transaction.atomic(), pghistory.context(reason="anonymisation"):
        person = YoungPerson.objects.select_for_update().filter(pk=young_person_id).first()
        if person is None or AnonymisedFile.objects.filter(young_person_id=young_person_id).exists():
            return False
        if is_restricted(young_person_id):
            logger.info("retention: young person %s kept, processing restricted (article 18)", young_person_id)
            return False
        if due_by is not None and not selectors.files_to_anonymise(due_by).filter(pk=person.pk).exists():
            return False
        touched: dict[type[models.Model], set[int]] = {YoungPerson: {person.pk}}
        imilo = person.imilo_number

        person.first_name, person.last_name = ANONYMISED_FIRST_NAME, ANONYMISED
        person.birth_date = datetime.date(person.birth_date.year, 7, 1)
        person.left_school_on = _month(person.left_school_on)
        for name in (
            "email",
            "phone",
            "address",
            "postcode",
            "commune",
            "last_class",
            "imilo_number",
            "france_travail_id",
        ):
            setattr(person, name, "")
        person.save()

        for consent in Consent.objects.select_for_update().filter(young_person=person):
            _delete_file(consent.signed_form)
            consent.signed_form = ""
            consent.attestation = ANONYMISED if consent.attestation else ""
            consent.revocation_reason = ""
            consent.given_on = _month(consent.given_on) or consent.given_on
            consent.save(update_fields=["signed_form", "attestation", "revocation_reason", "given_on", "updated_at"])
            touched.setdefault(Consent, set()).add(consent.pk)

        restrictions = Restriction.objects.filter(young_person=person)
        touched[Restriction] = set(restrictions.values_list("pk", flat=True))
        restrictions.update(note="", lift_reason="")

        cej_ids = list(CejContract.objects.filter(young_person=person).values_list("pk", flat=True))
        CejContract.objects.filter(pk__in=cej_ids).update(activity_plan="")
        touched[CejContract] = set(cej_ids)
        touched[CejEvent] = set(CejEvent.objects.filter(contract_id__in=cej_ids).values_list("pk", flat=True))
        CejEvent.objects.filter(contract_id__in=cej_ids).update(reason="")
        touched[StructuringStep] = set(
            StructuringStep.objects.filter(contract_id__in=cej_ids).values_list("pk", flat=True)
        )
        pacea_ids = list(PaceaContract.objects.filter(young_person=person).values_list("pk", flat=True))
        touched[PaceaContract] = set(pacea_ids)
        touched[PaceaPhase] = set(PaceaPhase.objects.filter(contract_id__in=pacea_ids).values_list("pk", flat=True))
        PaceaPhase.objects.filter(contract_id__in=pacea_ids).update(objectives="")

        for follow_up in FollowUp.objects.select_for_update().filter(young_person=person):
            follow_up.notes = ""
            follow_up.scheduled_on = _month(follow_up.scheduled_on) or follow_up.scheduled_on
            follow_up.held_on = _month(follow_up.held_on)
            follow_up.next_review_on = _month(follow_up.next_review_on)
            follow_up.save(update_fields=["notes", "scheduled_on", "held_on", "next_review_on", "updated_at"])
            touched.setdefault(FollowUp, set()).add(follow_up.pk)

        referral_ids = list(Referral.objects.filter(young_person=person).values_list("pk", flat=True))
        # The committee's rows computed from the real dates first, then the dates cut to the month.
        freeze_facts(referral_ids)
        Referral.objects.filter(pk__in=referral_ids).update(
            diagnostic="",
            motivation="",
            **_months_of(
                Referral,
                "created_at",
                "updated_at",
                "status_changed_at",
                "sent_at",
                "integration_starts_on",
                "integration_planned_end_on",
                "enrolled_on",
                "exited_on",
            ),
        )
        touched[Referral] = set(referral_ids)
        transitions = ReferralTransition.objects.filter(referral_id__in=referral_ids)
        touched[ReferralTransition] = set(transitions.values_list("pk", flat=True))
        transitions.update(reason="", **_months_of(ReferralTransition, "created_at"))
        hand_backs = HandBack.objects.filter(referral_id__in=referral_ids)
        touched[HandBack] = set(hand_backs.values_list("pk", flat=True))
        hand_backs.update(follow_up_note="", **_months_of(HandBack, "created_at", "updated_at", "handled_at"))
        touched[PostExitNews] = set()
        for news in PostExitNews.objects.filter(referral_id__in=referral_ids):
            news.note, news.news_on = "", _month(news.news_on) or news.news_on
            news.save(update_fields=["note", "news_on"])
            touched[PostExitNews].add(news.pk)
        registrations = SessionRegistration.objects.filter(referral_id__in=referral_ids)
        touched[SessionRegistration] = set(registrations.values_list("pk", flat=True))
        registrations.update(withdrawn_reason="", **_months_of(SessionRegistration, "created_at", "status_changed_at"))
        # The registrations' state changes keep the reason typed when a seat was given up: erased too,
        # their dates cut to the month like the registrations' (no change-history of their own).
        StateChange.objects.filter(
            table=REGISTRATION.name, object_id__in=[str(pk) for pk in touched[SessionRegistration]]
        ).update(reason="", **_months_of(StateChange, "created_at"))
        attachments = list(Attachment.objects.filter(referral_id__in=referral_ids))
        for attachment in attachments:
            _delete_file(attachment.file)
        touched[Attachment] = {attachment.pk for attachment in attachments}
        Attachment.objects.filter(pk__in=touched[Attachment]).delete()

        if imilo:
            young_people_imports_forget(organisation_id=person.organisation_id, imilo=imilo)
        if event is not None:  # None: the caller writes its own event (an erasure names who made it)
            YoungPersonEvent.objects.create(young_person=person, action=event)
        AnonymisedFile.objects.create(young_person=person)
        delete_history(touched)
    return True


# --- Accounts ------------------------------------------------------------------------------------


def account_anonymise(*, user_id: int) -> bool:
    """Anonymise one deactivated account, row locked; the row stays (records point to it).

    Side effects: name, e-mail (a unique placeholder on the reserved ``.invalid`` domain), phone erased,
    password unusable; the same for invitations to that address, account events' reasons erased,
    sign-in attempts under the address and 2FA devices deleted; an AnonymisedAccount row, the account's
    history events deleted; after the commit its open sessions are deleted.
    Returns False if the account is active or already anonymised.
    """
    from partners.services.members import end_sessions_of

    with transaction.atomic(), pghistory.context(reason="anonymisation"):
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or user.is_active or AnonymisedAccount.objects.filter(user_id=user_id).exists():
            return False
        placeholder = f"anonymise-{user.public_id}@anonymise.invalid"
        _forget_account_traces(user, placeholder)
        user.first_name, user.last_name = ANONYMISED_ACCOUNT_FIRST_NAME, ANONYMISED.lower()
        user.email = placeholder
        user.phone = ""
        user.set_unusable_password()
        user.save(update_fields=["first_name", "last_name", "email", "phone", "password"])
        AnonymisedAccount.objects.create(user=user)
        delete_history({User: [user.pk]})
        transaction.on_commit(lambda: end_sessions_of(user_id), robust=True)
    return True


def _forget_account_traces(user: User, placeholder: str) -> None:
    """What else names the person: invitations sent to their address (given ``placeholder`` instead),
    the free-text reasons of their account's events, sign-in attempts recorded under their address
    (django-axes) and the networks they signed in from, their 2FA devices and backup codes (hashes only, but
    of no use any more), the addresses security notices were sent to (an old address after a change)."""
    Invitation.objects.filter(models.Q(email__iexact=user.email) | models.Q(accepted_by=user)).update(
        email=placeholder, first_name=ANONYMISED_ACCOUNT_FIRST_NAME, last_name=ANONYMISED.lower()
    )
    AccountEvent.objects.filter(user=user).update(reason="")
    for label in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"):
        with contextlib.suppress(LookupError):
            apps.get_model(label)._default_manager.filter(username__iexact=user.email).delete()
    with contextlib.suppress(LookupError):
        apps.get_model("otp_totp.TOTPDevice")._default_manager.filter(user=user).delete()
    BackupCode.objects.filter(user=user).delete()
    SignInNetwork.objects.filter(user=user).delete()
    Message.objects.filter(recipient=user).exclude(address="").update(address=placeholder)
    EmailChangeRequest.objects.filter(user=user).delete()


def run_record(
    *, day: datetime.date, notices_sent: int, files_anonymised: int, accounts_anonymised: int
) -> RetentionRun:
    """The monthly run's line on the administrators' page (what it did, even when some failed)."""
    return RetentionRun.objects.create(
        day=day, notices_sent=notices_sent, files_anonymised=files_anonymised, accounts_anonymised=accounts_anonymised
    )
