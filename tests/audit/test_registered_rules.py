"""The access log names no role and no page: who may read it and what each list is called are
registered by the apps that own them."""

import pytest

from audit.access import can_read_access_log
from audit.listings import LISTINGS
from partners.access import Actor
from tests.world import build_world

pytestmark = pytest.mark.django_db


def test_only_the_roles_partners_allows_read_the_access_log():
    world = build_world()
    readers = {
        role
        for role, membership in world.memberships.items()
        if can_read_access_log(Actor(user=membership.user, membership=membership))
    }
    assert readers == {"administrator"}


def test_each_logged_list_has_its_french_name():
    assert LISTINGS["young_people"] == "Liste des jeunes suivis"  # registered by cej
    assert LISTINGS["inbox"] == "Orientations reçues (E2C)"  # registered by e2c_referrals
