"""The states of CEJ and PACEA contracts and of follow-ups are declared tables (cej.workflow), changed
only by their workflow services; who may act on a file is answered by cej.access alone."""

import ast
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cej import access
from cej.enums import ContractStatus, FollowUpStatus
from cej.models import CejContract, FollowUp, PaceaContract
from cej.services.cej_contracts import CejData, cej_create, cej_resume, cej_suspend
from cej.services.contract_base import end_contract
from cej.services.follow_ups import follow_up_cancel, follow_up_record, follow_up_schedule
from cej.services.pacea_contracts import PaceaData, pacea_create
from cej.workflow import CEJ_CONTRACT, FOLLOW_UP, PACEA_CONTRACT, cej_contract_move
from partners.access import Actor
from states.tables import InvalidMove, tables
from tests.cej.factories import YoungPersonFactory
from tests.states.test_tables import ROOT, module_name, writes_of
from tests.world import build_world

pytestmark = pytest.mark.django_db

D = datetime.date
A, S, E = ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.ENDED


def actor(world, role="adviser_ml"):
    membership = world.memberships[role]
    return Actor(user=membership.user, membership=membership)


@pytest.fixture
def world():
    world = build_world()
    world.young_person = YoungPersonFactory(organisation=world.ml_a, birth_date=D(2005, 6, 15))
    return world


def signed_cej(world):
    data = CejData(
        signed_on=D(2024, 12, 15),
        starts_on=D(2025, 1, 1),
        planned_end_on=D(2025, 12, 31),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )
    return cej_create(actor=actor(world), young_person=world.young_person, data=data)


def test_the_tables_declare_the_status_moves_of_each_kind():
    assert set(CEJ_CONTRACT.moves) == {(A, S), (S, A), (A, E), (S, E)}
    assert set(PACEA_CONTRACT.moves) == {(A, E)}  # a PACEA is never suspended
    assert set(FOLLOW_UP.moves) == {
        (FollowUpStatus.PLANNED, FollowUpStatus.HELD),
        (FollowUpStatus.PLANNED, FollowUpStatus.CANCELLED),
    }
    names = {table.name for table in tables()}
    assert {"cej_contract", "pacea_contract", "follow_up"} <= names
    assert all(table.writers == ("cej.workflow",) for table in (CEJ_CONTRACT, PACEA_CONTRACT, FOLLOW_UP))


def test_a_cej_moves_through_its_table_and_an_ended_one_stays_ended(world):
    contract = signed_cej(world)
    cej_suspend(actor=actor(world), contract=contract, occurred_on=D(2025, 3, 1), reason="Hospitalisation")
    assert CejContract.objects.get(pk=contract.pk).status == S
    cej_resume(actor=actor(world), contract=contract, occurred_on=D(2025, 4, 1))
    end_contract(actor=actor(world), contract=contract, ended_on=D(2025, 5, 1), end_reason="term")
    ended = CejContract.objects.get(pk=contract.pk)
    assert (ended.status, ended.ended_on, ended.planned_end_on) == (E, D(2025, 5, 1), D(2025, 5, 1))
    with pytest.raises(InvalidMove):
        cej_contract_move(ended, A)
    assert CejContract.objects.get(pk=contract.pk).status == E


def test_a_pacea_ends_through_the_shared_end(world):
    data = PaceaData(signed_on=D(2024, 12, 15), starts_on=D(2025, 1, 1), planned_end_on=D(2026, 12, 31))
    contract = pacea_create(actor=actor(world), young_person=world.young_person, data=data)
    end_contract(actor=actor(world), contract=contract, ended_on=D(2025, 6, 30), end_reason="term")
    assert PaceaContract.objects.get(pk=contract.pk).status == E
    with pytest.raises(ValidationError, match="le contrat est terminé"):
        end_contract(actor=actor(world), contract=contract, ended_on=D(2025, 6, 1), end_reason="term")


def test_a_follow_up_held_cannot_be_cancelled(world):
    adviser = actor(world)
    today = datetime.date.today()
    follow_up = follow_up_schedule(actor=adviser, young_person=world.young_person, scheduled_on=today)
    follow_up_record(actor=adviser, follow_up=follow_up, held_on=today, notes="Point fait", participants=[])
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.HELD
    with pytest.raises(ValidationError, match="Ce point de suivi est déjà « réalisé »"):
        follow_up_cancel(actor=adviser, follow_up=follow_up)
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.HELD


def test_no_cej_module_but_the_workflow_writes_these_statuses():
    # The shared test skips cej while its import's status waits for a table (the "csv" work):
    # this one checks every other cej module now.
    waiting = {"cej.services.imports", "cej.workflow"}
    found = [
        line
        for path in sorted((ROOT / "cej").glob("**/*.py"))
        if "migrations" not in path.parts and module_name(path) not in waiting
        for line in writes_of(path, {"status"})
    ]
    assert found == []


def test_views_ask_cej_access_and_never_import_a_predicate_from_a_service():
    for path in sorted((ROOT / "cej" / "views").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cej.services"):
                names = [alias.name for alias in node.names]
                assert not [name for name in names if name.startswith(("can_", "require_"))], (path, names)


@pytest.mark.parametrize(
    ("role", "holds", "signs_pacea"),
    [
        ("adviser_ml", True, True),
        ("manager_ml", True, True),
        ("adviser_ft", True, False),
        ("manager_e2c", False, False),
    ],
)
def test_who_holds_files_and_signs_pacea(world, role, holds, signs_pacea):
    who = actor(world, role)
    assert access.can_hold_files(who) is holds
    assert access.can_sign_pacea(who) is signs_pacea
    assert access.can_edit_file(who, restricted=False) is holds
    assert access.can_edit_file(who, restricted=True) is False
    if not signs_pacea:
        with pytest.raises(PermissionDenied):
            access.require_pacea_signer(who)


def test_the_restriction_pages_refuse_an_adviser_the_lifting(world):
    adviser, manager = actor(world, "adviser_ml"), actor(world, "manager_ml")
    access.require_restriction_page(adviser, world.young_person, lift=False)
    access.require_restriction_page(manager, world.young_person, lift=True)
    with pytest.raises(PermissionDenied, match="lèvent une limitation"):
        access.require_restriction_page(adviser, world.young_person, lift=True)
    with pytest.raises(PermissionDenied, match="Votre rôle ne permet pas"):
        access.require_restriction_page(actor(world, "manager_e2c"), world.young_person, lift=False)
