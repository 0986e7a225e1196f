"""Retention for administrators: the durations, what the next monthly run would do, past runs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from common.http_methods import http_methods
from partners.access import Actor, actor_for
from retention import selectors, services
from retention.access import require_retention_manager
from retention.enums import RetentionCategory
from retention.erasure import last_erasure_requests
from retention.forms import RetentionPolicyForm


def _manager(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    require_retention_manager(actor)
    return actor


@http_methods("GET")
@login_required
def retention_overview(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    return render(
        request,
        "retention/overview.html",
        {
            "policies": list(selectors.policies().values()),
            "report": selectors.report(timezone.localdate()),
            "changes": selectors.policy_changes_for(actor),
            "runs": selectors.runs_for(actor),
            "erasure_requests": last_erasure_requests(actor),
        },
    )


@http_methods("GET", "POST")
@login_required
def retention_policy_edit(request: HttpRequest, category: str) -> HttpResponse:
    actor = _manager(request)
    if category not in RetentionCategory.values:
        raise Http404
    policy = selectors.policies()[category]
    form = RetentionPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        services.policy_update(
            actor=actor, policy=policy, duration=form.cleaned_data["duration"], unit=form.cleaned_data["unit"]
        )
        messages.success(request, "La durée de conservation est enregistrée.")
        return redirect("retention:overview")
    return render(request, "retention/policy_form.html", {"form": form, "policy": policy})
