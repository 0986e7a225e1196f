"""Writes to agreements, their amendments and the territorial diagnostics.

Signed PDFs are checked (``partners.uploads.validate_pdf``) before anything is written, and the
stored file is removed again if the database write fails: a refused upload leaves nothing behind.
Who changed what and when: ``created_by`` / ``author`` and ``created_at`` / ``updated_at`` for now;
the full change history comes with the security issue (#10, django-pghistory).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
from collections.abc import Sequence

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from partners.access import Actor, AgreementReach, Capability, can_edit_agreement, can_edit_diagnostic
from partners.enums import AgreementFramework, AgreementLevel, CollaborationLevel, OrganisationKind, Role
from partners.models import Agreement, Amendment, Organisation, Region, TerritorialDiagnostic
from partners.uploads import PDF_CLEAN_NAME, removed_on_failure, validate_pdf

REACH_MESSAGES: dict[str, str] = {
    Role.REGIONAL_COORDINATOR: "Vous pouvez enregistrer les accords régionaux et locaux de votre région uniquement.",
    Role.MANAGER: "Vous pouvez enregistrer les accords locaux dont votre organisation est signataire uniquement.",
}


# Dates outside this window are typing mistakes; refusing them also keeps the date arithmetic
# (3-year default end, review meeting 6 months before the end) far from years 1 and 9999.
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_YEARS_AHEAD = 30


def _date_error(value: datetime.date, what: str) -> str | None:
    """The French message when ``value`` is outside 1 January 1990 … today + 30 years, else None."""
    if value < EARLIEST_DATE:
        return f"{what} ne peut pas précéder le {EARLIEST_DATE:%d/%m/%Y}."
    latest = timezone.localdate() + relativedelta(years=LATEST_YEARS_AHEAD)
    if value > latest:
        return f"{what} ne peut pas dépasser le {latest:%d/%m/%Y}."
    return None


def default_end(starts_on: datetime.date) -> datetime.date:
    """An agreement lasts 3 years unless told otherwise (accord-cadre, article on duration)."""
    return starts_on + relativedelta(years=Agreement.DEFAULT_DURATION_YEARS) - datetime.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class AgreementData:
    """What the agreement form gives (typed, not yet validated). ``ends_on`` None: 3 years."""

    title: str
    framework: str
    level: str
    signed_on: datetime.date
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    parent: Agreement | None = None
    region: Region | None = None
    parties: Sequence[Organisation] = ()
    signed_document: File[bytes] | None = None


def _check_pdf(document: File[bytes] | None, field: str) -> None:
    if document is None:
        return
    try:
        validate_pdf(document)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    document.name = PDF_CLEAN_NAME


def _delete_on_commit(field_file: FieldFile, name: str) -> None:
    """Delete a replaced file once the change is committed (kept if the change rolls back)."""
    storage = field_file.storage

    def delete() -> None:
        if storage.exists(name):
            storage.delete(name)

    transaction.on_commit(delete)


def _check_agreement(data: AgreementData, *, actor: Actor) -> datetime.date:
    """Check the data and the actor's reach; return the end date (3 years by default)."""
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = ["Indiquez l'intitulé de l'accord."]
    if data.framework not in AgreementFramework.values:
        errors["framework"] = [f"Cadre inconnu : « {data.framework} »."]
    if data.level not in AgreementLevel.values:
        errors["level"] = [f"Niveau inconnu : « {data.level} »."]
    if data.signed_on > timezone.localdate():
        errors["signed_on"] = ["La date de signature ne peut pas être dans le futur."]
    elif message := _date_error(data.signed_on, "La date de signature"):
        errors["signed_on"] = [message]
    if message := _date_error(data.starts_on, "La date de début"):
        errors["starts_on"] = [message]
    if data.ends_on is not None and (message := _date_error(data.ends_on, "La date de fin")):
        errors["ends_on"] = [message]
    # The default end is computed only from a start inside the window (no overflow near year 9999).
    ends_on = data.ends_on or (default_end(data.starts_on) if "starts_on" not in errors else None)
    if ends_on is not None and not errors.keys() & {"starts_on", "ends_on"} and ends_on <= data.starts_on:
        errors["ends_on"] = ["La date de fin doit suivre la date de début."]
    if data.level == AgreementLevel.NATIONAL:
        if data.parent is not None:
            errors["parent"] = ["Un accord national ne décline aucun autre accord."]
        if data.region is not None:
            errors["region"] = ["Un accord national ne porte pas sur une région."]
    elif data.level in AgreementLevel.values:
        if data.parent is not None and (
            data.parent.level != AgreementLevel.NATIONAL or data.parent.framework != data.framework
        ):
            errors["parent"] = ["L'accord décliné doit être un accord national du même cadre."]
        if data.region is None:
            errors["region"] = ["Indiquez la région d'un accord régional ou local."]
        if len({party.pk for party in data.parties}) < 2:
            errors["parties"] = ["Un accord régional ou local est signé par au moins deux organisations."]
        elif data.region is not None:
            # National bodies (UNML, Réseau E2C France) sign regional versions wherever their seat is.
            outside = [
                str(p) for p in data.parties if p.kind != OrganisationKind.NATIONAL and p.region_id != data.region.pk
            ]
            if outside:
                errors["parties"] = [
                    f"Ces signataires ne sont pas dans la région {data.region} : {', '.join(outside)}."
                ]
    if errors or ends_on is None:  # no end date only when the start was refused
        raise ValidationError(errors)
    reach = AgreementReach(
        level=data.level,
        region_id=data.region.pk if data.region else None,
        party_ids=frozenset(party.pk for party in data.parties),
    )
    if not can_edit_agreement(actor, reach):
        raise ValidationError(REACH_MESSAGES.get(str(actor.role), "Vous ne pouvez pas enregistrer cet accord."))
    return ends_on


@transaction.atomic
def agreement_create(*, actor: Actor, data: AgreementData) -> Agreement:
    """Record an agreement; its end is 3 years after its start less one day when not given.

    Side effects: the signed PDF, if any, is stored (removed again if the write fails).
    """
    actor.require(Capability.MANAGE_AGREEMENTS)
    ends_on = _check_agreement(data, actor=actor)
    _check_pdf(data.signed_document, "signed_document")
    agreement = Agreement(
        title=data.title.strip(),
        framework=data.framework,
        level=data.level,
        parent=data.parent,
        region=data.region,
        signed_on=data.signed_on,
        starts_on=data.starts_on,
        ends_on=ends_on,
        created_by=actor.user,
    )
    if data.signed_document is not None:
        agreement.signed_document = data.signed_document
    with removed_on_failure(agreement.signed_document):
        agreement.full_clean()
        agreement.save()
        agreement.parties.set(data.parties)
    return agreement


@transaction.atomic
def agreement_update(*, actor: Actor, agreement: Agreement, data: AgreementData) -> list[str]:
    """Change an agreement under a row lock; returns the names of the fields that changed.

    A new signed PDF replaces the previous one, whose file is deleted once the change is committed.
    """
    actor.require(Capability.MANAGE_AGREEMENTS)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not can_edit_agreement(actor, locked):
        raise PermissionDenied("Vous ne pouvez pas modifier cet accord.")
    if data.parent is not None and data.parent.pk == locked.pk:
        raise ValidationError({"parent": ["Un accord ne peut pas se décliner lui-même."]})
    if locked.level == AgreementLevel.NATIONAL and locked.versions.exists():
        if data.level != AgreementLevel.NATIONAL:
            raise ValidationError({"level": ["Cet accord national a des déclinaisons : il reste national."]})
        if data.framework != locked.framework:
            raise ValidationError({"framework": ["Cet accord national a des déclinaisons : son cadre ne change pas."]})
    ends_on = _check_agreement(data, actor=actor)
    _check_pdf(data.signed_document, "signed_document")
    values = {
        "title": data.title.strip(),
        "framework": data.framework,
        "level": data.level,
        "parent": data.parent,
        "region": data.region,
        "signed_on": data.signed_on,
        "starts_on": data.starts_on,
        "ends_on": ends_on,
    }
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
    previous_document = locked.signed_document.name
    if data.signed_document is not None:
        locked.signed_document = data.signed_document
        changed.append("signed_document")
    with removed_on_failure(locked.signed_document) if data.signed_document is not None else contextlib.nullcontext():
        locked.full_clean(exclude=["created_by"])  # rows imported without an author stay valid
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
        if {party.pk for party in data.parties} != {party.pk for party in locked.parties.all()}:
            locked.parties.set(data.parties)
            changed.append("parties")
    if data.signed_document is not None and previous_document:
        _delete_on_commit(locked.signed_document, previous_document)
    return changed


@transaction.atomic
def amendment_create(
    *,
    actor: Actor,
    agreement: Agreement,
    signed_on: datetime.date,
    summary: str,
    new_end_on: datetime.date | None = None,
    signed_document: File[bytes] | None = None,
) -> Amendment:
    """Add the next amendment (numbered 1, 2, … per agreement), possibly extending the end date.

    The agreement row is locked so two amendments added at once get different numbers.
    Side effects: the signed PDF, if any, is stored (removed again if the write fails).
    """
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not can_edit_agreement(actor, locked):
        raise PermissionDenied("Vous ne pouvez pas modifier cet accord.")
    errors: dict[str, list[str]] = {}
    if not summary.strip():
        errors["summary"] = ["Indiquez l'objet de l'avenant."]
    if signed_on > timezone.localdate():
        errors["signed_on"] = ["La date de signature ne peut pas être dans le futur."]
    elif signed_on < locked.signed_on:
        errors["signed_on"] = [f"L'avenant ne peut pas être signé avant l'accord ({locked.signed_on:%d/%m/%Y})."]
    current_end = locked.current_end
    if new_end_on is not None and (message := _date_error(new_end_on, "La nouvelle date de fin")):
        errors["new_end_on"] = [message]
    elif new_end_on is not None and new_end_on <= current_end:
        errors["new_end_on"] = [
            f"La nouvelle date de fin doit suivre la fin actuelle de l'accord ({current_end:%d/%m/%Y})."
        ]
    if errors:
        raise ValidationError(errors)
    _check_pdf(signed_document, "signed_document")
    number = (locked.amendments.aggregate(last=Max("number"))["last"] or 0) + 1
    amendment = Amendment(
        agreement=locked,
        number=number,
        signed_on=signed_on,
        new_end_on=new_end_on,
        summary=summary.strip(),
        created_by=actor.user,
    )
    if signed_document is not None:
        amendment.signed_document = signed_document
    with removed_on_failure(amendment.signed_document):
        amendment.full_clean()
        amendment.save()
    return amendment


# --- Territorial diagnostics ----------------------------------------------------------------


def _check_diagnostic(
    *,
    actor: Actor,
    mission_locale: Organisation,
    e2c_site: Organisation,
    collaboration: str,
    assessed_on: datetime.date,
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, list[str]] = {}
    if mission_locale.kind != OrganisationKind.MISSION_LOCALE:
        errors["mission_locale"] = [f"« {mission_locale} » n'est pas une Mission Locale."]
    if e2c_site.kind != OrganisationKind.E2C_SITE:
        errors["e2c_site"] = [f"« {e2c_site} » n'est pas un site E2C."]
    if collaboration not in CollaborationLevel.values:
        errors["collaboration"] = [f"Niveau de collaboration inconnu : « {collaboration} »."]
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = ["La date du diagnostic ne peut pas être dans le futur."]
    elif message := _date_error(assessed_on, "La date du diagnostic"):
        errors["assessed_on"] = [message]
    if errors:
        raise ValidationError(errors)
    if not can_edit_diagnostic(actor, mission_locale=mission_locale, e2c_site=e2c_site):
        raise PermissionDenied("Vous ne pouvez pas établir le diagnostic de ce binôme.")
    duplicates = TerritorialDiagnostic.objects.filter(
        mission_locale=mission_locale, e2c_site=e2c_site, assessed_on=assessed_on
    )
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise ValidationError(
            {"assessed_on": [f"Un diagnostic de ce binôme existe déjà à la date du {assessed_on:%d/%m/%Y}."]}
        )


@transaction.atomic
def diagnostic_create(
    *,
    actor: Actor,
    mission_locale: Organisation,
    e2c_site: Organisation,
    collaboration: str,
    assessed_on: datetime.date,
    notes: str = "",
) -> TerritorialDiagnostic:
    """Record the state of the collaboration between one ML and one E2C site at a date.

    The ML row is locked so two identical diagnostics sent at once get the French message.
    Side effects: none.
    """
    actor.require(Capability.MANAGE_AGREEMENTS)
    Organisation.objects.select_for_update().filter(pk=mission_locale.pk).first()
    _check_diagnostic(
        actor=actor,
        mission_locale=mission_locale,
        e2c_site=e2c_site,
        collaboration=collaboration,
        assessed_on=assessed_on,
    )
    return TerritorialDiagnostic.objects.create(
        mission_locale=mission_locale,
        e2c_site=e2c_site,
        collaboration=collaboration,
        assessed_on=assessed_on,
        notes=notes.strip(),
        author=actor.user,
    )


@transaction.atomic
def diagnostic_update(
    *, actor: Actor, diagnostic: TerritorialDiagnostic, collaboration: str, assessed_on: datetime.date, notes: str = ""
) -> list[str]:
    """Change a diagnostic's level, date or notes (the pair stays); returns the changed fields.

    ``author`` stays the person who recorded it; ``updated_at`` tells when it last changed.
    """
    actor.require(Capability.MANAGE_AGREEMENTS)
    locked = (
        TerritorialDiagnostic.objects.select_for_update(of=("self",))
        .select_related("mission_locale", "e2c_site")
        .get(pk=diagnostic.pk)
    )
    _check_diagnostic(
        actor=actor,
        mission_locale=locked.mission_locale,
        e2c_site=locked.e2c_site,
        collaboration=collaboration,
        assessed_on=assessed_on,
        exclude_pk=locked.pk,
    )
    values = {"collaboration": collaboration, "assessed_on": assessed_on, "notes": notes.strip()}
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, values[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return changed
