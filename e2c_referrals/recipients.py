"""Who hears of what in the referral domain, and the outbox rows written for them.

Recipients are chosen here and nowhere else: the other side of a referral's move, the Mission
Locale a young person is handed to, the partners and co-hosts of an information session, the
referring advisers of its young people. Every message is an outbox row written in the caller's
transaction (sent after commit): identifiers and labels only, names are read when delivered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet

from e2c_referrals.models import HandBack, InformationSession, Referral, ReferralTransition, SessionRegistration
from outbox.services import enqueue
from partners.access import Actor
from partners.enums import Role
from partners.models import Correspondent, Organisation, User
from partners.selectors.correspondents import correspondents_for_site

# --- Recipients ---------------------------------------------------------------------------------


def active_members(organisation_ids: Sequence[int], roles: Sequence[str]) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__organisation_id__in=organisation_ids,
        memberships__role__in=roles,
    ).distinct()


def e2c_recipients(referral: Referral) -> list[User]:
    """Who hears of a referral on the E2C side: the named contact for this partner (if still an
    active member of the site or its school), else the site's active staff and managers."""
    site_and_school = [referral.e2c_site_id] + ([referral.e2c_site.parent_id] if referral.e2c_site.parent_id else [])
    named_ids = [
        pair.e2c_contact_id
        for pair in correspondents_for_site(referral.e2c_site)
        if pair.partner_id == referral.referring_organisation_id and pair.e2c_contact_id is not None
    ]
    if named_ids:
        still_here = list(
            active_members(site_and_school, [Role.E2C_STAFF, Role.MANAGER]).filter(pk__in=named_ids).order_by("pk")
        )
        if still_here:
            return still_here
    return list(active_members([referral.e2c_site_id], [Role.E2C_STAFF, Role.MANAGER]))


def referrer_recipients(referral: Referral) -> list[User]:
    """The referring adviser if still an active member of the referring organisation, else its
    active advisers and managers (someone must hear of the young person)."""
    adviser_ids = [Role.ADVISER, Role.MANAGER]
    organisation_ids = [referral.referring_organisation_id]
    adviser = active_members(organisation_ids, adviser_ids).filter(pk=referral.referring_adviser_id)
    return list(adviser) or list(active_members(organisation_ids, adviser_ids))


# --- Referrals ----------------------------------------------------------------------------------


def referral_moved(referral: Referral, transition: ReferralTransition, *, actor: Actor) -> None:
    """The other side hears of every move (the referring adviser, or their colleagues if they left)."""
    on_e2c_side = referral.e2c_site_id in set(actor.family_ids)
    recipients = referrer_recipients(referral) if on_e2c_side else e2c_recipients(referral)
    recipients = [user for user in recipients if user.pk != actor.user.pk]
    enqueue(
        kind=f"referral.{transition.to_status}",
        recipients=recipients,
        key=f"referral-transition:{transition.pk}",
        organisation=referral.e2c_site if not on_e2c_side else referral.referring_organisation,
        context={"referral": str(referral.public_id), "from": transition.from_status, "to": transition.to_status},
    )


def registration_handed_to(organisation: Organisation, hand_back: HandBack, *, referral: Referral) -> None:
    """Nobody at the Mission Locale knows the young person yet: its whole team hears of the registration."""
    enqueue(
        kind="referral.registration",
        recipients=active_members([organisation.pk], [Role.ADVISER, Role.MANAGER]),
        key=f"referral-registration:{hand_back.pk}",
        organisation=organisation,
        context={"referral": str(referral.public_id), "hand_back": str(hand_back.public_id)},
    )


# --- Information sessions -----------------------------------------------------------------------


def _session_context(session: InformationSession) -> dict[str, object]:
    # Identifiers and labels only: the messages read names from the database when delivered.
    return {
        "session": str(session.public_id),
        "site": str(session.e2c_site.public_id),
        "starts_at": session.starts_at.isoformat(),
        "status": session.status,
    }


def session_announced(session: InformationSession, *, event: str) -> None:
    """Partner correspondents and co-hosts hear that a session was published, changed or cancelled."""
    pairs = Correspondent.objects.filter(e2c_site=session.e2c_site, partner__is_active=True).select_related(
        "partner_correspondent"
    )
    recipients: list[User] = [
        pair.partner_correspondent
        for pair in pairs
        if pair.partner_correspondent is not None and pair.partner_correspondent.is_active
    ]
    recipients += [user for user in session.co_hosts.all() if user.is_active]
    enqueue(
        kind=f"session.{event}",
        recipients=recipients,
        key=f"session-{event}:{session.pk}:{session.sequence}",
        organisation=session.e2c_site,
        context=_session_context(session),
    )


def session_told_to_advisers(
    session: InformationSession,
    referrals: Iterable[Referral],
    *,
    event: str,
    seats: Sequence[SessionRegistration] = (),
) -> None:
    """One message per referring adviser, listing their young people (by referral id)."""
    attendance = {seat.referral_id: seat.attendance for seat in seats}
    by_adviser: dict[int, tuple[User, list[dict[str, str]]]] = {}
    for referral in {referral.pk: referral for referral in referrals}.values():
        for user in referrer_recipients(referral):
            entry = by_adviser.setdefault(user.pk, (user, []))
            entry[1].append({"referral": str(referral.public_id), "attendance": attendance.get(referral.pk, "")})
    for user, items in by_adviser.values():
        enqueue(
            kind=f"session.{event}_for_adviser",
            recipients=[user],
            key=f"session-{event}-adviser:{session.pk}:{session.sequence}",
            organisation=session.e2c_site,
            context={**_session_context(session), "referrals": items},
        )
