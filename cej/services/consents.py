"""What a young person agreed to share with which E2C site: recorded, dated, revocable."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from cej.enums import ConsentMethod, SharedData
from cej.models import Consent, YoungPerson
from cej.services.restrictions import require_not_restricted
from cej.services.young_people import record_event, require_file_holder
from cej.validators import validate_no_nir
from partners.access import Actor
from partners.enums import OrganisationKind
from partners.models import Organisation
from partners.uploads import PDF_CLEAN_NAME, removed_on_failure, validate_pdf


def valid_consent_for(*, young_person: YoungPerson, e2c_site: Organisation) -> Consent | None:
    """The consent that allows sharing this file with this E2C site now, if any (the newest valid one).

    The referral workflow (issue #5) refuses to send a referral without it.
    """
    return (
        Consent.objects.filter(young_person=young_person, e2c_site=e2c_site, revoked_at__isnull=True)
        .order_by("-given_on", "-id")
        .first()
    )


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    young_person: YoungPerson,
    e2c_site: Organisation,
    shared_data: Sequence[str],
    given_on: datetime.date,
    method: str,
    signed_form: File[bytes] | None = None,
    attestation: str = "",
) -> Consent:
    """Record the young person's agreement to share ``shared_data`` with ``e2c_site``.

    A signed form (PDF) or, for an oral agreement, the adviser's attestation is required.
    Side effects: the PDF is stored (removed again if a later write of this function fails); a history event.
    """
    require_file_holder(actor)
    YoungPerson.objects.select_for_update().filter(pk=young_person.pk).first()
    require_not_restricted(young_person)
    errors: dict[str, list[str]] = {}
    if e2c_site.kind != OrganisationKind.E2C_SITE or not e2c_site.is_active:
        errors["e2c_site"] = ["Choisissez un site E2C actif."]
    if not shared_data or not set(shared_data) <= set(SharedData.values):
        errors["shared_data"] = ["Cochez au moins une catégorie de données à partager."]
    today = timezone.localdate()
    if given_on > today:
        errors["given_on"] = ["La date de l'accord est dans le futur."]
    elif given_on < young_person.birth_date:
        errors["given_on"] = ["La date de l'accord précède la date de naissance."]
    if method == ConsentMethod.SIGNED_FORM:
        if signed_form is None:
            errors["signed_form"] = ["Joignez le formulaire signé (PDF)."]
        else:
            try:
                validate_pdf(signed_form)
            except ValidationError as error:
                errors["signed_form"] = error.messages
    elif method == ConsentMethod.ORAL:
        if not attestation.strip():
            errors["attestation"] = [
                "Pour un accord oral, écrivez votre attestation (ce qui a été expliqué et accepté)."
            ]
    else:
        errors["method"] = ["Indiquez la forme de l'accord."]
    try:
        validate_no_nir(attestation)
    except ValidationError as error:
        errors.setdefault("attestation", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)

    consent = Consent(
        young_person=young_person,
        e2c_site=e2c_site,
        shared_data=sorted(set(shared_data)),
        given_on=given_on,
        method=method,
        attestation=attestation.strip() if method == ConsentMethod.ORAL else "",
        recorded_by=actor.user,
    )
    if method == ConsentMethod.SIGNED_FORM and signed_form is not None:
        signed_form.name = PDF_CLEAN_NAME
        consent.signed_form = signed_form
    # Every write after the file is stored sits inside the block: if any fails, the transaction
    # rolls back and the stored PDF is removed (no orphan file).
    with removed_on_failure(consent.signed_form):
        consent.save()
        record_event(young_person=young_person, actor=actor, action=f"Accord de partage enregistré ({e2c_site})")
    return consent


@transaction.atomic
def consent_revoke(*, actor: Actor, consent: Consent, reason: str = "") -> Consent:
    """Withdraw a consent: no new sharing with that site from now on; the E2C sees the withdrawal.

    Possible while the file is restricted (RGPD article 18): it stops a processing.
    Side effects: a history event.
    """
    require_file_holder(actor)
    locked = Consent.objects.select_for_update().select_related("e2c_site", "young_person").get(pk=consent.pk)
    if locked.revoked_at is not None:
        raise ValidationError("Cet accord est déjà retiré.")
    validate_no_nir(reason)
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor.user
    locked.revocation_reason = reason.strip()
    locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
    record_event(young_person=locked.young_person, actor=actor, action=f"Accord de partage retiré ({locked.e2c_site})")
    return locked
