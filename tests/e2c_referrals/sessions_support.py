"""Information sessions for tests: planned in the future (or already started, for attendance)."""

import datetime

from django.utils import timezone

from e2c_referrals.models import InformationSession
from e2c_referrals.services.sessions import registration_create
from partners.access import Actor


def make_session(site, *, capacity=12, starts_in=datetime.timedelta(days=7), created_by, **fields):
    """A planned session written straight to the table (past starts allowed, unlike the service)."""
    starts_at = timezone.now() + starts_in
    defaults = {
        "kind": "information",
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(hours=2),
        "address": "12 rue de la République, 69200 Vénissieux",
        "capacity": capacity,
        "registration_deadline": timezone.localtime(starts_at).date(),
    }
    defaults.update(fields)
    return InformationSession.objects.create(e2c_site=site, created_by=created_by, **defaults)


def invite(world, referral, role="e2c_staff", session=None):
    """Register ``referral`` to a session of its site (the only way to « invité(e) »)."""
    membership = world.memberships[role]
    if session is None:
        session = make_session(referral.e2c_site, created_by=world.user("e2c_staff"))
    return registration_create(
        actor=Actor(user=membership.user, membership=membership), session=session, referral=referral
    )
