"""An adviser signs CEJ and PACEA contracts, extends, suspends, records breaches and ends them;
the rules (durations, overlaps, 6 months between two CEJ, E2C extension, allowance) are explained
in French and a refused write leaves nothing behind."""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cej.enums import AllowanceCategory, ContractEndReason, ContractStatus
from cej.models import AllowanceRate, CejContract, CejEvent, PaceaContract, PaceaPhase, StructuringStep, YoungPerson
from cej.models import YoungPersonEvent as History
from cej.selectors.contracts import allowance_rates, allowance_schedule, category_for_month, monthly_allowance
from cej.services.cej_contracts import (
    CejData,
    cej_create,
    cej_end,
    cej_extend,
    cej_record_breach,
    cej_resume,
    cej_suspend,
)
from cej.services.contract_base import cej_end_after_e2c
from cej.services.pacea_contracts import PaceaData, PaceaPhaseData, pacea_create, pacea_end, pacea_phase_add
from cej.services.structuring_steps import StructuringStepData, structuring_step_add, structuring_step_end
from cej.workflow import CONTRACT_TRANSITIONS
from partners.access import Actor
from partners.enums import OrganisationKind
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

D = datetime.date
BORN = D(2005, 6, 15)  # 19 on 1 January 2025


# --- Given ---------------------------------------------------------------------------------------


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def adviser(world):
    membership = world.memberships["adviser_ml"]
    return Actor(user=membership.user, membership=membership)


@pytest.fixture
def young_person(world):
    return YoungPersonFactory(organisation=world.ml_a, birth_date=BORN)


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.user("adviser_ml"))
    return client


def cej_data(**overrides):
    values = {
        "signed_on": D(2024, 12, 15),
        "starts_on": D(2025, 1, 1),
        "planned_end_on": D(2025, 12, 31),
        "weekly_hours": 15,
        "allowance_category": AllowanceCategory.ADULT_NON_TAXABLE,
        "activity_plan": "Lundi : atelier CV ; mardi : immersion.",
    }
    return CejData(**(values | overrides))


def pacea_data(**overrides):
    values = {"signed_on": D(2024, 12, 15), "starts_on": D(2025, 1, 1), "planned_end_on": D(2026, 12, 31)}
    return PaceaData(**(values | overrides))


def signed_cej(actor, young_person, **overrides):
    return cej_create(actor=actor, young_person=young_person, data=cej_data(**overrides))


def counts():
    return (
        CejContract.objects.count(),
        PaceaContract.objects.count(),
        CejEvent.objects.count(),
        StructuringStep.objects.count(),
        PaceaPhase.objects.count(),
        History.objects.count(),
    )


def refused(call, field, message):
    """The service refuses with ``message`` on ``field`` (``__all__``: the whole form) and writes nothing."""
    before = counts()
    with pytest.raises(ValidationError) as error:
        call()
    found = error.value.message_dict.get(field, []) if hasattr(error.value, "error_dict") else error.value.messages
    assert message in " ".join(found), error.value
    assert counts() == before


def cej_url(name, contract, **kwargs):
    return reverse(
        name, kwargs={"public_id": contract.young_person.public_id, "contract_id": contract.public_id, **kwargs}
    )


# --- Signing a CEJ -------------------------------------------------------------------------------


def test_an_adviser_signs_a_cej_and_becomes_its_referent(signed_in, world, young_person):
    response = signed_in.post(
        reverse("cej:cej_create", kwargs={"public_id": young_person.public_id}),
        {
            "signed_on": "2024-12-15",
            "starts_on": "01/01/2025",
            "planned_end_on": "2025-12-31",
            "weekly_hours": "18",
            "allowance_category": "adult_non_taxable",
            "activity_plan": "Ateliers et immersions.",
        },
    )

    contract = CejContract.objects.get()
    assert response.status_code == 302
    assert response.url == cej_url("cej:cej_detail", contract)
    assert (contract.organisation, contract.referent) == (world.ml_a, world.user("adviser_ml"))
    assert (contract.starts_on, contract.planned_end_on, contract.weekly_hours) == (D(2025, 1, 1), D(2025, 12, 31), 18)
    assert contract.status == ContractStatus.ACTIVE
    assert History.objects.get().action == "CEJ signé, du 01/01/2025 au 31/12/2025"


@pytest.mark.parametrize(
    ("planned_end_on", "accepted"),
    [
        (D(2025, 6, 29), False),  # 6 months less a day
        (D(2025, 6, 30), True),  # 6 months
        (D(2025, 12, 31), True),  # 12 months
        (D(2026, 1, 1), False),  # 12 months and a day
    ],
)
def test_a_cej_lasts_6_to_12_months(adviser, young_person, planned_end_on, accepted):
    if accepted:
        assert signed_cej(adviser, young_person, planned_end_on=planned_end_on).planned_end_on == planned_end_on
    else:
        refused(
            lambda: signed_cej(adviser, young_person, planned_end_on=planned_end_on),
            "planned_end_on",
            "Un CEJ dure de 6 à 12 mois : pour un début le 01/01/2025, la fin prévue se situe entre le 30/06/2025 "
            "et le 31/12/2025.",
        )


@pytest.mark.parametrize("hours", [14, 21, 0, 10**12])
def test_the_weekly_activity_is_15_to_20_hours(adviser, young_person, hours):
    refused(
        lambda: signed_cej(adviser, young_person, weekly_hours=hours),
        "weekly_hours",
        "Un CEJ compte de 15 à 20 heures d'activité par semaine.",
    )


def test_the_cej_is_for_16_to_25_year_olds_and_29_with_an_rqth(adviser, world):
    too_young = YoungPersonFactory(organisation=world.ml_a, birth_date=D(2009, 1, 2))
    too_old = YoungPersonFactory(organisation=world.ml_a, birth_date=D(1998, 6, 1))
    with_rqth = YoungPersonFactory(organisation=world.ml_a, birth_date=D(1998, 6, 1), has_rqth=True)

    refused(
        lambda: signed_cej(adviser, too_young, allowance_category=AllowanceCategory.MINOR),
        "starts_on",
        "Ce jeune aura 15 ans au début du contrat : le CEJ s'adresse aux jeunes de 16 à 25 ans révolus",
    )
    refused(lambda: signed_cej(adviser, too_old), "starts_on", "Ce jeune aura 26 ans au début du contrat")
    assert signed_cej(adviser, with_rqth).young_person == with_rqth


def test_the_allowance_category_follows_the_age_at_the_start(adviser, world, young_person):
    minor = YoungPersonFactory(organisation=world.ml_a, birth_date=D(2008, 3, 20))

    refused(
        lambda: signed_cej(adviser, minor),
        "allowance_category",
        "Ce jeune est mineur au début du contrat : la catégorie est « Mineur ».",
    )
    refused(
        lambda: signed_cej(adviser, young_person, allowance_category=AllowanceCategory.MINOR),
        "allowance_category",
        "Ce jeune est majeur au début du contrat",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2025", "Saisissez une date valide."),
        ("0001-01-01", "Le début ne peut pas précéder le 01/01/1990."),
        ("", "Ce champ est obligatoire."),
        ("9999-12-31", "Le début ne peut pas dépasser le"),
        ("demain", "Saisissez une date valide."),
    ],
)
def test_bad_dates_are_form_errors_never_a_server_error(signed_in, young_person, value, message):
    response = signed_in.post(
        reverse("cej:cej_create", kwargs={"public_id": young_person.public_id}),
        {
            "signed_on": "2024-12-15",
            "starts_on": value,
            "planned_end_on": "2025-12-31",
            "weekly_hours": "15",
            "allowance_category": "adult_non_taxable",
        },
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["starts_on"])
    assert not CejContract.objects.exists()


def test_an_empty_post_answers_the_form_with_its_errors(signed_in, young_person):
    response = signed_in.post(reverse("cej:cej_create", kwargs={"public_id": young_person.public_id}), {})

    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"signed_on", "starts_on", "planned_end_on", "weekly_hours"}
    assert not CejContract.objects.exists()


def test_a_signature_after_the_start_or_in_the_future_is_refused(adviser, young_person):
    refused(
        lambda: signed_cej(adviser, young_person, signed_on=D(2025, 1, 2)),
        "signed_on",
        "La signature ne peut pas suivre le début du contrat.",
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused(
        lambda: signed_cej(
            adviser,
            young_person,
            signed_on=tomorrow,
            starts_on=tomorrow,
            planned_end_on=tomorrow.replace(year=tomorrow.year + 1) - datetime.timedelta(days=1),
        ),
        "signed_on",
        "La date de signature ne peut pas être dans le futur.",
    )


def test_the_referent_must_belong_to_the_organisation(adviser, young_person, world):
    outsider = world.user("adviser_ft")

    refused(
        lambda: signed_cej(adviser, young_person, referent=outsider),
        "referent",
        "Le conseiller référent doit être un conseiller ou un responsable de votre organisation.",
    )


# --- 6 months between two CEJ, no overlap with a PACEA ---------------------------------------------


def test_a_new_cej_waits_6_months_after_the_end_of_the_previous_one(adviser, young_person):
    signed_cej(adviser, young_person)  # 01/01/2025 → 31/12/2025

    refused(
        lambda: signed_cej(
            adviser, young_person, signed_on=D(2026, 6, 1), starts_on=D(2026, 6, 29), planned_end_on=D(2026, 12, 31)
        ),
        "starts_on",
        "Un nouveau CEJ est possible à partir du 30/06/2026, 6 mois après la fin du précédent.",
    )
    second = signed_cej(
        adviser, young_person, signed_on=D(2026, 6, 1), starts_on=D(2026, 6, 30), planned_end_on=D(2026, 12, 31)
    )
    assert second.starts_on == D(2026, 6, 30)


def test_the_6_months_count_from_the_actual_end_of_a_cej_ended_early(adviser, young_person):
    first = signed_cej(adviser, young_person)
    cej_end(actor=adviser, contract=first, ended_on=D(2025, 3, 31), end_reason=ContractEndReason.POSITIVE_EXIT)

    second = signed_cej(
        adviser, young_person, signed_on=D(2025, 9, 30), starts_on=D(2025, 9, 30), planned_end_on=D(2026, 3, 31)
    )

    assert second.starts_on == D(2025, 9, 30)
    first.refresh_from_db()
    assert (first.ended_on, first.planned_end_on) == (D(2025, 3, 31), D(2025, 3, 31))


def test_two_cej_never_overlap_the_database_says_it_in_french(adviser, young_person):
    later = signed_cej(
        adviser, young_person, signed_on=D(2025, 6, 1), starts_on=D(2025, 6, 1), planned_end_on=D(2025, 12, 31)
    )

    # Starting before the existing CEJ and running into it: refused by the exclusion constraint.
    refused(
        lambda: signed_cej(
            adviser, young_person, signed_on=D(2024, 12, 1), starts_on=D(2024, 12, 1), planned_end_on=D(2025, 6, 30)
        ),
        "starts_on",
        "Ce jeune a déjà un CEJ du 01/06/2025 au 31/12/2025 : deux CEJ ne se chevauchent pas.",
    )
    assert list(CejContract.objects.all()) == [later]


def test_a_cej_signed_before_another_must_end_6_months_before_it(adviser, young_person):
    signed_cej(adviser, young_person, signed_on=D(2026, 1, 1), starts_on=D(2026, 1, 1), planned_end_on=D(2026, 6, 30))

    refused(
        lambda: signed_cej(adviser, young_person, planned_end_on=D(2025, 9, 30)),
        "planned_end_on",
        "Ce jeune a un CEJ qui commence le 01/01/2026 : celui-ci doit finir 6 mois avant.",
    )


def test_an_extension_into_the_next_cej_is_refused_by_the_database_in_french(adviser, young_person):
    first = signed_cej(adviser, young_person, planned_end_on=D(2025, 6, 30))
    signed_cej(adviser, young_person, signed_on=D(2026, 1, 1), starts_on=D(2026, 1, 1), planned_end_on=D(2026, 6, 30))

    refused(
        lambda: cej_extend(actor=adviser, contract=first, new_end_on=D(2026, 1, 15)),
        "new_end_on",
        "Ce jeune a déjà un CEJ du 01/01/2026 au 30/06/2026 : deux CEJ ne se chevauchent pas.",
    )
    first.refresh_from_db()
    assert first.planned_end_on == D(2025, 6, 30)


def test_a_cej_never_overlaps_a_pacea(adviser, young_person):
    pacea_create(
        actor=adviser,
        young_person=young_person,
        data=pacea_data(starts_on=D(2024, 1, 1), signed_on=D(2024, 1, 1), planned_end_on=D(2025, 3, 31)),
    )

    refused(
        lambda: signed_cej(adviser, young_person),
        "starts_on",
        "Ce jeune a un PACEA en cours du 01/01/2024 au 31/03/2025 : un CEJ et un PACEA ne se chevauchent pas.",
    )


def test_a_pacea_never_overlaps_a_cej(adviser, young_person):
    signed_cej(adviser, young_person)

    refused(
        lambda: pacea_create(actor=adviser, young_person=young_person, data=pacea_data(starts_on=D(2025, 12, 31))),
        "starts_on",
        "Ce jeune a un CEJ en cours du 01/01/2025 au 31/12/2025 : un CEJ et un PACEA ne se chevauchent pas.",
    )


def test_a_pacea_after_an_early_ended_cej_is_possible(adviser, young_person):
    contract = signed_cej(adviser, young_person)
    cej_end(
        actor=adviser, contract=contract, ended_on=D(2025, 2, 28), end_reason=ContractEndReason.YOUNG_PERSON_REQUEST
    )

    pacea = pacea_create(
        actor=adviser, young_person=young_person, data=pacea_data(signed_on=D(2025, 3, 1), starts_on=D(2025, 3, 1))
    )

    assert pacea.starts_on == D(2025, 3, 1)


# --- Extension, suspension, transitions ---------------------------------------------------------


def test_a_cej_is_extended_up_to_18_months_and_not_beyond(adviser, young_person):
    contract = signed_cej(adviser, young_person)

    refused(
        lambda: cej_extend(actor=adviser, contract=contract, new_end_on=D(2026, 7, 1)),
        "new_end_on",
        "Un CEJ dure au plus 18 mois au total : la fin prévue ne peut pas dépasser le 30/06/2026.",
    )
    refused(
        lambda: cej_extend(actor=adviser, contract=contract, new_end_on=D(2025, 11, 30)),
        "new_end_on",
        "La nouvelle fin doit suivre la fin prévue actuelle, le 31/12/2025.",
    )
    event = cej_extend(actor=adviser, contract=contract, new_end_on=D(2026, 6, 30), reason="Projet de formation")

    contract.refresh_from_db()
    assert contract.planned_end_on == D(2026, 6, 30)
    assert (event.kind, event.new_end_on, event.reason) == (
        CejEvent.Kind.EXTENSION,
        D(2026, 6, 30),
        "Projet de formation",
    )
    assert History.objects.filter(action="CEJ prolongé jusqu'au 30/06/2026").exists()


def test_an_extension_over_a_following_pacea_is_refused(adviser, young_person):
    contract = signed_cej(adviser, young_person)
    pacea_create(
        actor=adviser,
        young_person=young_person,
        data=pacea_data(signed_on=D(2026, 2, 1), starts_on=D(2026, 2, 1), planned_end_on=D(2026, 12, 31)),
    )

    refused(
        lambda: cej_extend(actor=adviser, contract=contract, new_end_on=D(2026, 3, 31)),
        "new_end_on",
        "Ce jeune a un PACEA en cours du 01/02/2026 au 31/12/2026",
    )


def test_the_transitions_are_one_declared_table():
    assert CONTRACT_TRANSITIONS[ContractStatus.ENDED] == {}
    assert "resume" not in CONTRACT_TRANSITIONS[ContractStatus.ACTIVE]
    assert CONTRACT_TRANSITIONS[ContractStatus.SUSPENDED]["resume"] == ContractStatus.ACTIVE


def test_an_ended_cej_can_no_longer_be_extended_suspended_or_breached(adviser, young_person):
    contract = signed_cej(adviser, young_person)
    cej_end(actor=adviser, contract=contract, ended_on=D(2025, 6, 30), end_reason=ContractEndReason.TERM)

    for call in (
        lambda: cej_extend(actor=adviser, contract=contract, new_end_on=D(2026, 1, 31)),
        lambda: cej_suspend(actor=adviser, contract=contract, occurred_on=D(2025, 5, 1), reason="Hospitalisation"),
        lambda: cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 5, 1), reason="Absence"),
        lambda: cej_end(actor=adviser, contract=contract, ended_on=D(2025, 6, 1), end_reason=ContractEndReason.TERM),
    ):
        refused(call, "__all__", "le contrat est terminé.")


def test_the_extension_page_of_an_ended_cej_explains_why_and_writes_nothing(signed_in, adviser, young_person):
    contract = signed_cej(adviser, young_person)
    cej_end(actor=adviser, contract=contract, ended_on=D(2025, 6, 30), end_reason=ContractEndReason.TERM)

    page = signed_in.get(cej_url("cej:cej_extend", contract))
    posted = signed_in.post(cej_url("cej:cej_extend", contract), {"new_end_on": "2026-01-31"})

    assert "Impossible de prolonger ce contrat : le contrat est terminé." in page.content.decode()
    assert posted.status_code == 200
    contract.refresh_from_db()
    assert contract.planned_end_on == D(2025, 6, 30)


def test_a_cej_is_suspended_then_resumed(adviser, young_person):
    contract = signed_cej(adviser, young_person)

    cej_suspend(actor=adviser, contract=contract, occurred_on=D(2025, 4, 1), reason="Hospitalisation")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
    refused(
        lambda: cej_suspend(actor=adviser, contract=contract, occurred_on=D(2025, 4, 2), reason="Encore"),
        "__all__",
        "Impossible de suspendre ce contrat : le contrat est suspendu.",
    )
    refused(
        lambda: cej_resume(actor=adviser, contract=contract, occurred_on=D(2025, 3, 31)),
        "occurred_on",
        "La reprise ne peut pas précéder la suspension du 01/04/2025.",
    )

    cej_resume(actor=adviser, contract=contract, occurred_on=D(2025, 5, 2))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert list(contract.events.values_list("kind", flat=True)) == ["suspension", "resumption"]
    refused(
        lambda: cej_resume(actor=adviser, contract=contract, occurred_on=D(2025, 5, 3)),
        "__all__",
        "Impossible de reprendre ce contrat : le contrat est en cours.",
    )


def test_a_suspension_needs_a_reason_and_a_date_inside_the_contract(adviser, young_person):
    contract = signed_cej(adviser, young_person)

    refused(
        lambda: cej_suspend(actor=adviser, contract=contract, occurred_on=D(2025, 4, 1), reason=" "),
        "reason",
        "Indiquez le motif de la suspension.",
    )
    refused(
        lambda: cej_suspend(actor=adviser, contract=contract, occurred_on=D(2024, 12, 31), reason="Hospitalisation"),
        "occurred_on",
        "La suspension doit se situer pendant le contrat, du 01/01/2025 au 31/12/2025.",
    )


# --- Breaches -------------------------------------------------------------------------------------


def test_breaches_are_ranked_and_the_third_ends_the_contract(adviser, young_person):
    contract = signed_cej(adviser, young_person)

    first = cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 2, 10), reason="Atelier manqué")
    second = cej_record_breach(
        actor=adviser, contract=contract, occurred_on=D(2025, 3, 10), reason="Rendez-vous manqué"
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    third = cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 4, 10), reason="Absence")

    assert [(e.breach_rank, e.consequence) for e in (first, second, third)] == [
        (1, "allocation du mois réduite de 25 %"),
        (2, "allocation d'un mois supprimée"),
        (3, "fin du contrat"),
    ]
    contract.refresh_from_db()
    assert (contract.status, contract.end_reason, contract.ended_on) == (
        ContractStatus.ENDED,
        ContractEndReason.BREACH,
        D(2025, 4, 10),
    )
    assert contract.events.filter(kind=CejEvent.Kind.END).count() == 1
    refused(
        lambda: cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 4, 11), reason="Encore"),
        "__all__",
        "Impossible d'enregistrer un manquement : le contrat est terminé.",
    )


def test_a_breach_is_dated_inside_the_contract_and_not_in_the_future(adviser, world):
    young_person = YoungPersonFactory(organisation=world.ml_a, birth_date=BORN)
    today = timezone.localdate()
    start = today.replace(day=1)
    contract = signed_cej(
        adviser,
        young_person,
        signed_on=start,
        starts_on=start,
        planned_end_on=start.replace(year=start.year + 1) - datetime.timedelta(days=1),
    )

    refused(
        lambda: cej_record_breach(
            actor=adviser, contract=contract, occurred_on=today + datetime.timedelta(days=1), reason="Absence"
        ),
        "occurred_on",
        "Un manquement ne peut pas être dans le futur.",
    )


def test_the_third_breach_page_asks_to_confirm_the_end(signed_in, adviser, young_person):
    contract = signed_cej(adviser, young_person)
    cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 2, 10), reason="Atelier manqué")
    cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 3, 10), reason="Rendez-vous manqué")
    url = cej_url("cej:cej_breach", contract)

    page = signed_in.get(url)
    unconfirmed = signed_in.post(url, {"occurred_on": "2025-04-10", "reason": "Absence"})

    assert "Ce sera le manquement n° 3 de ce contrat. Conséquence : fin du contrat." in page.content.decode()
    assert "Cochez la case pour confirmer la fin du contrat." in " ".join(
        unconfirmed.context["form"].errors["confirm_end"]
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE

    signed_in.post(url, {"occurred_on": "2025-04-10", "reason": "Absence", "confirm_end": "on"})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ENDED


# --- Ending a contract --------------------------------------------------------------------------


def test_ending_a_cej_goes_through_a_confirmation_page(signed_in, adviser, young_person):
    contract = signed_cej(adviser, young_person)
    url = cej_url("cej:cej_end", contract)
    data = {"ended_on": "2025-09-30", "end_reason": "positive_exit", "comment": "CDI chez un boulanger"}

    confirmation = signed_in.post(url, data)

    assert confirmation.status_code == 200
    assert "Confirmer la fin du CEJ" in confirmation.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and not contract.events.exists()

    done = signed_in.post(url, data | {"confirmer": "1"})

    assert done.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.ended_on, contract.end_reason) == (
        ContractStatus.ENDED,
        D(2025, 9, 30),
        ContractEndReason.POSITIVE_EXIT,
    )
    end = contract.events.get()
    assert (end.kind, end.reason) == (CejEvent.Kind.END, "CDI chez un boulanger")
    assert "fin prévue jusque-là : 31/12/2025" in end.consequence


@pytest.mark.parametrize(
    ("ended_on", "message"),
    [
        ("2026-01-01", "Le contrat finit au plus tard à sa fin prévue, le 31/12/2025."),
        ("2025-01-01", "La fin doit suivre le début du contrat, le 01/01/2025."),
        ("1900-01-01", "La date de fin ne peut pas précéder le 01/01/1990."),
    ],
)
def test_a_wrong_end_date_is_explained_before_the_confirmation(signed_in, adviser, young_person, ended_on, message):
    contract = signed_cej(adviser, young_person)

    response = signed_in.post(cej_url("cej:cej_end", contract), {"ended_on": ended_on, "end_reason": "term"})

    assert message in " ".join(response.context["form"].errors["ended_on"])
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


# --- E2C structuring step -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("programme_end", "cej_end_on"),
    [
        (D(2026, 3, 15), D(2026, 5, 31)),
        (D(2025, 12, 31), D(2026, 2, 28)),
        (D(2027, 12, 1), D(2028, 2, 29)),
        (D(2026, 1, 31), D(2026, 3, 31)),
    ],
)
def test_the_cej_runs_to_the_last_day_of_the_2nd_month_after_the_e2c_programme(programme_end, cej_end_on):
    assert cej_end_after_e2c(programme_end) == cej_end_on


def test_an_e2c_programme_with_a_known_end_extends_the_cej_even_beyond_18_months(adviser, young_person, world):
    contract = signed_cej(adviser, young_person)  # 01/01/2025 → 31/12/2025, 18 months: 30/06/2026

    step = structuring_step_add(
        actor=adviser,
        contract=contract,
        data=StructuringStepData(
            label="Parcours E2C", starts_on=D(2025, 3, 1), ends_on=D(2026, 6, 15), is_e2c=True, e2c_site=world.site
        ),
    )

    contract.refresh_from_db()
    assert contract.planned_end_on == D(2026, 8, 31)
    extension = contract.events.get(kind=CejEvent.Kind.EXTENSION)
    assert extension.new_end_on == D(2026, 8, 31)
    assert "Parcours E2C terminé le 15/06/2026" in extension.reason
    assert step.e2c_site == world.site
    assert contract.events.filter(kind=CejEvent.Kind.STRUCTURING_STEP).count() == 1


def test_the_end_of_an_e2c_programme_recorded_later_extends_the_cej(adviser, young_person, world):
    contract = signed_cej(adviser, young_person)
    step = structuring_step_add(
        actor=adviser,
        contract=contract,
        data=StructuringStepData(label="Parcours E2C", starts_on=D(2025, 3, 1), is_e2c=True, e2c_site=world.site),
    )
    contract.refresh_from_db()
    assert contract.planned_end_on == D(2025, 12, 31)

    structuring_step_end(actor=adviser, step=step, ends_on=D(2026, 3, 15))

    contract.refresh_from_db()
    assert contract.planned_end_on == D(2026, 5, 31)


def test_an_e2c_programme_ending_early_does_not_shorten_the_cej(adviser, young_person, world):
    contract = signed_cej(adviser, young_person)

    structuring_step_add(
        actor=adviser,
        contract=contract,
        data=StructuringStepData(
            label="Parcours E2C", starts_on=D(2025, 2, 1), ends_on=D(2025, 6, 30), is_e2c=True, e2c_site=world.site
        ),
    )

    contract.refresh_from_db()
    assert contract.planned_end_on == D(2025, 12, 31)
    assert not contract.events.filter(kind=CejEvent.Kind.EXTENSION).exists()


def test_a_structuring_step_is_checked(adviser, young_person, world):
    contract = signed_cej(adviser, young_person)

    def add(**overrides):
        values = {"label": "Parcours E2C", "starts_on": D(2025, 3, 1), "is_e2c": True, "e2c_site": world.site}
        return lambda: structuring_step_add(
            actor=adviser, contract=contract, data=StructuringStepData(**(values | overrides))
        )

    refused(add(e2c_site=None), "e2c_site", "Choisissez le site E2C du parcours.")
    refused(add(e2c_site=world.ml_b), "e2c_site", "Choisissez un site E2C actif de l'annuaire.")
    refused(add(is_e2c=False), "e2c_site", "Un site E2C ne s'indique que pour un parcours E2C")
    refused(add(label=" "), "label", "L'intitulé est obligatoire.")
    refused(add(starts_on=D(2026, 3, 1)), "starts_on", "Le début doit se situer pendant le contrat")
    refused(add(ends_on=D(2025, 2, 1)), "ends_on", "La fin ne peut pas précéder le début.")


def test_the_step_form_offers_e2c_sites_only(signed_in, adviser, young_person, world):
    contract = signed_cej(adviser, young_person)

    response = signed_in.post(
        cej_url("cej:structuring_step_add", contract),
        {"label": "Parcours", "is_e2c": "on", "e2c_site": str(world.ml_b.public_id), "starts_on": "2025-03-01"},
    )

    assert "Sélectionnez un choix valide" in " ".join(response.context["form"].errors["e2c_site"])
    assert not StructuringStep.objects.exists()


# --- Allowance ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "adult", "first_bracket", "minor"),
    [
        (D(2022, 3, 1), "500.00", "300.00", "200.00"),
        (D(2023, 3, 31), "500.00", "300.00", "200.00"),
        (D(2023, 4, 1), "528.00", "316.80", "211.20"),
        (D(2024, 3, 31), "528.00", "316.80", "211.20"),
        (D(2024, 4, 1), "552.29", "331.17", "220.92"),
        (D(2025, 3, 31), "552.29", "331.17", "220.92"),
        (D(2025, 4, 1), "561.68", "336.80", "224.68"),
    ],
)
def test_the_allowance_in_force_on_a_date(day, adult, first_bracket, minor):
    assert monthly_allowance(AllowanceCategory.ADULT_NON_TAXABLE, day) == Decimal(adult)
    assert monthly_allowance(AllowanceCategory.ADULT_FIRST_BRACKET, day) == Decimal(first_bracket)
    assert monthly_allowance(AllowanceCategory.MINOR, day) == Decimal(minor)


def test_no_allowance_before_the_cej_existed():
    assert monthly_allowance(AllowanceCategory.MINOR, D(2022, 2, 28)) is None


def test_a_future_rate_applies_from_its_date():
    AllowanceRate.objects.create(category="minor", valid_from=D(2031, 4, 1), monthly_amount=Decimal("250.00"))

    assert monthly_allowance(AllowanceCategory.MINOR, D(2031, 3, 31)) == Decimal("224.68")
    assert monthly_allowance(AllowanceCategory.MINOR, D(2031, 4, 1)) == Decimal("250.00")


def test_the_cej_page_shows_this_months_allowance_in_french(signed_in, adviser, young_person):
    start = timezone.localdate().replace(day=1)
    contract = signed_cej(
        adviser,
        young_person,
        signed_on=start,
        starts_on=start,
        planned_end_on=start.replace(year=start.year + 1) - datetime.timedelta(days=1),
    )

    page = signed_in.get(cej_url("cej:cej_detail", contract)).content.decode()

    assert "<strong>561,68&nbsp;€</strong>" in page


def test_a_first_breach_takes_25_percent_off_that_months_allowance(signed_in, adviser, young_person):
    today = timezone.localdate()
    start = today.replace(day=1)
    contract = signed_cej(
        adviser,
        young_person,
        signed_on=start,
        starts_on=start,
        planned_end_on=start.replace(year=start.year + 1) - datetime.timedelta(days=1),
    )
    cej_record_breach(actor=adviser, contract=contract, occurred_on=today, reason="Atelier manqué")

    page = signed_in.get(cej_url("cej:cej_detail", contract)).content.decode()

    assert "<strong>421,26&nbsp;€</strong> (au lieu de 561,68&nbsp;€, manquement n° 1)" in page


def test_the_schedule_switches_a_minor_to_the_adult_rate_in_the_month_of_the_18th_birthday(adviser, world):
    minor = YoungPersonFactory(organisation=world.ml_a, birth_date=D(2007, 3, 20))
    contract = signed_cej(
        adviser,
        minor,
        signed_on=D(2025, 1, 1),
        starts_on=D(2025, 1, 1),
        planned_end_on=D(2025, 6, 30),
        allowance_category=AllowanceCategory.MINOR,
    )
    cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 5, 5), reason="Atelier manqué")
    cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 6, 5), reason="Rendez-vous manqué")

    schedule = allowance_schedule(
        contract, birth_date=minor.birth_date, events=list(contract.events.all()), rates=allowance_rates()
    )

    assert [(line.month, line.category, line.amount) for line in schedule] == [
        (D(2025, 1, 1), "minor", Decimal("220.92")),
        (D(2025, 2, 1), "minor", Decimal("220.92")),
        (D(2025, 3, 1), "adult_non_taxable", Decimal("552.29")),
        (D(2025, 4, 1), "adult_non_taxable", Decimal("561.68")),
        (D(2025, 5, 1), "adult_non_taxable", Decimal("421.26")),
        (D(2025, 6, 1), "adult_non_taxable", Decimal("0.00")),
    ]
    assert category_for_month(contract, minor.birth_date, D(2025, 2, 1)) == "minor"


# --- PACEA ---------------------------------------------------------------------------------------


def test_a_pacea_lasts_24_consecutive_months_at_most(adviser, young_person):
    refused(
        lambda: pacea_create(actor=adviser, young_person=young_person, data=pacea_data(planned_end_on=D(2027, 1, 1))),
        "planned_end_on",
        "Un PACEA dure au plus 24 mois consécutifs : la fin prévue ne peut pas dépasser le 31/12/2026.",
    )
    contract = pacea_create(actor=adviser, young_person=young_person, data=pacea_data(planned_end_on=D(2026, 12, 31)))

    assert (contract.referent, contract.organisation) == (adviser.user, adviser.organisation)
    assert History.objects.get().action == "PACEA signé, du 01/01/2025 au 31/12/2026"


def test_two_pacea_never_overlap_the_database_says_it_in_french(adviser, young_person):
    pacea_create(
        actor=adviser,
        young_person=young_person,
        data=pacea_data(signed_on=D(2025, 6, 1), starts_on=D(2025, 6, 1), planned_end_on=D(2026, 5, 31)),
    )

    refused(
        lambda: pacea_create(actor=adviser, young_person=young_person, data=pacea_data(planned_end_on=D(2025, 6, 1))),
        "starts_on",
        "Ce jeune a déjà un PACEA du 01/06/2025 au 31/05/2026 : deux PACEA ne se chevauchent pas.",
    )


def test_pacea_phases_stay_inside_the_contract_and_do_not_overlap(adviser, young_person):
    contract = pacea_create(actor=adviser, young_person=young_person, data=pacea_data())

    pacea_phase_add(
        actor=adviser,
        contract=contract,
        data=PaceaPhaseData(label="Diagnostic", starts_on=D(2025, 1, 1), ends_on=D(2025, 3, 31)),
    )
    refused(
        lambda: pacea_phase_add(
            actor=adviser, contract=contract, data=PaceaPhaseData(label="Emploi", starts_on=D(2025, 3, 1))
        ),
        "starts_on",
        "Cette phase chevauche la phase « Diagnostic » (du 01/01/2025 au 31/03/2025).",
    )
    refused(
        lambda: pacea_phase_add(
            actor=adviser,
            contract=contract,
            data=PaceaPhaseData(label="Emploi", starts_on=D(2025, 4, 1), ends_on=D(2027, 1, 1)),
        ),
        "ends_on",
        "La fin doit se situer pendant le contrat, du 01/01/2025 au 31/12/2026.",
    )
    pacea_phase_add(actor=adviser, contract=contract, data=PaceaPhaseData(label="Emploi", starts_on=D(2025, 4, 1)))
    assert list(contract.phases.values_list("label", flat=True)) == ["Diagnostic", "Emploi"]


def test_a_pacea_ends_through_the_confirmation_page_then_takes_no_phase(signed_in, adviser, young_person):
    contract = pacea_create(actor=adviser, young_person=young_person, data=pacea_data())
    url = reverse("cej:pacea_end", kwargs={"public_id": young_person.public_id, "contract_id": contract.public_id})

    signed_in.post(url, {"ended_on": "2025-10-31", "end_reason": "term"})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE

    signed_in.post(url, {"ended_on": "2025-10-31", "end_reason": "term", "confirmer": "1"})
    contract.refresh_from_db()
    assert (contract.status, contract.ended_on) == (ContractStatus.ENDED, D(2025, 10, 31))
    refused(
        lambda: pacea_phase_add(
            actor=adviser, contract=contract, data=PaceaPhaseData(label="Emploi", starts_on=D(2025, 4, 1))
        ),
        "__all__",
        "Impossible d'ajouter une phase : le contrat est terminé.",
    )
    refused(
        lambda: pacea_end(actor=adviser, contract=contract, ended_on=D(2025, 10, 1), end_reason="term"),
        "__all__",
        "le contrat est terminé.",
    )


# --- Pages and access -----------------------------------------------------------------------------


def test_the_cej_page_shows_the_timeline_steps_and_actions(signed_in, adviser, young_person, world):
    contract = signed_cej(adviser, young_person)
    structuring_step_add(
        actor=adviser,
        contract=contract,
        data=StructuringStepData(label="Parcours E2C", starts_on=D(2025, 3, 1), is_e2c=True, e2c_site=world.site),
    )
    cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 2, 10), reason="Atelier manqué")

    page = signed_in.get(cej_url("cej:cej_detail", contract)).content.decode()

    assert "Manquement n° 1</strong> : allocation du mois réduite de 25 %" in page
    assert "Parcours E2C — parcours E2C, E2C Lyon — site de Vénissieux" in page
    assert cej_url("cej:cej_extend", contract) in page
    assert cej_url("cej:cej_resume", contract) not in page


def test_the_file_section_lists_the_contracts_with_their_status(adviser, young_person):
    cej = signed_cej(adviser, young_person)
    cej_end(actor=adviser, contract=cej, ended_on=D(2025, 3, 31), end_reason=ContractEndReason.POSITIVE_EXIT)
    pacea = pacea_create(
        actor=adviser,
        young_person=young_person,
        data=pacea_data(signed_on=D(2025, 4, 1), starts_on=D(2025, 4, 1), planned_end_on=D(2026, 3, 31)),
    )

    html = render_to_string("cej/contracts/_section.html", {"young_person": young_person, "can_edit": True})

    assert cej_url("cej:cej_detail", cej) in html
    assert (
        reverse("cej:pacea_detail", kwargs={"public_id": young_person.public_id, "contract_id": pacea.public_id})
        in html
    )
    assert "Terminé</span> — sortie positive" in html
    assert "du 01/04/2025 au 31/03/2026" in html
    assert reverse("cej:cej_create", kwargs={"public_id": young_person.public_id}) in html


def test_another_organisations_contract_answers_404(signed_in, world):
    other_file = YoungPersonFactory(organisation=world.ml_b, birth_date=BORN)
    other = CejContract.objects.create(
        young_person=other_file,
        organisation=world.ml_b,
        signed_on=D(2025, 1, 1),
        starts_on=D(2025, 1, 1),
        planned_end_on=D(2025, 12, 31),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )

    assert signed_in.get(cej_url("cej:cej_detail", other)).status_code == 404
    assert (
        signed_in.post(
            cej_url("cej:cej_end", other), {"ended_on": "2025-06-30", "end_reason": "term", "confirmer": "1"}
        ).status_code
        == 404
    )
    assert signed_in.get(reverse("cej:cej_create", kwargs={"public_id": other_file.public_id})).status_code == 404
    other.refresh_from_db()
    assert other.status == ContractStatus.ACTIVE


def test_a_contract_reached_through_another_file_or_a_random_id_answers_404(signed_in, adviser, young_person, world):
    contract = signed_cej(adviser, young_person)
    own_other_file = YoungPersonFactory(organisation=world.ml_a, birth_date=BORN)

    through_other_file = reverse(
        "cej:cej_detail", kwargs={"public_id": own_other_file.public_id, "contract_id": contract.public_id}
    )
    random_contract = reverse(
        "cej:cej_detail", kwargs={"public_id": young_person.public_id, "contract_id": uuid.uuid4()}
    )
    as_pacea = reverse(
        "cej:pacea_detail", kwargs={"public_id": young_person.public_id, "contract_id": contract.public_id}
    )

    assert signed_in.get(through_other_file).status_code == 404
    assert signed_in.get(random_contract).status_code == 404
    assert signed_in.get(as_pacea).status_code == 404
    assert signed_in.get(f"/jeunes/{young_person.public_id}/cej/pas-un-uuid/").status_code == 404


def test_e2c_staff_and_coordinators_cannot_write_contracts(young_person, world):
    for role in ("e2c_staff", "manager_e2c", "regional_coordinator", "national_committee", "administrator"):
        membership = world.memberships[role]
        actor = Actor(user=membership.user, membership=membership)
        with pytest.raises(PermissionDenied):
            signed_cej(actor, young_person)
        with pytest.raises(PermissionDenied):
            pacea_create(actor=actor, young_person=young_person, data=pacea_data())
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_e2c_staff_do_not_see_a_files_contracts(client, adviser, young_person, world):
    contract = signed_cej(adviser, young_person)
    client.force_login(world.user("e2c_staff"))

    assert client.get(cej_url("cej:cej_detail", contract)).status_code == 404
    assert client.post(cej_url("cej:cej_extend", contract), {"new_end_on": "2026-01-31"}).status_code == 404


def test_reading_a_contract_is_logged(signed_in, adviser, young_person):
    contract = signed_cej(adviser, young_person)
    signed_in.get(cej_url("cej:cej_detail", contract))

    log = AccessLog.objects.get()
    assert (log.object_id, log.purpose) == (young_person.public_id, "view_file")


def test_the_cej_page_costs_the_same_queries_with_more_events(
    signed_in, adviser, young_person, world, django_assert_max_num_queries
):
    contract = signed_cej(adviser, young_person)
    url = cej_url("cej:cej_detail", contract)
    with django_assert_max_num_queries(20) as few:
        signed_in.get(url)
    for month in (2, 3, 4):
        structuring_step_add(
            actor=adviser,
            contract=contract,
            data=StructuringStepData(
                label=f"Étape {month}", starts_on=D(2025, month, 1), is_e2c=True, e2c_site=world.site
            ),
        )
    cej_record_breach(actor=adviser, contract=contract, occurred_on=D(2025, 2, 10), reason="Atelier manqué")
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(url)


# --- Admin: the allowance table -------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client, admin


def test_an_administrator_adds_a_future_rate_only(staff_client):
    client, admin = staff_client
    url = reverse("admin:cej_allowancerate_add")
    future = timezone.localdate() + datetime.timedelta(days=30)

    past = client.post(url, {"category": "minor", "valid_from": "2025-04-01", "monthly_amount": "230.00"})
    assert "Seuls les montants à venir" in past.content.decode()

    client.post(url, {"category": "minor", "valid_from": future.isoformat(), "monthly_amount": "230.00"})
    added = AllowanceRate.objects.get(valid_from=future)
    assert (added.monthly_amount, added.created_by) == (Decimal("230.00"), admin)


def test_a_rate_in_force_is_read_only_in_the_admin(staff_client):
    client, _ = staff_client
    rate = AllowanceRate.objects.get(category="minor", valid_from=D(2025, 4, 1))
    url = reverse("admin:cej_allowancerate_change", args=[rate.pk])

    response = client.post(url, {"category": "minor", "valid_from": "2025-04-01", "monthly_amount": "1.00"})
    deleted = client.post(reverse("admin:cej_allowancerate_delete", args=[rate.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert deleted.status_code == 403
    rate.refresh_from_db()
    assert rate.monthly_amount == Decimal("224.68")


# --- Concurrency ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_cej_written_at_the_same_time_are_serialised_on_the_young_persons_row():
    """Adviser B's CEJ waits for adviser A's transaction; then the 6-month rule sees A's CEJ."""
    organisation = OrganisationFactory(kind=OrganisationKind.MISSION_LOCALE)
    membership = MembershipFactory(organisation=organisation)
    actor = Actor(user=membership.user, membership=membership)
    young_person = YoungPersonFactory(organisation=organisation, birth_date=BORN)
    locked, released = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def adviser_a():
        try:
            with transaction.atomic():
                YoungPerson.objects.select_for_update().get(pk=young_person.pk)
                locked.set()
                released.wait(5)
                CejContract.objects.create(
                    young_person=young_person,
                    organisation=organisation,
                    signed_on=D(2025, 1, 1),
                    starts_on=D(2025, 1, 1),
                    planned_end_on=D(2025, 12, 31),
                    weekly_hours=15,
                    allowance_category="adult_non_taxable",
                )
        finally:
            connection.close()

    def adviser_b():
        try:
            signed_cej(
                actor,
                young_person,
                signed_on=D(2026, 2, 1),
                starts_on=D(2026, 2, 1),
                planned_end_on=D(2026, 12, 31),
            )
            outcome["b"] = "created"
        except ValidationError as error:
            outcome["b"] = error.message_dict["starts_on"][0]
        finally:
            connection.close()

    first = threading.Thread(target=adviser_a)
    first.start()
    assert locked.wait(5)
    second = threading.Thread(target=adviser_b)
    second.start()
    second.join(0.5)
    assert second.is_alive(), "adviser B should wait for adviser A's lock"
    released.set()
    first.join(5)
    second.join(5)

    assert outcome["b"] == "Un nouveau CEJ est possible à partir du 30/06/2026, 6 mois après la fin du précédent."
    assert CejContract.objects.count() == 1
