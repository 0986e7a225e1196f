"""Writing referrals: the draft, its attachments. State changes are in ``e2c_referrals.workflow``."""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from cej.access import can_hold_files
from cej.enums import QualificationLevel
from cej.models import CejContract, YoungPerson
from cej.services.restrictions import hold_file, require_not_restricted
from cej.services.young_people import record_event
from cej.validators import validate_no_nir
from e2c_referrals.enums import OPEN_STATUSES, ReferralStatus
from e2c_referrals.models import Attachment, Referral
from e2c_referrals.selectors.referrals import other_network_referrals
from outbox.services import enqueue
from partners import uploads
from partners.access import Actor
from partners.enums import OrganisationKind
from partners.models import Organisation
from partners.uploads import removed_on_failure

ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
# The content decides the type (never the browser's claim); see ``partners.uploads``.
ATTACHMENT_KINDS = (uploads.PDF, uploads.JPEG, uploads.PNG)


@dataclasses.dataclass(frozen=True)
class ReferralData:
    e2c_site: Organisation
    diagnostic: str
    motivation: str
    cej_contract: CejContract | None = None


class OtherNetworkReferral(Exception):
    """The same young person (name and birth date) is already referred by the other network."""

    def __init__(self, referrals: list[Referral]) -> None:
        super().__init__("Ce jeune est déjà orienté par une autre structure.")
        self.referrals = referrals


E2C_MIN_AGE, E2C_MAX_AGE = 16, 25


def eligibility_warnings(young_person: YoungPerson) -> list[str]:
    """What does not match the E2C public (16-25, no diploma nor qualification, out of school for a
    year). Advisers may still refer, after confirming they checked (a warning, not a refusal)."""
    warnings = []
    age = young_person.age
    if not E2C_MIN_AGE <= age <= E2C_MAX_AGE:
        warnings.append(f"{young_person.first_name} a {age} ans : les E2C accueillent les jeunes de 16 à 25 ans.")
    if young_person.qualification_level in (QualificationLevel.LEVEL_4, QualificationLevel.LEVEL_5_PLUS):
        warnings.append(
            f"Niveau « {young_person.get_qualification_level_display()} » : les E2C accueillent des jeunes "
            "sans diplôme ni qualification."
        )
    if young_person.meets_e2c_school_rule is False:
        warnings.append("Sortie de l'école il y a moins d'un an : l'E2C demande un an hors du système scolaire.")
    return warnings


def _check(data: ReferralData, young_person: YoungPerson) -> None:
    errors: dict[str, list[str]] = {}
    if data.e2c_site.kind != OrganisationKind.E2C_SITE or not data.e2c_site.is_active:
        errors["e2c_site"] = ["Choisissez un site E2C actif."]
    for field in ("diagnostic", "motivation"):
        text = getattr(data, field).strip()
        if not text:
            errors[field] = ["Ce champ est obligatoire."]
        else:
            try:
                validate_no_nir(text)
            except ValidationError as error:
                errors[field] = error.messages
    if data.cej_contract is not None and data.cej_contract.young_person_id != young_person.pk:
        errors["cej_contract"] = ["Ce CEJ n'est pas celui de ce jeune."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referral_create(
    *,
    actor: Actor,
    young_person: YoungPerson,
    data: ReferralData,
    aware_of_other_network: bool = False,
    eligibility_checked: bool = False,
) -> Referral:
    """Open a draft referral of one of the actor's young people to an E2C site.

    Refuses a second open referral to the same site. If the other network already refers the same
    person, raises OtherNetworkReferral unless the adviser saw it (``aware_of_other_network``); then
    the other referrer is told. Side effects: a history event, outbox messages in that case.
    """
    if not can_hold_files(actor) or young_person.organisation_id not in actor.family_ids:
        raise PermissionDenied("Seul un conseiller de la structure du jeune peut l'orienter.")
    YoungPerson.objects.select_for_update().filter(pk=young_person.pk).first()
    require_not_restricted(young_person)
    _check(data, young_person)
    warnings = eligibility_warnings(young_person)
    if warnings and not eligibility_checked:
        raise ValidationError(
            {
                "eligibility_checked": [
                    *warnings,
                    "Vérifiez l'éligibilité avec le jeune, puis cochez la case pour confirmer.",
                ]
            }
        )
    if Referral.objects.filter(
        young_person=young_person, e2c_site=data.e2c_site, status__in=sorted(OPEN_STATUSES)
    ).exists():
        raise ValidationError({"e2c_site": ["Ce jeune a déjà une orientation en cours vers ce site."]})
    others = other_network_referrals(young_person=young_person, include_drafts=True)
    if others and not aware_of_other_network:
        raise OtherNetworkReferral(others)
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                young_person=young_person,
                referring_organisation=young_person.organisation,
                referring_adviser=actor.user,
                e2c_site=data.e2c_site,
                diagnostic=data.diagnostic.strip(),
                motivation=data.motivation.strip(),
                cej_contract=data.cej_contract,
                status=ReferralStatus.DRAFT,
            )
    except IntegrityError as error:  # a concurrent draft to the same site won the race
        raise ValidationError({"e2c_site": ["Ce jeune a déjà une orientation en cours vers ce site."]}) from error
    record_event(young_person=young_person, actor=actor, action=f"Orientation préparée vers {data.e2c_site}")
    for other in others:
        enqueue(
            kind="referral.other_network",
            recipients=[other.referring_adviser],
            key=f"other-network:{other.pk}:{referral.pk}",
            organisation=other.referring_organisation,
            context={"referral": str(other.public_id), "other_referral": str(referral.public_id)},
        )
    return referral


@transaction.atomic
def attachment_add(*, actor: Actor, referral: Referral, uploaded: UploadedFile[bytes], label: str) -> Attachment:
    """Attach a CV or a document (PDF, JPEG, PNG, 5 MB at most) while the referral is a draft or sent.

    The file passes ``partners.uploads.check_upload``: a PDF is stored as sent if whole and passive,
    an image is stored re-encoded (without its EXIF: no GPS position of the phone that took it).
    Side effects: the file is stored through the storage API (removed again if the write fails).
    """
    if referral.referring_organisation_id not in actor.family_ids or not can_hold_files(actor):
        raise PermissionDenied("Seul le prescripteur ajoute des pièces jointes.")
    hold_file(referral.young_person_id)  # the file first, as erasure and anonymisation lock it
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    require_not_restricted(locked.young_person_id)
    if locked.status not in (ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED):
        raise ValidationError("Les pièces jointes s'ajoutent avant l'information collective.")
    errors: dict[str, list[str]] = {}
    if not label.strip():
        errors["label"] = ["Donnez un intitulé (par exemple « CV »)."]
    checked = None
    if not uploaded.size:
        errors["file"] = ["Le fichier est vide."]
    else:
        try:
            checked = uploads.check_upload(uploaded, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)
        except ValidationError as error:
            errors["file"] = error.messages
    if errors or checked is None:
        raise ValidationError(errors)
    stored = checked.file
    stored.name = f"piece.{checked.kind.extension}"
    attachment = Attachment(
        referral=locked,
        file=stored,
        label=label.strip()[:120],
        content_type=checked.kind.content_type,
        size=checked.size,
        uploaded_by=actor.user,
    )
    with removed_on_failure(attachment.file):
        attachment.save()
    return attachment
