"""Writes to young people's files. Each change writes a YoungPersonEvent (who, when, which fields)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Value
from django.utils import timezone

from cej.access import require_file_holder
from cej.enums import QualificationLevel
from cej.models import YoungPerson, YoungPersonEvent, duplicate_key, normalised_name
from cej.validators import validate_france_travail_id, validate_imilo_number, validate_no_nir
from partners.access import Actor
from partners.enums import Role
from partners.models import Departement, Membership, User
from partners.validators import normalise_french_phone, validate_postcode
from texthygiene.text import clean_text, clip, validate_first_name, validate_name

MIN_AGE, MAX_AGE, MAX_AGE_WITH_RQTH = 16, 25, 29
# On an update the opening age limits no longer apply (the young person grew older), but a birth date
# outside these bounds is a typing error (e.g. 01/01/0001).
EARLIEST_BIRTH_DATE, MIN_PLAUSIBLE_AGE = datetime.date(1950, 1, 1), 14
TEXT_FIELDS = (
    "last_name",
    "first_name",
    "email",
    "phone",
    "address",
    "postcode",
    "commune",
    "last_class",
    "imilo_number",
    "france_travail_id",
)


@dataclasses.dataclass(frozen=True)
class YoungPersonData:
    last_name: str
    first_name: str
    birth_date: datetime.date
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    commune: str = ""
    departement_code: str = ""
    lives_in_qpv: bool = False
    lives_in_zrr: bool = False
    qualification_level: str = QualificationLevel.INFRA_3
    last_class: str = ""
    left_school_on: datetime.date | None = None
    has_rqth: bool = False
    imilo_number: str = ""
    france_travail_id: str = ""
    referent: User | None = None


class DuplicateSuspected(Exception):
    """A file with the same name (accents and case aside) and birth date already exists, or the
    same person is already referred elsewhere (``elsewhere``: French sentences naming where)."""

    def __init__(self, matches: list[YoungPerson], elsewhere: list[str] | None = None) -> None:
        super().__init__("Un dossier semblable existe déjà.")
        self.matches = matches
        self.elsewhere = elsewhere or []


# Checks beyond the organisation, registered by the apps that know more (e2c_referrals: an open
# referral of the same person by another structure). cej cannot import them: they depend on cej.
# Each gets (last name, first name, birth date, organisation id) and returns French sentences.
CrossOrganisationCheck = Callable[[str, str, datetime.date, int], list[str]]
CROSS_ORGANISATION_CHECKS: list[CrossOrganisationCheck] = []


def find_duplicates(
    *, actor: Actor, last_name: str, first_name: str, birth_date: datetime.date, exclude: YoungPerson | None = None
) -> list[YoungPerson]:
    """Files of the actor's organisation with the same name and birth date, the name compared as the
    search sees it, separators aside (``texthygiene.names``: « Lefevre Oeuvray » = « Lefèvre-Œuvray »,
    « N Diaye » = « N’Diaye » = « NDiaye »).

    Across organisations, an open referral is the signal (issue #5 adds it here).
    """
    assert actor.organisation is not None  # noqa: S101 (checked by require_file_holder)
    queryset = (
        YoungPerson.objects.alias(name_key=duplicate_key(F("search_name")))
        .filter(
            organisation=actor.organisation,
            birth_date=birth_date,
            name_key=duplicate_key(normalised_name(Value(f"{last_name} {first_name}"))),
        )
        .select_related("referent")
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return list(queryset[:5])


def _age(birth_date: datetime.date, on: datetime.date) -> int:
    return on.year - birth_date.year - int((on.month, on.day) < (birth_date.month, birth_date.day))


def _check(data: YoungPersonData, *, actor: Actor, is_new: bool) -> dict[str, object]:
    """Validate ``data``; returns the normalised values to store, or raises one ValidationError."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    # The forms already did it; imports and direct callers get the same hygiene here.
    cleaned: dict[str, str] = {}
    for field in TEXT_FIELDS:
        try:
            cleaned[field] = clean_text(str(getattr(data, field)))
        except ValidationError as error:
            add(field, error.messages[0])
    data = dataclasses.replace(data, **cleaned)  # type: ignore[arg-type]  # (only str fields in TEXT_FIELDS)
    for field in TEXT_FIELDS:
        try:
            validate_no_nir(str(getattr(data, field)))
        except ValidationError as error:
            add(field, error.messages[0])
    if not data.last_name.strip():
        add("last_name", "Le nom est obligatoire.")
    if not data.first_name.strip():
        add("first_name", "Le prénom est obligatoire.")
    for field, validator in (("last_name", validate_name), ("first_name", validate_first_name)):
        try:
            validator(getattr(data, field))
        except ValidationError as error:
            add(field, error.messages[0])
    today = timezone.localdate()
    if data.birth_date > today:
        add("birth_date", "La date de naissance est dans le futur.")
    elif not is_new:
        if data.birth_date < EARLIEST_BIRTH_DATE or _age(data.birth_date, today) < MIN_PLAUSIBLE_AGE:
            add(
                "birth_date",
                "Date de naissance invraisemblable : elle doit être au plus tôt le 01/01/1950 "
                f"et donner au moins {MIN_PLAUSIBLE_AGE} ans.",
            )
    else:
        age = _age(data.birth_date, today)
        limit = MAX_AGE_WITH_RQTH if data.has_rqth else MAX_AGE
        if age < MIN_AGE:
            add("birth_date", f"Ce jeune a {age} ans : un dossier s'ouvre à partir de 16 ans.")
        elif age > limit:
            add(
                "birth_date",
                f"Ce jeune a {age} ans : un dossier s'ouvre jusqu'à 25 ans révolus"
                + (" (29 ans avec une RQTH)." if not data.has_rqth else ", 29 ans avec une RQTH."),
            )
    if data.left_school_on is not None:
        if data.left_school_on > today:
            add("left_school_on", "La date de sortie de l'école est dans le futur.")
        elif data.left_school_on <= data.birth_date:
            add("left_school_on", "La date de sortie de l'école précède la date de naissance.")
    email = data.email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            add("email", "Adresse e-mail invalide, par exemple prenom.nom@exemple.fr.")
    phone = ""
    try:
        phone = normalise_french_phone(data.phone)
    except ValidationError as error:
        add("phone", error.messages[0])
    if data.postcode:
        try:
            validate_postcode(data.postcode.strip())
        except ValidationError as error:
            add("postcode", error.messages[0])
    departement = None
    if data.departement_code:
        departement = Departement.objects.filter(code=data.departement_code.upper()).first()
        if departement is None:
            add("departement", f"Département inconnu : « {data.departement_code} ».")
    for field, validator in (
        ("imilo_number", validate_imilo_number),
        ("france_travail_id", validate_france_travail_id),
    ):
        try:
            validator(getattr(data, field).strip())
        except ValidationError as error:
            add(field, error.messages[0])
    if data.qualification_level not in QualificationLevel.values:
        add("qualification_level", "Niveau de qualification inconnu.")
    if (
        data.referent is not None
        and not Membership.objects.filter(
            user=data.referent, organisation=actor.organisation, is_active=True, role__in=[Role.ADVISER, Role.MANAGER]
        ).exists()
    ):
        add("referent", "Le conseiller référent doit faire partie de votre organisation.")
    if errors:
        raise ValidationError(errors)
    return {
        "last_name": data.last_name.strip(),
        "first_name": data.first_name.strip(),
        "birth_date": data.birth_date,
        "email": email,
        "phone": phone,
        "address": data.address.strip(),
        "postcode": data.postcode.strip(),
        "commune": data.commune.strip(),
        "departement": departement,
        "lives_in_qpv": data.lives_in_qpv,
        "lives_in_zrr": data.lives_in_zrr,
        "qualification_level": data.qualification_level,
        "last_class": data.last_class.strip(),
        "left_school_on": data.left_school_on,
        "has_rqth": data.has_rqth,
        "imilo_number": data.imilo_number.strip(),
        "france_travail_id": data.france_travail_id.strip().upper(),
        "referent": data.referent,
    }


ACTION_MAX_LENGTH = YoungPersonEvent._meta.get_field("action").max_length or 200


def record_event(*, young_person: YoungPerson, actor: Actor | None, action: str, fields: list[str] = ()) -> None:  # type: ignore[assignment]
    """Write a history line; an action longer than the column (long labels, site names) is clipped."""
    YoungPersonEvent.objects.create(
        young_person=young_person,
        actor=actor.user if actor else None,
        actor_organisation=actor.organisation if actor else None,
        action=clip(action, ACTION_MAX_LENGTH),
        changed_fields=list(fields),
    )


@transaction.atomic
def young_person_create(*, actor: Actor, data: YoungPersonData, not_a_duplicate: bool = False) -> YoungPerson:
    """Open a file in the actor's organisation.

    Raises DuplicateSuspected when a file with the same name and birth date exists, unless the
    adviser confirmed it is another person (``not_a_duplicate``). Side effects: a history event.
    """
    require_file_holder(actor)
    values = _check(data, actor=actor, is_new=True)
    if not not_a_duplicate:
        matches = find_duplicates(
            actor=actor, last_name=data.last_name, first_name=data.first_name, birth_date=data.birth_date
        )
        assert actor.organisation is not None  # noqa: S101 (require_file_holder)
        elsewhere = [
            sentence
            for check in CROSS_ORGANISATION_CHECKS
            for sentence in check(data.last_name, data.first_name, data.birth_date, actor.organisation.pk)
        ]
        if matches or elsewhere:
            raise DuplicateSuspected(matches, elsewhere)
    young_person = YoungPerson(organisation=actor.organisation, created_by=actor.user, **values)
    if young_person.referent is None and actor.role == Role.ADVISER:
        young_person.referent = actor.user
    young_person.validate_constraints()
    young_person.save()
    record_event(young_person=young_person, actor=actor, action="Dossier ouvert")
    return young_person


@transaction.atomic
def young_person_update(*, actor: Actor, young_person: YoungPerson, data: YoungPersonData) -> list[str]:
    """Change a file under a row lock; returns the changed fields. Side effects: a history event.

    Refused while the file is restricted (RGPD article 18), unless nothing would change (an i-milo
    import re-reading a known, unchanged file must not fail because of it).
    """
    from cej.services.restrictions import require_not_restricted  # (a cycle: restrictions uses this module)

    require_file_holder(actor)
    locked = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    values = _check(data, actor=actor, is_new=False)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        return []
    require_not_restricted(locked)
    for name in changed:
        setattr(locked, name, values[name])
    locked.validate_constraints()
    locked.save(update_fields=[*changed, "updated_at"])
    record_event(young_person=locked, actor=actor, action="Dossier modifié", fields=changed)
    return changed
