"""retention.access and the administrators' reads: only the retention managers read the runs, the
duration changes and the erasure answers; the monthly run is recorded through its service."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from partners.access import Actor
from retention import selectors, services
from retention.access import can_manage_retention, require_retention_manager
from retention.enums import RetentionCategory
from retention.erasure import last_erasure_requests
from retention.models import RetentionRun
from tests.world import ROLES, build_world

pytestmark = pytest.mark.django_db
SIGNED_IN = [role for role in ROLES if role not in ("anonymous", "no_membership")]


@pytest.fixture
def world():
    return build_world()


def actor(world, role):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


def test_only_administrators_manage_retention(world):
    assert [role for role in SIGNED_IN if can_manage_retention(actor(world, role))] == ["administrator"]
    with pytest.raises(PermissionDenied):
        require_retention_manager(actor(world, "manager_ml"))
    require_retention_manager(actor(world, "administrator"))


def test_the_run_is_recorded_by_its_service_and_read_by_administrators_only(world):
    # Given a recorded run and a changed duration
    run = services.run_record(day=datetime.date(2026, 11, 1), notices_sent=3, files_anonymised=2, accounts_anonymised=1)
    services.policy_update(
        actor=actor(world, "administrator"),
        policy=selectors.policies()[RetentionCategory.ACCOUNT],
        duration=18,
        unit="months",
    )
    assert RetentionRun.objects.get() == run
    # Then the administrator reads them, every other role reads nothing
    admin = actor(world, "administrator")
    assert selectors.runs_for(admin) == [run]
    assert [change.new_duration for change in selectors.policy_changes_for(admin)] == [18]
    for role in SIGNED_IN:
        if role != "administrator":
            assert selectors.runs_for(actor(world, role)) == []
            assert selectors.policy_changes_for(actor(world, role)) == []
            assert last_erasure_requests(actor(world, role)) == []
