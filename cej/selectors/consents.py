"""Reads of what a young person agreed to share with which E2C site.

Every read that decides what an E2C site may see (the referral page and its PDF, the documents, the
review participants, the sending of a referral) goes through ``current_consent`` or
``sites_shared_with``, both built on the one predicate ``cej.models.CURRENT_CONSENT``: a consent
withdrawn or replaced shares nothing from the moment it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from cej.models import Consent, YoungPerson
from partners.models import Organisation


def current_consent(*, young_person: YoungPerson | int, e2c_site: Organisation | int) -> Consent | None:
    """The consent in force between this file and this E2C site, if any (one probe of the unique index)."""
    young_person_id = young_person if isinstance(young_person, int) else young_person.pk
    e2c_site_id = e2c_site if isinstance(e2c_site, int) else e2c_site.pk
    return (
        Consent.objects.current()
        .filter(young_person_id=young_person_id, e2c_site_id=e2c_site_id)
        .select_related("recorded_by")
        .first()
    )


def sites_shared_with(young_person: YoungPerson | int) -> QuerySet[Consent, int]:
    """The ids of the E2C sites a consent in force shares this file with (usable as a subquery)."""
    young_person_id = young_person if isinstance(young_person, int) else young_person.pk
    return Consent.objects.current().filter(young_person_id=young_person_id).values_list("e2c_site_id", flat=True)


def consents_with_sites(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[Consent]]:
    """Every consent (in force, replaced or withdrawn) of each (young person id, E2C site id) pair, the
    newest first, in one query: what a batch of referral pages or files reads (see ``consent_in_force``)."""
    wanted = set(pairs)
    found: dict[tuple[int, int], list[Consent]] = {pair: [] for pair in wanted}
    if not wanted:
        return found
    people = {young_person_id for young_person_id, _ in wanted}
    for consent in (
        Consent.objects.filter(young_person_id__in=people).select_related("recorded_by").order_by("-given_on", "-id")
    ):
        pair = (consent.young_person_id, consent.e2c_site_id)
        if pair in found:
            found[pair].append(consent)
    return found


def consent_in_force(consents: Iterable[Consent]) -> Consent | None:
    """The one in force among a pair's consents (``Consent.is_valid``, the Python side of ``CURRENT_CONSENT``)."""
    return next((consent for consent in consents if consent.is_valid), None)
