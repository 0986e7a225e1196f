"""reporting.access: who sees the indicators, who sees every région, who closes a semester."""

import pytest

from partners.access import Actor
from reporting.access import can_close_semesters, can_view_reporting, sees_the_nation
from tests.world import ROLES, build_world

pytestmark = pytest.mark.django_db
SIGNED_IN = [role for role in ROLES if role not in ("anonymous", "no_membership")]


def test_the_committee_sees_the_nation_and_closes_coordinators_see_their_region():
    world = build_world()
    actors = {role: Actor(user=world.memberships[role].user, membership=world.memberships[role]) for role in SIGNED_IN}

    assert {role for role, who in actors.items() if can_view_reporting(who)} == {
        "national_committee",
        "regional_coordinator",
    }
    assert {role for role, who in actors.items() if sees_the_nation(who)} == {"national_committee"}
    assert {role for role, who in actors.items() if can_close_semesters(who)} == {"national_committee"}
