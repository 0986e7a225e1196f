"""Importing young people's files from an i-milo style export: upload, preview, apply or cancel, history.

ML and France Travail advisers and managers import into their own organisation only.
"""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from cej.forms.imports import YoungPeopleImportForm
from cej.selectors.imports import (
    young_people_import_for_actor,
    young_people_import_report,
    young_people_imports_for_history,
)
from cej.services.imports import (
    young_people_import_apply,
    young_people_import_cancel,
    young_people_import_create,
)
from cej.services.young_people import require_file_holder
from partners.access import Actor, actor_for

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "exemple-export-imilo.csv"


def _file_holder(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    require_file_holder(actor)
    return actor


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count < 2 else plural}"


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    actor = _file_holder(request)
    form = YoungPeopleImportForm(request.POST, request.FILES) if request.method == "POST" else YoungPeopleImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            young_people_import = young_people_import_create(
                actor=actor, filename=upload.name or "", content=upload.read()
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("cej:import_preview", public_id=young_people_import.public_id)
    return render(request, "cej/imports/upload.html", {"form": form})


@login_required
def import_example(request: HttpRequest) -> HttpResponse:
    _file_holder(request)
    response = HttpResponse(EXAMPLE_FILE.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{EXAMPLE_FILE.name}"'
    return response


@login_required
def import_preview(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _file_holder(request)
    young_people_import = young_people_import_for_actor(actor=actor, public_id=public_id)
    return render(
        request,
        "cej/imports/preview.html",
        {"young_people_import": young_people_import, "report": young_people_import_report(young_people_import)},
    )


@login_required
def import_apply(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _file_holder(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    young_people_import = young_people_import_for_actor(actor=actor, public_id=public_id)
    try:
        applied = young_people_import_apply(actor=actor, young_people_import=young_people_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "L'import est appliqué : "
            f"{_plural(applied.created_count, 'dossier ouvert', 'dossiers ouverts')}, "
            f"{_plural(applied.updated_count, 'mis à jour', 'mis à jour')}, "
            f"{_plural(applied.unchanged_count, 'inchangé', 'inchangés')}.",
        )
    return redirect("cej:import_preview", public_id=young_people_import.public_id)


@login_required
def import_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _file_holder(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    young_people_import = young_people_import_for_actor(actor=actor, public_id=public_id)
    try:
        young_people_import_cancel(actor=actor, young_people_import=young_people_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cej:import_preview", public_id=young_people_import.public_id)
    messages.success(
        request, f"L'import du fichier « {young_people_import.filename} » est annulé : aucun dossier n'a été modifié."
    )
    return redirect("cej:import_list")


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    actor = _file_holder(request)
    page = young_people_imports_for_history(
        actor=actor, after=request.GET.get("apres"), before=request.GET.get("avant")
    )
    return render(request, "cej/imports/list.html", {"page": page})


# Forbidden roles get 403 before anything else; a file holder's GET on a POST-only URL gets 405.
urlpatterns: list[URLPattern] = [
    path("jeunes/import/", import_upload, name="import_upload"),
    path("jeunes/import/exemple.csv", import_example, name="import_example"),
    path("jeunes/import/<uuid:public_id>/", import_preview, name="import_preview"),
    path("jeunes/import/<uuid:public_id>/appliquer/", import_apply, name="import_apply"),
    path("jeunes/import/<uuid:public_id>/annuler/", import_cancel, name="import_cancel"),
    path("jeunes/imports/", import_list, name="import_list"),
]
