"""Importing the directory from a CSV file (administrators): upload, preview, apply or cancel, history."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from partners.access import Actor, Capability, actor_for
from partners.forms.imports import DirectoryImportForm
from partners.selectors.imports import (
    directory_import_for_actor,
    directory_import_report,
    directory_imports_for_history,
)
from partners.services.imports import directory_import_apply, directory_import_cancel, directory_import_create

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "exemple-import-annuaire.csv"


def _administrator(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    actor.require(Capability.MANAGE_DIRECTORY)
    return actor


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count < 2 else plural}"


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = DirectoryImportForm(request.POST, request.FILES) if request.method == "POST" else DirectoryImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            directory_import = directory_import_create(actor=actor, filename=upload.name or "", content=upload.read())
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("partners:import_preview", public_id=directory_import.public_id)
    return render(request, "partners/imports/upload.html", {"form": form})


@login_required
def import_example(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    response = HttpResponse(EXAMPLE_FILE.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{EXAMPLE_FILE.name}"'
    return response


@login_required
def import_preview(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _administrator(request)
    directory_import = directory_import_for_actor(actor=actor, public_id=public_id)
    return render(
        request,
        "partners/imports/preview.html",
        {"directory_import": directory_import, "report": directory_import_report(directory_import)},
    )


@login_required
def import_apply(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _administrator(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    directory_import = directory_import_for_actor(actor=actor, public_id=public_id)
    try:
        applied = directory_import_apply(actor=actor, directory_import=directory_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "L'import est appliqué : "
            f"{_plural(applied.created_count, 'organisation créée', 'organisations créées')}, "
            f"{_plural(applied.updated_count, 'mise à jour', 'mises à jour')}, "
            f"{_plural(applied.unchanged_count, 'inchangée', 'inchangées')}.",
        )
    return redirect("partners:import_preview", public_id=directory_import.public_id)


@login_required
def import_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _administrator(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    directory_import = directory_import_for_actor(actor=actor, public_id=public_id)
    try:
        directory_import_cancel(actor=actor, directory_import=directory_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("partners:import_preview", public_id=directory_import.public_id)
    messages.success(
        request, f"L'import du fichier « {directory_import.filename} » est annulé : l'annuaire est inchangé."
    )
    return redirect("partners:import_list")


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    page = directory_imports_for_history(actor=actor, after=request.GET.get("apres"), before=request.GET.get("avant"))
    return render(request, "partners/imports/list.html", {"page": page})


# Forbidden roles get 403 before anything else; an administrator's GET on a POST-only URL gets 405.
urlpatterns: list[URLPattern] = [
    path("annuaire/import/", import_upload, name="import_upload"),
    path("annuaire/import/exemple.csv", import_example, name="import_example"),
    path("annuaire/import/<uuid:public_id>/", import_preview, name="import_preview"),
    path("annuaire/import/<uuid:public_id>/appliquer/", import_apply, name="import_apply"),
    path("annuaire/import/<uuid:public_id>/annuler/", import_cancel, name="import_cancel"),
    path("annuaire/imports/", import_list, name="import_list"),
]
