"""Team management: the team of ML A (Lyon), one of its memberships, one of its invitations.

The team page of an organisation of the directory answers 403 to a role that may not manage it (the
organisation is public); a membership or an invitation outside the organisations one manages answers
404 (not public). Roles that manage no one get 403 on every management URL.
"""

import datetime
import secrets

from django.urls import reverse
from django.utils import timezone

from partners.enums import Role
from partners.models import Invitation
from tests.partners.factories import MembershipFactory
from tests.url_matrix import Entry, everyone
from tests.world import ROLES

# ML A's team: its manager and the administrators manage it; the E2C manager sees ML A in the
# directory but does not manage it (403); no_membership has no directory (404).
TEAM = everyone(403, manager_ml=200, administrator=200, no_membership=404)
# One record of ML A's team: roles that manage no one are refused (403); the E2C manager, who manages
# other organisations, is told it does not exist for them (404).
RECORD = everyone(403, manager_ml=200, administrator=200, manager_e2c=404)


def team_url(name):
    return lambda w: reverse(name, kwargs={"public_id": w.ml_a.public_id})


def invitation_revoke_url(w):
    invitation = Invitation.objects.create(
        email="nouvelle.conseillere@ml-lyon.exemple.fr",
        first_name="Inès",
        last_name="Moreau",
        organisation=w.ml_a,
        role=Role.ADVISER,
        token_hash=secrets.token_hex(32),
        invited_by=w.user("manager_ml"),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    return reverse("partners:invitation_revoke", kwargs={"public_id": invitation.public_id})


def membership_url(name):
    return lambda w: reverse(name, kwargs={"public_id": w.memberships["adviser_ml"].public_id})


def deactivated_membership_url(w):
    membership = MembershipFactory(organisation=w.ml_a, role=Role.ADVISER, is_active=False)
    return reverse("partners:membership_reactivate", kwargs={"public_id": membership.public_id})


ENTRIES = [
    Entry("partners:team", team_url("partners:team"), TEAM),
    Entry("partners:team_history", team_url("partners:team_history"), TEAM),
    Entry("partners:invitation_create", team_url("partners:invitation_create"), TEAM, methods=("GET", "POST")),
    Entry("partners:invitation_revoke", invitation_revoke_url, RECORD, methods=("GET", "POST")),
    Entry("partners:membership_role", membership_url("partners:membership_role"), RECORD, methods=("GET", "POST")),
    Entry(
        "partners:membership_deactivate",
        membership_url("partners:membership_deactivate"),
        RECORD,
        methods=("GET", "POST"),
    ),
    Entry("partners:membership_reactivate", deactivated_membership_url, RECORD, methods=("GET", "POST")),
    # A link nobody was sent: the same French « not valid » page for everyone, signed in or not.
    Entry(
        "partners:invitation_accept",
        lambda w: reverse("partners:invitation_accept", kwargs={"token": secrets.token_urlsafe(32)}),
        dict.fromkeys(ROLES, 404),
    ),
    # The token-free acceptance page with no link opened in this browser: a French « nothing to accept » page.
    Entry(
        "partners:invitation_accept_form",
        lambda w: reverse("partners:invitation_accept_form"),
        dict.fromkeys(ROLES, 404),
        methods=("GET", "POST"),
    ),
    # Resetting someone's two-factor: administrators only (every other role 403, managers included).
    Entry(
        "partners:two_factor_reset",
        membership_url("partners:two_factor_reset"),
        everyone(403, administrator=200),
        methods=("GET", "POST"),
    ),
]
