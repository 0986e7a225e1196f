"""What a young person agreed to share with which E2C site: recorded, dated, revocable.

A consent is the young person's **current** agreement with one site: one in force per (young person,
site) (the index ``consent_one_current_per_site``). Recording a new one replaces the one in force, which
is kept, marked replaced; recording the same one again (same data, date and form: a double submission)
is refused; withdrawing the one in force ends all sharing with the site at once. Both services lock the
young person's row first, as every write to a file does (erasure and anonymisation lock it first too),
so two recordings, or a recording and a withdrawal, on one file never cross.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from cej.access import require_file_holder
from cej.enums import ConsentMethod, SharedData
from cej.models import Consent, YoungPerson
from cej.services.restrictions import require_not_restricted
from cej.services.young_people import record_event
from cej.validators import validate_no_nir
from partners.access import Actor
from partners.enums import OrganisationKind
from partners.models import Organisation
from partners.uploads import PDF_CLEAN_NAME, removed_on_failure, validate_pdf


def _same_agreement(consent: Consent, *, shared_data: Sequence[str], given_on: datetime.date, method: str) -> bool:
    return set(consent.shared_data) == set(shared_data) and consent.given_on == given_on and consent.method == method


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
    """Record the young person's agreement to share ``shared_data`` with ``e2c_site``; it replaces the
    consent in force with that site, if any (kept, marked replaced). The same agreement recorded again
    is refused.

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
    # Under the young person's lock: no other recording or withdrawal on this file is in progress.
    in_force = (
        Consent.objects.current().select_for_update().filter(young_person=young_person, e2c_site=e2c_site).first()
    )
    if in_force is not None and _same_agreement(in_force, shared_data=shared_data, given_on=given_on, method=method):
        raise ValidationError(
            f"Cet accord est déjà enregistré : l'accord du {in_force.given_on:%d/%m/%Y} avec {e2c_site} "
            "couvre déjà ces données. Rien n'a été ajouté.",
            code="duplicate",
        )

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
        action = f"Accord de partage enregistré ({e2c_site})"
        if in_force is not None:
            # Out of force first: the unique index allows one consent in force per site.
            in_force.superseded_at = timezone.now()
            in_force.save(update_fields=["superseded_at", "updated_at"])
            consent.supersedes = in_force
            action += f", il remplace l'accord du {in_force.given_on:%d/%m/%Y}"
        consent.save()
        record_event(young_person=young_person, actor=actor, action=action)
    return consent


@transaction.atomic
def consent_revoke(*, actor: Actor, consent: Consent, reason: str = "") -> Consent:
    """Withdraw the consent in force with a site: from now on nothing is shared with that site (it was
    the only one in force); the E2C sees the withdrawal. A replaced consent is not withdrawn: the one
    that replaced it is.

    Possible while the file is restricted (RGPD article 18): it stops a processing.
    Side effects: a history event.
    """
    require_file_holder(actor)
    YoungPerson.objects.select_for_update().filter(pk=consent.young_person_id).first()  # the file first
    locked = Consent.objects.select_for_update().select_related("e2c_site", "young_person").get(pk=consent.pk)
    if locked.revoked_at is not None:
        raise ValidationError("Cet accord est déjà retiré.")
    if locked.superseded_at is not None:
        raise ValidationError(
            f"Cet accord a été remplacé le {timezone.localtime(locked.superseded_at):%d/%m/%Y} par un accord plus "
            "récent avec le même site : c'est celui-là qu'il faut retirer."
        )
    validate_no_nir(reason)
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor.user
    locked.revocation_reason = reason.strip()
    locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
    record_event(young_person=locked.young_person, actor=actor, action=f"Accord de partage retiré ({locked.e2c_site})")
    return locked
