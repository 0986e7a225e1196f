"""Right of access (RGPD art. 15): every piece of data the application holds on one young person.

The sections come from the apps that hold the data (``privacy.registry``: the file, its history,
consents, CEJ and PACEA contracts with their events, follow-ups and restrictions from ``cej``;
referrals with their timeline, information-session registrations, hand-backs, post-exit news and
attachments (listed, not included) from here; the access log entries about any of these records from
``audit``). One assembly feeds both outputs, so the PDF (for reading) and the JSON (for machines)
never disagree.

Allowed to advisers and managers of the young person's referent organisation, and to administrators
(the DPO answers requests for any file). Reading only: the caller logs the export.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from django.utils import timezone

from cej.models import YoungPerson
from cej.selectors.young_people import young_person_for_actor
from e2c_referrals.pdf.base import document_context, pdf_filename, render_pdf
from partners.access import Actor, Capability
from privacy.registry import Section, sections_for

TEMPLATE = "pdf/personal_data.html"
FORMAT_VERSION = 1


def young_person_for_personal_data(*, actor: Actor, public_id: uuid.UUID | str) -> YoungPerson:
    """The file whose data ``actor`` may export: 403 for roles that may not, 404 outside the scope."""
    actor.require(Capability.EXPORT_PERSONAL_DATA)
    if not actor.is_administrator:
        return young_person_for_actor(actor=actor, public_id=public_id)
    try:
        return YoungPerson.objects.select_related("organisation", "referent", "departement").get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Dossier introuvable.") from error


def personal_data_sections(young_person: YoungPerson) -> list[Section]:
    """Everything held on ``young_person``, one section per kind of record, oldest first."""
    return sections_for(young_person, public_id=young_person.public_id)


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
