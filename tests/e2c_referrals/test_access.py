"""e2c_referrals.access: the sides of a referral are one rule (the scoped list and the transition
service agree), and the moves a page offers come from the table, each refused one with why."""

import pytest
from django.urls import reverse

from e2c_referrals.access import Refusal, referral_moves, sides_of
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.selectors.referrals import referrals_for_actor
from e2c_referrals.workflow import TRANSITIONS, Side
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.test_workflow import actor, consent, draft, walk
from tests.world import ROLES, build_world

pytestmark = pytest.mark.django_db
S = ReferralStatus
SIGNED_IN = [role for role in ROLES if role not in ("anonymous", "no_membership")]


@pytest.fixture
def world():
    world = build_world()
    world.young_person = YoungPersonFactory(organisation=world.ml_a, referent=world.user("adviser_ml"))
    return world


@pytest.fixture
def sent(world):
    consent(world)
    return walk(world, draft(world), (S.SENT, "adviser_ml", None))


def test_the_list_shows_a_referral_to_exactly_those_standing_on_one_of_its_sides(world, sent):
    # Given a sent referral from the ML to the E2C site
    for role in SIGNED_IN:
        who = actor(world, role)
        # Then the scoped list and the side rule answer the same, role by role
        assert referrals_for_actor(who).filter(pk=sent.pk).exists() is bool(sides_of(who, sent)), role
    assert sides_of(actor(world, "adviser_ml"), sent) == {Side.REFERRER}
    assert sides_of(actor(world, "manager_e2c"), sent) == {Side.E2C}
    assert sides_of(actor(world, "regional_coordinator"), sent) == set()


def test_a_draft_is_on_the_e2c_side_but_not_in_its_list(world):
    referral = draft(world)
    staff = actor(world, "e2c_staff")
    assert sides_of(staff, referral) == {Side.E2C}
    assert not referrals_for_actor(staff).filter(pk=referral.pk).exists()


def test_the_offers_are_the_table_moves_from_the_current_state(world, sent):
    offers = referral_moves(actor(world, "adviser_ml"), sent)
    assert set(offers) == {to for (origin, to) in TRANSITIONS if origin == S.SENT}
    assert all(offer.move is TRANSITIONS[(S.SENT, to)] for to, offer in offers.items())


def test_the_referrer_is_refused_the_e2c_moves_with_the_reason(world, sent):
    offers = referral_moves(actor(world, "adviser_ml"), sent)
    assert offers[S.ACKNOWLEDGED].refusal is Refusal.OTHER_SIDE
    assert offers[S.ACKNOWLEDGED].reason == "Seul l'équipe de l'E2C peut faire ce changement."
    assert offers[S.CANCELLED].offered and offers[S.WITHDRAWN].offered
    staff_offers = referral_moves(actor(world, "e2c_staff"), sent)
    assert staff_offers[S.ACKNOWLEDGED].offered
    assert staff_offers[S.CANCELLED].reason == "Seul le conseiller prescripteur peut faire ce changement."


def test_the_invitation_is_offered_through_the_registration_page(world, sent):
    acknowledged = walk(world, sent, (S.ACKNOWLEDGED, "e2c_staff", None))
    offer = referral_moves(actor(world, "adviser_ml"), acknowledged)[S.INVITED]
    assert offer.offered and offer.on_registration_page


def test_a_restricted_file_is_offered_only_the_moves_that_stop_processing(world, sent):
    acknowledged = walk(world, sent, (S.ACKNOWLEDGED, "e2c_staff", None))
    offers = referral_moves(actor(world, "manager_e2c"), acknowledged, restricted=True)
    assert {to for to, offer in offers.items() if offer.offered} == {S.WITHDRAWN}
    assert offers[S.INVITED].refusal is Refusal.RESTRICTED
    assert offers[S.NOT_ADMITTED].refusal is Refusal.RESTRICTED
    assert offers[S.CANCELLED].refusal is Refusal.OTHER_SIDE  # the other side's move stays the other side's


def test_leaving_a_session_is_made_on_the_session_page(world, sent):
    invited = walk(world, sent, (S.ACKNOWLEDGED, "e2c_staff", None), (S.INVITED, "e2c_staff", None))
    offers = referral_moves(actor(world, "e2c_staff"), invited, restricted=True)
    assert offers[S.ACKNOWLEDGED].refusal is Refusal.SESSION_PAGE
    assert offers[S.WITHDRAWN].offered


def test_the_move_page_answers_as_the_access_module(client, world, sent):
    # The referrer asks for an E2C move: 403 with the reason; the E2C's move page opens.
    client.force_login(world.user("adviser_ml"))
    url = reverse("e2c_referrals:referral_move", kwargs={"public_id": sent.public_id, "to": S.ACKNOWLEDGED})
    assert client.get(url).status_code == 403
    client.force_login(world.user("e2c_staff"))
    assert client.get(url).status_code == 200
    # Once acknowledged, the invitation leads to the registration page.
    walk(world, sent, (S.ACKNOWLEDGED, "e2c_staff", None))
    invite = reverse("e2c_referrals:referral_move", kwargs={"public_id": sent.public_id, "to": S.INVITED})
    register = reverse("e2c_referrals:referral_register", kwargs={"public_id": sent.public_id})
    assert client.get(invite)["Location"] == register
