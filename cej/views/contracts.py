"""CEJ and PACEA contracts of a young person's file: sign, view, extend, suspend and resume, record
breaches, add structuring steps and PACEA phases, end (after a confirmation page).

Every page fetches the file with ``young_person_for_actor`` (404 outside the actor's scope) and the
contract through that file (404 otherwise); every write needs a file holder (403 for other roles).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from audit.models import AccessLog
from audit.services import log_access
from cej.enums import AllowanceCategory, ContractEndReason
from cej.forms.contracts import (
    BreachForm,
    CejForm,
    EndForm,
    ExtendForm,
    PaceaForm,
    PaceaPhaseForm,
    ResumeForm,
    StepEndForm,
    StructuringStepForm,
    SuspendForm,
)
from cej.models import CejContract, PaceaContract, YoungPerson
from cej.selectors.contracts import (
    allowance_rates,
    allowance_schedule,
    cej_contract_of,
    cej_timeline,
    current_allowance,
    e2c_sites,
    pacea_contract_of,
    referent_candidates,
    structuring_step_of,
)
from cej.selectors.young_people import young_person_for_actor
from cej.services.contracts import (
    ADULT_AGE,
    BREACH_CONSEQUENCES,
    BREACH_ENDING_RANK,
    PACEA_ML_ONLY,
    ContractAction,
    can_apply,
    can_sign_pacea,
    cej_create,
    cej_end,
    cej_extend,
    cej_max_end,
    cej_record_breach,
    cej_resume,
    cej_suspend,
    end_errors,
    next_breach_rank,
    pacea_create,
    pacea_end,
    pacea_phase_add,
    structuring_step_add,
    structuring_step_end,
    transition_refusal,
)
from cej.services.restrictions import is_restricted
from cej.services.young_people import can_hold_files, require_file_holder
from common.forms import submitted_data as _posted
from common.http_methods import http_methods
from partners.access import Actor, actor_for
from partners.enums import Role
from partners.forms.errors import attach_errors
from partners.french import de

FORM_TEMPLATE = "cej/contracts/form.html"


def _file(request: HttpRequest, public_id: str) -> tuple[Actor, YoungPerson]:
    actor = actor_for(request)
    return actor, young_person_for_actor(actor=actor, public_id=public_id)


def _writable_file(request: HttpRequest, public_id: str) -> tuple[Actor, YoungPerson]:
    """The file (404 outside the scope), then the right to write (403)."""
    actor, young_person = _file(request, public_id)
    require_file_holder(actor)
    return actor, young_person


def _submitted(request: HttpRequest, form: forms.Form, write: Callable[[], object]) -> bool:
    """Validate the posted form and call the service; its refusals land on the form's fields."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write()
    except ValidationError as error:
        attach_errors(form, error)
        return False
    return True


def _form_page(request: HttpRequest, **context: object) -> HttpResponse:
    defaults: dict[str, object] = {"contract": None, "intro": [], "refusal": None, "danger": False}
    return render(request, FORM_TEMPLATE, defaults | context)


# --- CEJ -----------------------------------------------------------------------------------------


def cej_url(contract: CejContract) -> str:
    return reverse(
        "cej:cej_detail", kwargs={"public_id": contract.young_person.public_id, "contract_id": contract.public_id}
    )


def pacea_url(contract: PaceaContract) -> str:
    return reverse(
        "cej:pacea_detail", kwargs={"public_id": contract.young_person.public_id, "contract_id": contract.public_id}
    )


def _default_category(young_person: YoungPerson) -> str:
    return AllowanceCategory.MINOR if young_person.age < ADULT_AGE else AllowanceCategory.ADULT_NON_TAXABLE


@http_methods("GET", "POST")
@login_required
def cej_create_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor, young_person = _writable_file(request, public_id)
    form = CejForm(
        _posted(request),
        referents=referent_candidates(actor),
        default_referent=actor.user if actor.role == Role.ADVISER else young_person.referent,
        initial={"allowance_category": _default_category(young_person)},
    )
    created: list[CejContract] = []
    if _submitted(
        request, form, lambda: created.append(cej_create(actor=actor, young_person=young_person, data=form.to_data()))
    ):
        messages.success(request, f"Le CEJ {de(young_person)} est enregistré.")
        return redirect(cej_url(created[0]))
    return _form_page(
        request,
        young_person=young_person,
        title="Signer un contrat d'engagement jeune (CEJ)",
        here="Nouveau CEJ",
        intro=[
            "Un CEJ dure de 6 à 12 mois (18 mois au plus avec les prolongations), pour 15 à 20 heures "
            "d'activité par semaine. Il s'adresse aux jeunes de 16 à 25 ans révolus (29 ans avec une RQTH) ; "
            "un nouveau CEJ est possible 6 mois après la fin du précédent, et jamais pendant un PACEA."
        ],
        form=form,
        submit="Enregistrer le CEJ",
        cancel_url=reverse("cej:young_person_detail", kwargs={"public_id": young_person.public_id}),
    )


@http_methods("GET")
@login_required
def cej_detail(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person = _file(request, public_id)
    contract = cej_contract_of(young_person=young_person, public_id=contract_id)
    log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    events = cej_timeline(contract)
    today = timezone.localdate()
    schedule = allowance_schedule(contract, birth_date=young_person.birth_date, events=events, rates=allowance_rates())
    # A restricted file (RGPD article 18) is read, not changed: no action buttons.
    can_edit = can_hold_files(actor) and not is_restricted(young_person.pk)
    return render(
        request,
        "cej/contracts/cej_detail.html",
        {
            "young_person": young_person,
            "contract": contract,
            "events": events,
            "steps": list(contract.structuring_steps.select_related("e2c_site")),
            "schedule": schedule,
            "current": current_allowance(schedule, today),
            "today": today,
            "max_end": cej_max_end(contract),
            "can_edit": can_edit,
            "actions": {action.value: can_edit and can_apply(contract, action) for action in ContractAction},
        },
    )


def _cej_action(
    request: HttpRequest, public_id: str, contract_id: str, action: ContractAction
) -> tuple[Actor, YoungPerson, CejContract, str | None]:
    actor, young_person = _writable_file(request, public_id)
    contract = cej_contract_of(young_person=young_person, public_id=contract_id)
    return actor, young_person, contract, transition_refusal(contract, action)


def _cej_page(
    request: HttpRequest, young_person: YoungPerson, contract: CejContract, **context: object
) -> HttpResponse:
    return _form_page(
        request,
        young_person=young_person,
        contract=contract,
        contract_url=cej_url(contract),
        cancel_url=cej_url(contract),
        **context,
    )


@http_methods("GET", "POST")
@login_required
def cej_extend_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _cej_action(request, public_id, contract_id, ContractAction.EXTEND)
    form = ExtendForm(_posted(request))
    if refusal is None and _submitted(
        request,
        form,
        lambda: cej_extend(
            actor=actor,
            contract=contract,
            new_end_on=form.cleaned_data["new_end_on"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, "Le CEJ est prolongé.")
        return redirect(cej_url(contract))
    latest = cej_max_end(contract)
    return _cej_page(
        request,
        young_person,
        contract,
        title="Prolonger le CEJ",
        here="Prolonger",
        intro=[
            f"Fin prévue actuelle : {contract.planned_end_on:%d/%m/%Y}. Un CEJ dure au plus 18 mois au total : "
            f"la fin prévue ne peut pas dépasser le {latest:%d/%m/%Y}."
        ],
        form=form,
        submit="Prolonger le CEJ",
        refusal=refusal,
    )


@http_methods("GET", "POST")
@login_required
def cej_suspend_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _cej_action(request, public_id, contract_id, ContractAction.SUSPEND)
    form = SuspendForm(_posted(request), initial={"occurred_on": timezone.localdate()})
    if refusal is None and _submitted(
        request,
        form,
        lambda: cej_suspend(
            actor=actor,
            contract=contract,
            occurred_on=form.cleaned_data["occurred_on"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, "Le CEJ est suspendu.")
        return redirect(cej_url(contract))
    return _cej_page(
        request,
        young_person,
        contract,
        title="Suspendre le CEJ",
        here="Suspendre",
        intro=["Le contrat reste suspendu jusqu'à sa reprise, enregistrée depuis la page du contrat."],
        form=form,
        submit="Suspendre le CEJ",
        refusal=refusal,
    )


@http_methods("GET", "POST")
@login_required
def cej_resume_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _cej_action(request, public_id, contract_id, ContractAction.RESUME)
    form = ResumeForm(_posted(request), initial={"occurred_on": timezone.localdate()})
    if refusal is None and _submitted(
        request,
        form,
        lambda: cej_resume(
            actor=actor,
            contract=contract,
            occurred_on=form.cleaned_data["occurred_on"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, "Le CEJ a repris.")
        return redirect(cej_url(contract))
    return _cej_page(
        request,
        young_person,
        contract,
        title="Reprendre le CEJ",
        here="Reprendre",
        form=form,
        submit="Enregistrer la reprise",
        refusal=refusal,
    )


@http_methods("GET", "POST")
@login_required
def cej_breach_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _cej_action(request, public_id, contract_id, ContractAction.RECORD_BREACH)
    rank = next_breach_rank(contract)
    ends_contract = rank >= BREACH_ENDING_RANK
    form = BreachForm(_posted(request), ends_contract=ends_contract)
    if refusal is None and _submitted(
        request,
        form,
        lambda: cej_record_breach(
            actor=actor,
            contract=contract,
            occurred_on=form.cleaned_data["occurred_on"],
            reason=form.cleaned_data["reason"],
            expected_rank=rank,
        ),
    ):
        messages.success(
            request,
            f"Le manquement n° {rank} est enregistré : {BREACH_CONSEQUENCES[rank]}.",
        )
        return redirect(cej_url(contract))
    consequence = BREACH_CONSEQUENCES.get(rank, "")
    return _cej_page(
        request,
        young_person,
        contract,
        title="Enregistrer un manquement",
        here="Manquement",
        intro=[
            f"Ce sera le manquement n° {rank} de ce contrat. Conséquence : {consequence}.",
            "1er manquement : allocation du mois réduite de 25 % ; 2e : allocation d'un mois supprimée ; "
            "3e : fin du contrat.",
        ],
        form=form,
        submit="Enregistrer le manquement et mettre fin au contrat" if ends_contract else "Enregistrer le manquement",
        danger=ends_contract,
        refusal=refusal,
    )


@http_methods("GET", "POST")
@login_required
def cej_end_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _cej_action(request, public_id, contract_id, ContractAction.END)
    return _end_page(
        request,
        young_person=young_person,
        contract=contract,
        contract_url=cej_url(contract),
        refusal=refusal,
        end=lambda data: cej_end(
            actor=actor,
            contract=contract,
            ended_on=data["ended_on"],
            end_reason=data["end_reason"],
            comment=data.get("comment", ""),
        ),
        with_comment=True,
    )


def _end_page(
    request: HttpRequest,
    *,
    young_person: YoungPerson,
    contract: CejContract | PaceaContract,
    contract_url: str,
    refusal: str | None,
    end: Callable[[dict[str, Any]], object],
    with_comment: bool,
) -> HttpResponse:
    """Two steps: the form, then a confirmation page (nothing is written until it is confirmed)."""
    kind = "CEJ" if isinstance(contract, CejContract) else "PACEA"
    form = EndForm(_posted(request), with_comment=with_comment, initial={"ended_on": timezone.localdate()})
    if refusal is None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirmer") == "1":
            if _submitted(request, form, lambda: end(data)):
                messages.success(request, f"Le {kind} est terminé.")
                return redirect(contract_url)
        else:
            problems = end_errors(
                contract, ended_on=data["ended_on"], end_reason=data["end_reason"], comment=data.get("comment", "")
            )
            if problems:
                attach_errors(form, ValidationError(problems))
            else:
                return render(
                    request,
                    "cej/contracts/end_confirm.html",
                    {
                        "young_person": young_person,
                        "contract": contract,
                        "kind": kind,
                        "contract_url": contract_url,
                        "form": form,
                        "ended_on": data["ended_on"],
                        "end_reason": ContractEndReason(data["end_reason"]).label,
                    },
                )
    return _form_page(
        request,
        young_person=young_person,
        contract=contract,
        contract_url=contract_url,
        cancel_url=contract_url,
        title=f"Mettre fin au {kind}",
        here="Fin du contrat",
        intro=[
            f"Le {kind} court du {contract.starts_on:%d/%m/%Y} au {contract.planned_end_on:%d/%m/%Y}. "
            "Vous confirmerez la fin à l'étape suivante."
        ],
        form=form,
        submit="Continuer",
        refusal=refusal,
    )


@http_methods("GET", "POST")
@login_required
def structuring_step_add_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _cej_action(
        request, public_id, contract_id, ContractAction.ADD_STRUCTURING_STEP
    )
    form = StructuringStepForm(_posted(request), sites=e2c_sites())
    if refusal is None and _submitted(
        request, form, lambda: structuring_step_add(actor=actor, contract=contract, data=form.to_data())
    ):
        messages.success(request, "La solution structurante est ajoutée au CEJ.")
        return redirect(cej_url(contract))
    return _cej_page(
        request,
        young_person,
        contract,
        title="Ajouter une solution structurante",
        here="Solution structurante",
        intro=[
            "Quand la fin d'un parcours E2C est connue, le CEJ est prolongé jusqu'au dernier jour du 2e mois "
            "qui suit, même au-delà de 18 mois."
        ],
        form=form,
        submit="Ajouter",
        refusal=refusal,
    )


@http_methods("GET", "POST")
@login_required
def structuring_step_end_view(request: HttpRequest, public_id: str, contract_id: str, step_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _cej_action(
        request, public_id, contract_id, ContractAction.ADD_STRUCTURING_STEP
    )
    step = structuring_step_of(contract=contract, public_id=step_id)
    form = StepEndForm(_posted(request), initial={"ends_on": step.ends_on})
    if refusal is None and _submitted(
        request,
        form,
        lambda: structuring_step_end(actor=actor, step=step, ends_on=form.cleaned_data["ends_on"]),
    ):
        messages.success(request, f"La fin de « {step.label} » est enregistrée.")
        return redirect(cej_url(contract))
    intro = [f"« {step.label} », commencée le {step.starts_on:%d/%m/%Y}."]
    if step.is_e2c:
        intro.append("La fin d'un parcours E2C prolonge le CEJ jusqu'au dernier jour du 2e mois qui suit.")
    return _cej_page(
        request,
        young_person,
        contract,
        title="Enregistrer la fin d'une solution structurante",
        here="Fin de la solution structurante",
        intro=intro,
        form=form,
        submit="Enregistrer la fin",
        refusal=refusal,
    )


# --- PACEA ---------------------------------------------------------------------------------------


@http_methods("GET", "POST")
@login_required
def pacea_create_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor, young_person = _writable_file(request, public_id)
    if not can_sign_pacea(actor):
        raise PermissionDenied(PACEA_ML_ONLY)
    form = PaceaForm(
        _posted(request),
        referents=referent_candidates(actor),
        default_referent=actor.user if actor.role == Role.ADVISER else young_person.referent,
    )
    created: list[PaceaContract] = []
    if _submitted(
        request,
        form,
        lambda: created.append(pacea_create(actor=actor, young_person=young_person, data=form.to_data())),
    ):
        messages.success(request, f"Le PACEA {de(young_person)} est enregistré.")
        return redirect(pacea_url(created[0]))
    return _form_page(
        request,
        young_person=young_person,
        title="Signer un PACEA",
        here="Nouveau PACEA",
        intro=["Un PACEA dure au plus 24 mois consécutifs et ne chevauche jamais un CEJ ni un autre PACEA."],
        form=form,
        submit="Enregistrer le PACEA",
        cancel_url=reverse("cej:young_person_detail", kwargs={"public_id": young_person.public_id}),
    )


@http_methods("GET")
@login_required
def pacea_detail(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person = _file(request, public_id)
    contract = pacea_contract_of(young_person=young_person, public_id=contract_id)
    log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    # A restricted file (RGPD article 18) is read, not changed: no action buttons.
    can_edit = can_hold_files(actor) and not is_restricted(young_person.pk)
    return render(
        request,
        "cej/contracts/pacea_detail.html",
        {
            "young_person": young_person,
            "contract": contract,
            "phases": list(contract.phases.all()),
            "can_edit": can_edit,
            "can_add_phase": can_edit and can_apply(contract, ContractAction.ADD_PHASE),
            "can_end": can_edit and can_apply(contract, ContractAction.END),
        },
    )


def _pacea_action(
    request: HttpRequest, public_id: str, contract_id: str, action: ContractAction
) -> tuple[Actor, YoungPerson, PaceaContract, str | None]:
    actor, young_person = _writable_file(request, public_id)
    contract = pacea_contract_of(young_person=young_person, public_id=contract_id)
    return actor, young_person, contract, transition_refusal(contract, action)


@http_methods("GET", "POST")
@login_required
def pacea_phase_add_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _pacea_action(request, public_id, contract_id, ContractAction.ADD_PHASE)
    form = PaceaPhaseForm(_posted(request))
    if refusal is None and _submitted(
        request, form, lambda: pacea_phase_add(actor=actor, contract=contract, data=form.to_data())
    ):
        messages.success(request, "La phase est ajoutée au PACEA.")
        return redirect(pacea_url(contract))
    return _form_page(
        request,
        young_person=young_person,
        contract=contract,
        contract_url=pacea_url(contract),
        cancel_url=pacea_url(contract),
        title="Ajouter une phase au PACEA",
        here="Nouvelle phase",
        intro=[f"Le PACEA court du {contract.starts_on:%d/%m/%Y} au {contract.end_on:%d/%m/%Y}."],
        form=form,
        submit="Ajouter la phase",
        refusal=refusal,
    )


@http_methods("GET", "POST")
@login_required
def pacea_end_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    actor, young_person, contract, refusal = _pacea_action(request, public_id, contract_id, ContractAction.END)
    return _end_page(
        request,
        young_person=young_person,
        contract=contract,
        contract_url=pacea_url(contract),
        refusal=refusal,
        end=lambda data: pacea_end(
            actor=actor, contract=contract, ended_on=data["ended_on"], end_reason=data["end_reason"]
        ),
        with_comment=False,
    )


CEJ = "jeunes/<uuid:public_id>/cej/<uuid:contract_id>/"
PACEA = "jeunes/<uuid:public_id>/pacea/<uuid:contract_id>/"

urlpatterns: list[URLPattern] = [
    path("jeunes/<uuid:public_id>/cej/nouveau/", cej_create_view, name="cej_create"),
    path(CEJ, cej_detail, name="cej_detail"),
    path(f"{CEJ}prolonger/", cej_extend_view, name="cej_extend"),
    path(f"{CEJ}suspendre/", cej_suspend_view, name="cej_suspend"),
    path(f"{CEJ}reprendre/", cej_resume_view, name="cej_resume"),
    path(f"{CEJ}manquements/nouveau/", cej_breach_view, name="cej_breach"),
    path(f"{CEJ}fin/", cej_end_view, name="cej_end"),
    path(f"{CEJ}solutions/nouvelle/", structuring_step_add_view, name="structuring_step_add"),
    path(f"{CEJ}solutions/<uuid:step_id>/fin/", structuring_step_end_view, name="structuring_step_end"),
    path("jeunes/<uuid:public_id>/pacea/nouveau/", pacea_create_view, name="pacea_create"),
    path(PACEA, pacea_detail, name="pacea_detail"),
    path(f"{PACEA}phases/nouvelle/", pacea_phase_add_view, name="pacea_phase_add"),
    path(f"{PACEA}fin/", pacea_end_view, name="pacea_end"),
]
