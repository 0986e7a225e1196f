"""CEJ and PACEA pages of a file of Mission Locale A: its adviser and manager only (404 for anyone
else, the file being outside their scope; anonymous → login)."""

import datetime

from django.urls import reverse

from cej.models import CejContract, PaceaContract, StructuringStep
from tests.cej.factories import YoungPersonFactory
from tests.url_matrix import Entry, everyone

OWN_FILE = everyone(404, adviser_ml=200, manager_ml=200)


def _file(w):
    return YoungPersonFactory(organisation=w.ml_a, birth_date=datetime.date(2005, 6, 15))


def _cej(w):
    return CejContract.objects.create(
        young_person=_file(w),
        organisation=w.ml_a,
        signed_on=datetime.date(2025, 1, 1),
        starts_on=datetime.date(2025, 1, 1),
        planned_end_on=datetime.date(2025, 12, 31),
        weekly_hours=15,
        allowance_category="adult_non_taxable",
    )


def _pacea(w):
    return PaceaContract.objects.create(
        young_person=_file(w),
        organisation=w.ml_a,
        signed_on=datetime.date(2025, 1, 1),
        starts_on=datetime.date(2025, 1, 1),
        planned_end_on=datetime.date(2026, 12, 31),
    )


def on_file(name):
    return lambda w: reverse(name, kwargs={"public_id": _file(w).public_id})


def on_cej(name):
    def url(w):
        contract = _cej(w)
        return reverse(name, kwargs={"public_id": contract.young_person.public_id, "contract_id": contract.public_id})

    return url


def on_pacea(name):
    def url(w):
        contract = _pacea(w)
        return reverse(name, kwargs={"public_id": contract.young_person.public_id, "contract_id": contract.public_id})

    return url


def on_step(w):
    contract = _cej(w)
    step = StructuringStep.objects.create(contract=contract, label="Parcours E2C", starts_on=datetime.date(2025, 3, 1))
    return reverse(
        "cej:structuring_step_end",
        kwargs={
            "public_id": contract.young_person.public_id,
            "contract_id": contract.public_id,
            "step_id": step.public_id,
        },
    )


ENTRIES = [
    Entry("cej:cej_create", on_file("cej:cej_create"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:cej_detail", on_cej("cej:cej_detail"), OWN_FILE),
    Entry("cej:cej_extend", on_cej("cej:cej_extend"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:cej_suspend", on_cej("cej:cej_suspend"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:cej_resume", on_cej("cej:cej_resume"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:cej_breach", on_cej("cej:cej_breach"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:cej_end", on_cej("cej:cej_end"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:structuring_step_add", on_cej("cej:structuring_step_add"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:structuring_step_end", on_step, OWN_FILE, methods=("GET", "POST")),
    Entry("cej:pacea_create", on_file("cej:pacea_create"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:pacea_detail", on_pacea("cej:pacea_detail"), OWN_FILE),
    Entry("cej:pacea_phase_add", on_pacea("cej:pacea_phase_add"), OWN_FILE, methods=("GET", "POST")),
    Entry("cej:pacea_end", on_pacea("cej:pacea_end"), OWN_FILE, methods=("GET", "POST")),
]
