"""CEJ and PACEA contracts of a young person's file: sign, view, extend, suspend and resume, record
breaches, add structuring steps and PACEA phases, end (after a confirmation page).

Every page fetches the file with ``young_person_for_actor`` (404 outside the actor's scope) and the
contract through that file (404 otherwise); every write needs a file holder (403 for other roles).
The pages of both kinds share one shape: ``_ContractAction`` fetches the contract, asks the workflow
whether the action is possible now, and renders the form or redirects after the service.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from audit.models import AccessLog
from audit.services import log_access
from cej.access import (
    can_edit_file,
    default_referent,
    require_file_holder,
    require_pacea_signer,
)
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
    cej_timeline,
    contract_of,
    current_allowance,
    e2c_sites,
    referent_candidates,
    structuring_step_of,
)
from cej.selectors.young_people import young_person_for_actor
from cej.services.cej_contracts import (
    BREACH_CONSEQUENCES,
    BREACH_ENDING_RANK,
    cej_create,
    cej_extend,
    cej_max_end,
    cej_record_breach,
    cej_resume,
    cej_suspend,
    next_breach_rank,
)
from cej.services.contract_base import ADULT_AGE, end_contract, end_errors
from cej.services.pacea_contracts import pacea_create, pacea_phase_add
from cej.services.restrictions import is_restricted
from cej.services.structuring_steps import structuring_step_add, structuring_step_end
from cej.workflow import ContractAction, contract_actions, transition_refusal
from common.forms import attach_errors
from common.forms import submitted_data as _posted
from common.http_methods import http_methods
from partners.access import Actor, actor_for
from partners.french import de

FORM_TEMPLATE = "cej/contracts/form.html"
DETAIL_URL_NAMES: dict[type[CejContract] | type[PaceaContract], str] = {
    CejContract: "cej:cej_detail",
    PaceaContract: "cej:pacea_detail",
}


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


def contract_url(contract: CejContract | PaceaContract) -> str:
    return reverse(
        DETAIL_URL_NAMES[type(contract)],
        kwargs={"public_id": contract.young_person.public_id, "contract_id": contract.public_id},
    )


def _default_category(young_person: YoungPerson) -> str:
    return AllowanceCategory.MINOR if young_person.age < ADULT_AGE else AllowanceCategory.ADULT_NON_TAXABLE


def _sign_page(
    request: HttpRequest,
    *,
    young_person: YoungPerson,
    form: forms.Form,
    create: Callable[[], CejContract | PaceaContract],
    **context: object,
) -> HttpResponse:
    """The form signing a new contract of either kind; the contract's page once signed."""
    created: list[CejContract | PaceaContract] = []
    if _submitted(request, form, lambda: created.append(create())):
        messages.success(request, f"Le {created[0].KIND} {de(young_person)} est enregistré.")
        return redirect(contract_url(created[0]))
    return _form_page(
        request,
        young_person=young_person,
        form=form,
        cancel_url=reverse("cej:young_person_detail", kwargs={"public_id": young_person.public_id}),
        **context,
    )


@http_methods("GET", "POST")
@login_required
def cej_create_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor, young_person = _writable_file(request, public_id)
    form = CejForm(
        _posted(request),
        referents=referent_candidates(actor),
        default_referent=default_referent(actor, young_person),
        initial={"allowance_category": _default_category(young_person)},
    )
    return _sign_page(
        request,
        young_person=young_person,
        form=form,
        create=lambda: cej_create(actor=actor, young_person=young_person, data=form.to_data()),
        title="Signer un contrat d'engagement jeune (CEJ)",
        here="Nouveau CEJ",
        intro=[
            "Un CEJ dure de 6 à 12 mois (18 mois au plus avec les prolongations), pour 15 à 20 heures "
            "d'activité par semaine. Il s'adresse aux jeunes de 16 à 25 ans révolus (29 ans avec une RQTH) ; "
            "un nouveau CEJ est possible 6 mois après la fin du précédent, et jamais pendant un PACEA."
        ],
        submit="Enregistrer le CEJ",
    )


@http_methods("GET", "POST")
@login_required
def pacea_create_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor, young_person = _file(request, public_id)
    require_pacea_signer(actor)
    form = PaceaForm(
        _posted(request),
        referents=referent_candidates(actor),
        default_referent=default_referent(actor, young_person),
    )
    return _sign_page(
        request,
        young_person=young_person,
        form=form,
        create=lambda: pacea_create(actor=actor, young_person=young_person, data=form.to_data()),
        title="Signer un PACEA",
        here="Nouveau PACEA",
        intro=["Un PACEA dure au plus 24 mois consécutifs et ne chevauche jamais un CEJ ni un autre PACEA."],
        submit="Enregistrer le PACEA",
    )


def _contract_page(
    request: HttpRequest, public_id: str, contract_id: str, model: type[CejContract] | type[PaceaContract]
) -> tuple[Actor, YoungPerson, Any, bool]:
    """A contract's page: the file and its contract (404 otherwise), the consultation logged, and
    whether the actor may act on it."""
    actor, young_person = _file(request, public_id)
    contract = contract_of(model, young_person=young_person, public_id=contract_id)
    log_access(actor=actor, record=young_person, purpose=AccessLog.Purpose.VIEW_FILE)
    # A restricted file (RGPD article 18) is read, not changed: no action buttons.
    return actor, young_person, contract, can_edit_file(actor, restricted=is_restricted(young_person.pk))


@http_methods("GET")
@login_required
def cej_detail(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    _actor, young_person, contract, editable = _contract_page(request, public_id, contract_id, CejContract)
    events = cej_timeline(contract)
    today = timezone.localdate()
    schedule = allowance_schedule(contract, birth_date=young_person.birth_date, events=events, rates=allowance_rates())
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
            "can_edit": editable,
            "actions": contract_actions(contract, editable=editable),
        },
    )


@http_methods("GET")
@login_required
def pacea_detail(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    _actor, young_person, contract, editable = _contract_page(request, public_id, contract_id, PaceaContract)
    actions = contract_actions(contract, editable=editable)
    return render(
        request,
        "cej/contracts/pacea_detail.html",
        {
            "young_person": young_person,
            "contract": contract,
            "phases": list(contract.phases.all()),
            "can_edit": editable,
            "can_add_phase": actions[ContractAction.ADD_PHASE.value],
            "can_end": actions[ContractAction.END.value],
        },
    )


@dataclasses.dataclass
class _ContractAction:
    """An action on a contract of either kind: the file (404), the right to write (403), the contract
    (404), and the workflow's refusal when the contract's status does not allow the action now."""

    request: HttpRequest
    actor: Actor
    young_person: YoungPerson
    contract: Any  # CejContract or PaceaContract, as ``model`` says
    refusal: str | None

    @classmethod
    def of(
        cls,
        request: HttpRequest,
        public_id: str,
        contract_id: str,
        action: ContractAction,
        model: type[CejContract] | type[PaceaContract] = CejContract,
    ) -> _ContractAction:
        actor, young_person = _writable_file(request, public_id)
        contract = contract_of(model, young_person=young_person, public_id=contract_id)
        return cls(request, actor, young_person, contract, transition_refusal(contract, action))

    @property
    def url(self) -> str:
        return contract_url(self.contract)

    def submitted(self, form: forms.Form, write: Callable[[], object]) -> bool:
        return self.refusal is None and _submitted(self.request, form, write)

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(self.url)

    def page(self, **context: object) -> HttpResponse:
        return _form_page(
            self.request,
            young_person=self.young_person,
            contract=self.contract,
            contract_url=self.url,
            cancel_url=self.url,
            refusal=self.refusal,
            **context,
        )


@http_methods("GET", "POST")
@login_required
def cej_extend_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    act = _ContractAction.of(request, public_id, contract_id, ContractAction.EXTEND)
    form = ExtendForm(_posted(request))
    if act.submitted(
        form,
        lambda: cej_extend(
            actor=act.actor,
            contract=act.contract,
            new_end_on=form.cleaned_data["new_end_on"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        return act.done("Le CEJ est prolongé.")
    return act.page(
        title="Prolonger le CEJ",
        here="Prolonger",
        intro=[
            f"Fin prévue actuelle : {act.contract.planned_end_on:%d/%m/%Y}. Un CEJ dure au plus 18 mois au total : "
            f"la fin prévue ne peut pas dépasser le {cej_max_end(act.contract):%d/%m/%Y}."
        ],
        form=form,
        submit="Prolonger le CEJ",
    )


# Suspension and resumption: the same page, a date and a reason, around their service.
SUSPEND_OR_RESUME: dict[ContractAction, dict[str, Any]] = {
    ContractAction.SUSPEND: {
        "form": SuspendForm,
        "service": cej_suspend,
        "success": "Le CEJ est suspendu.",
        "page": {
            "title": "Suspendre le CEJ",
            "here": "Suspendre",
            "intro": ["Le contrat reste suspendu jusqu'à sa reprise, enregistrée depuis la page du contrat."],
            "submit": "Suspendre le CEJ",
        },
    },
    ContractAction.RESUME: {
        "form": ResumeForm,
        "service": cej_resume,
        "success": "Le CEJ a repris.",
        "page": {"title": "Reprendre le CEJ", "here": "Reprendre", "submit": "Enregistrer la reprise"},
    },
}


def _suspend_or_resume(request: HttpRequest, public_id: str, contract_id: str, action: ContractAction) -> HttpResponse:
    spec = SUSPEND_OR_RESUME[action]
    act = _ContractAction.of(request, public_id, contract_id, action)
    form = spec["form"](_posted(request), initial={"occurred_on": timezone.localdate()})
    if act.submitted(
        form,
        lambda: spec["service"](
            actor=act.actor,
            contract=act.contract,
            occurred_on=form.cleaned_data["occurred_on"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        return act.done(spec["success"])
    return act.page(form=form, **spec["page"])


@http_methods("GET", "POST")
@login_required
def cej_suspend_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    return _suspend_or_resume(request, public_id, contract_id, ContractAction.SUSPEND)


@http_methods("GET", "POST")
@login_required
def cej_resume_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    return _suspend_or_resume(request, public_id, contract_id, ContractAction.RESUME)


@http_methods("GET", "POST")
@login_required
def cej_breach_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    act = _ContractAction.of(request, public_id, contract_id, ContractAction.RECORD_BREACH)
    rank = next_breach_rank(act.contract)
    ends_contract = rank >= BREACH_ENDING_RANK
    form = BreachForm(_posted(request), ends_contract=ends_contract)
    if act.submitted(
        form,
        lambda: cej_record_breach(
            actor=act.actor,
            contract=act.contract,
            occurred_on=form.cleaned_data["occurred_on"],
            reason=form.cleaned_data["reason"],
            expected_rank=rank,
        ),
    ):
        return act.done(f"Le manquement n° {rank} est enregistré : {BREACH_CONSEQUENCES[rank]}.")
    return act.page(
        title="Enregistrer un manquement",
        here="Manquement",
        intro=[
            f"Ce sera le manquement n° {rank} de ce contrat. Conséquence : {BREACH_CONSEQUENCES.get(rank, '')}.",
            "1er manquement : allocation du mois réduite de 25 % ; 2e : allocation d'un mois supprimée ; "
            "3e : fin du contrat.",
        ],
        form=form,
        submit="Enregistrer le manquement et mettre fin au contrat" if ends_contract else "Enregistrer le manquement",
        danger=ends_contract,
    )


@http_methods("GET", "POST")
@login_required
def contract_end_view(
    request: HttpRequest, public_id: str, contract_id: str, model: type[CejContract] | type[PaceaContract]
) -> HttpResponse:
    """Two steps: the form, then a confirmation page (nothing is written until it is confirmed).
    A CEJ's end takes a comment (its timeline shows it); a PACEA's does not."""
    act = _ContractAction.of(request, public_id, contract_id, ContractAction.END, model)
    contract, kind = act.contract, model.KIND
    form = EndForm(_posted(request), with_comment=model is CejContract, initial={"ended_on": timezone.localdate()})
    if act.refusal is None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirmer") == "1":
            if act.submitted(
                form,
                lambda: end_contract(
                    actor=act.actor,
                    contract=contract,
                    ended_on=data["ended_on"],
                    end_reason=data["end_reason"],
                    comment=data.get("comment", ""),
                ),
            ):
                return act.done(f"Le {kind} est terminé.")
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
                        "young_person": act.young_person,
                        "contract": contract,
                        "kind": kind,
                        "contract_url": act.url,
                        "form": form,
                        "ended_on": data["ended_on"],
                        "end_reason": ContractEndReason(data["end_reason"]).label,
                    },
                )
    return act.page(
        title=f"Mettre fin au {kind}",
        here="Fin du contrat",
        intro=[
            f"Le {kind} court du {contract.starts_on:%d/%m/%Y} au {contract.planned_end_on:%d/%m/%Y}. "
            "Vous confirmerez la fin à l'étape suivante."
        ],
        form=form,
        submit="Continuer",
    )


@http_methods("GET", "POST")
@login_required
def structuring_step_add_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    act = _ContractAction.of(request, public_id, contract_id, ContractAction.ADD_STRUCTURING_STEP)
    form = StructuringStepForm(_posted(request), sites=e2c_sites())
    if act.submitted(form, lambda: structuring_step_add(actor=act.actor, contract=act.contract, data=form.to_data())):
        return act.done("La solution structurante est ajoutée au CEJ.")
    return act.page(
        title="Ajouter une solution structurante",
        here="Solution structurante",
        intro=[
            "Quand la fin d'un parcours E2C est connue, le CEJ est prolongé jusqu'au dernier jour du 2e mois "
            "qui suit, même au-delà de 18 mois."
        ],
        form=form,
        submit="Ajouter",
    )


@http_methods("GET", "POST")
@login_required
def structuring_step_end_view(request: HttpRequest, public_id: str, contract_id: str, step_id: str) -> HttpResponse:
    act = _ContractAction.of(request, public_id, contract_id, ContractAction.ADD_STRUCTURING_STEP)
    step = structuring_step_of(contract=act.contract, public_id=step_id)
    form = StepEndForm(_posted(request), initial={"ends_on": step.ends_on})
    if act.submitted(
        form, lambda: structuring_step_end(actor=act.actor, step=step, ends_on=form.cleaned_data["ends_on"])
    ):
        return act.done(f"La fin de « {step.label} » est enregistrée.")
    intro = [f"« {step.label} », commencée le {step.starts_on:%d/%m/%Y}."]
    if step.is_e2c:
        intro.append("La fin d'un parcours E2C prolonge le CEJ jusqu'au dernier jour du 2e mois qui suit.")
    return act.page(
        title="Enregistrer la fin d'une solution structurante",
        here="Fin de la solution structurante",
        intro=intro,
        form=form,
        submit="Enregistrer la fin",
    )


@http_methods("GET", "POST")
@login_required
def pacea_phase_add_view(request: HttpRequest, public_id: str, contract_id: str) -> HttpResponse:
    act = _ContractAction.of(request, public_id, contract_id, ContractAction.ADD_PHASE, PaceaContract)
    form = PaceaPhaseForm(_posted(request))
    if act.submitted(form, lambda: pacea_phase_add(actor=act.actor, contract=act.contract, data=form.to_data())):
        return act.done("La phase est ajoutée au PACEA.")
    return act.page(
        title="Ajouter une phase au PACEA",
        here="Nouvelle phase",
        intro=[f"Le PACEA court du {act.contract.starts_on:%d/%m/%Y} au {act.contract.end_on:%d/%m/%Y}."],
        form=form,
        submit="Ajouter la phase",
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
    path(f"{CEJ}fin/", contract_end_view, {"model": CejContract}, name="cej_end"),
    path(f"{CEJ}solutions/nouvelle/", structuring_step_add_view, name="structuring_step_add"),
    path(f"{CEJ}solutions/<uuid:step_id>/fin/", structuring_step_end_view, name="structuring_step_end"),
    path("jeunes/<uuid:public_id>/pacea/nouveau/", pacea_create_view, name="pacea_create"),
    path(PACEA, pacea_detail, name="pacea_detail"),
    path(f"{PACEA}phases/nouvelle/", pacea_phase_add_view, name="pacea_phase_add"),
    path(f"{PACEA}fin/", contract_end_view, {"model": PaceaContract}, name="pacea_end"),
]
