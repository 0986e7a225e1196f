"""The access log for administrators: filter by record or by user, page newest first, export."""

from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from audit.access import can_read_access_log
from audit.models import AccessLog
from audit.selectors import access_log
from audit.services import log_access_log_export, retention_days
from common.actors import Actor, actor_for
from common.http_methods import http_methods
from exports.spreadsheet import csv_writer
from pagination.keyset import paginate
from throttle.guard import per_account, refusal_per_account
from throttle.limits import EXPORTS, SEARCHES

EXPORT_LIMIT = 100_000


class AccessLogFilter(forms.Form):
    object_id = forms.UUIDField(
        label="Identifiant du jeune ou du document",
        required=False,
        help_text="L'identifiant (UUID) figurant dans l'adresse de la fiche ou de l'export.",
        error_messages={"invalid": "Saisissez un identifiant au format 8-4-4-4-12 caractères."},
    )
    user_email = forms.EmailField(label="Adresse e-mail de l'utilisateur", required=False)


def _reader(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    if not can_read_access_log(actor):
        raise PermissionDenied("Le journal des accès est réservé aux administrateurs.")
    return actor


def _filtered(form: AccessLogFilter) -> tuple[bool, QuerySet[AccessLog]]:
    if not form.is_valid():
        return False, AccessLog.objects.none()
    data = form.cleaned_data
    if not data.get("object_id") and not data.get("user_email"):
        return False, AccessLog.objects.none()
    return True, access_log(object_id=data.get("object_id"), user_email=data.get("user_email") or "")


@http_methods("GET")
@login_required
def access_log_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = AccessLogFilter(request.GET or None)
    searched, rows = _filtered(form)
    if searched and (refusal := refusal_per_account(request, SEARCHES)) is not None:
        return refusal
    page = (
        paginate(
            rows,
            keys=("created_at", "id"),
            after=request.GET.get("apres"),
            before=request.GET.get("avant"),
            descending=True,
        )
        if searched
        else None
    )
    return render(
        request,
        "audit/access_log.html",
        {"form": form, "page": page, "searched": searched, "retention_days": retention_days()},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@http_methods("GET")
@login_required
@per_account(EXPORTS)
def access_log_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """CSV (UTF-8 with BOM, « ; ») of the filtered rows, newest first; the export is itself logged."""
    actor = _reader(request)
    form = AccessLogFilter(request.GET or None)
    searched, rows = _filtered(form)
    if not searched:  # an address typed without a filter: back to the page, told what is missing
        messages.warning(request, "Choisissez un jeune, un document ou un utilisateur avant d'exporter.")
        return redirect("audit:access_log")
    log_access_log_export(actor=actor, object_id=form.cleaned_data.get("object_id"))
    writer = csv_writer(_Echo(), delimiter=";")

    def lines() -> Iterator[str]:
        header = ["Date", "Utilisateur", "Structure", "Objet", "Identifiant", "Motif", "Jeunes affichés"]
        yield "\ufeff" + writer.writerow(header)
        for row in rows.order_by("-created_at", "-id")[:EXPORT_LIMIT].iterator():
            yield writer.writerow(
                [
                    timezone.localtime(row.created_at).strftime("%d/%m/%Y %H:%M:%S"),
                    row.user.email,
                    row.organisation.name if row.organisation else "",
                    row.listing_label or row.object_type,
                    str(row.object_id),
                    row.get_purpose_display(),
                    " ".join(str(shown) for shown in row.shown),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journal-des-acces-{timezone.localdate():%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("journal-des-acces/", access_log_list, name="access_log"),
    path("journal-des-acces/export.csv", access_log_export, name="access_log_export"),
]
