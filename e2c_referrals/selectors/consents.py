"""The consents of a referral's (young person, E2C site) pair, read once per referral.

Below ``e2c_referrals.access`` (which asks whether the E2C side may see the attachments) and the
pages' shared view (``selectors.inbox.shared_view``): both read the same cached list.
"""

from __future__ import annotations

from collections.abc import Sequence

from cej.models import Consent
from cej.selectors.consents import consents_with_sites
from e2c_referrals.models import Referral

# The attribute where a referral keeps the consents of its (young person, site) pair once read.
SITE_CONSENTS = "_site_consents"


def attach_site_consents(referrals: Sequence[Referral]) -> None:
    """Read the consents of every referral's (young person, site) pair in one query (batch PDFs)."""
    found = consents_with_sites((referral.young_person_id, referral.e2c_site_id) for referral in referrals)
    for referral in referrals:
        setattr(referral, SITE_CONSENTS, found[(referral.young_person_id, referral.e2c_site_id)])


def site_consents(referral: Referral) -> list[Consent]:
    """The pair's consents, newest first (read now unless a batch attached them)."""
    if not hasattr(referral, SITE_CONSENTS):
        attach_site_consents([referral])
    consents: list[Consent] = getattr(referral, SITE_CONSENTS)
    return consents
