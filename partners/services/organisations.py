"""Writes to the directory of organisations."""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from partners.access import Actor, Capability
from partners.enums import PARENT_KINDS, ROLE_ORGANISATION_KINDS, OrganisationKind, Role
from partners.models import Departement, Organisation
from partners.text import sort_key
from partners.validators import normalise_french_phone, normalise_siret, validate_siret
from texthygiene.text import clean_text, validate_name


@dataclasses.dataclass(frozen=True)
class OrganisationData:
    """What a form or an import row gives for an organisation (already typed, not yet validated)."""

    name: str
    kind: str
    siret: str = ""
    address: str = ""
    postcode: str = ""
    commune: str = ""
    departement_code: str = ""
    phone: str = ""
    email: str = ""
    parent: Organisation | None = None
    is_active: bool = True
    opened_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    label_granted_on: datetime.date | None = None
    label_expires_on: datetime.date | None = None


def _apply(organisation: Organisation, data: OrganisationData) -> list[str]:
    """Copy ``data`` onto ``organisation`` (normalised, region derived); returns the changed fields."""
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    try:  # the forms and the imports did it already; a direct caller gets it here
        name = clean_text(data.name)
        validate_name(name)
    except ValidationError as error:
        errors["name"] = error.messages
    siret = normalise_siret(data.siret)
    if siret:
        try:
            validate_siret(siret)
        except ValidationError as error:
            errors["siret"] = error.messages
    departement = None
    if data.departement_code:
        departement = Departement.objects.select_related("region").filter(code=data.departement_code.upper()).first()
        if departement is None:
            errors["departement"] = [
                f"Département inconnu : « {data.departement_code} » (code INSEE attendu, ex. 69, 2A, 974)."
            ]
    phone = data.phone
    try:
        phone = normalise_french_phone(data.phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    if data.kind not in OrganisationKind.values:
        errors["kind"] = [f"Type d'organisation inconnu : « {data.kind} »."]
    if data.parent is not None:
        allowed = PARENT_KINDS.get(data.kind, frozenset())
        if data.parent.kind not in allowed or data.parent.pk == organisation.pk:
            errors["parent"] = ["Cette structure ne peut pas être rattachée à une organisation de ce type."]
    if organisation.pk is not None and data.kind != organisation.kind and "kind" not in errors:
        errors.update(_kind_change_conflicts(organisation, data.kind))
    if errors:
        raise ValidationError(errors)

    values = {
        "name": name,
        "sort_name": sort_key(name),
        "kind": data.kind,
        "siret": siret,
        "address": data.address.strip(),
        "postcode": data.postcode.strip(),
        "commune": data.commune.strip(),
        "departement": departement,
        "region": departement.region if departement else None,
        "phone": phone,
        "email": data.email.strip().lower(),
        "parent": data.parent,
        "is_active": data.is_active,
        "opened_on": data.opened_on,
        "closed_on": data.closed_on,
        "label_granted_on": data.label_granted_on,
        "label_expires_on": data.label_expires_on,
    }
    changed = [name for name, value in values.items() if getattr(organisation, name) != value]
    for name, value in values.items():
        setattr(organisation, name, value)
    organisation.full_clean(validate_unique=True, validate_constraints=True)
    return changed


def _kind_change_conflicts(organisation: Organisation, kind: str) -> dict[str, list[str]]:
    """A new kind must still fit the structures attached to it and the roles of its people."""
    problems = []
    children = [c.name for c in organisation.children.all() if kind not in PARENT_KINDS.get(c.kind, frozenset())]
    if children:
        problems.append(
            "ces structures rattachées ne peuvent pas dépendre d'une organisation de ce type : " + ", ".join(children)
        )
    roles = sorted(
        {
            Role(role).label
            for role in organisation.memberships.filter(is_active=True).values_list("role", flat=True)
            if kind not in ROLE_ORGANISATION_KINDS[role]
        }
    )
    if roles:
        problems.append("ces rôles n'existent pas dans ce type d'organisation : " + ", ".join(roles))
    if not problems:
        return {}
    return {"kind": ["Impossible de changer le type : " + " ; ".join(problems) + "."]}


@transaction.atomic
def organisation_create(*, actor: Actor | None, data: OrganisationData) -> Organisation:
    """Create an organisation. ``actor`` None only for migrations and demo data.

    Side effects: none yet (the change history comes with issue #10).
    """
    if actor is not None:
        actor.require(Capability.MANAGE_DIRECTORY)
    organisation = Organisation()
    _apply(organisation, data)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, actor: Actor, organisation: Organisation, data: OrganisationData) -> list[str]:
    """Update an organisation under a row lock; returns the names of the fields that changed."""
    actor.require(Capability.MANAGE_DIRECTORY)
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = _apply(locked, data)
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return changed
