"""The pages shared by the imports: upload, example file, preview, apply or cancel, history.

An application describes its import pages once with ``ImportViews`` (its import pipeline, form,
selectors, URL namespace and French words) and gets the views and their URLs; the rules of the
import (columns, validation, who may import what) stay in the application's ``CsvImport``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from common.http_methods import http_methods
from csvimport.pipeline import CsvImport, Importer
from pagination.keyset import KeysetPage


class StoredImport(Protocol):
    @property
    def public_id(self) -> uuid.UUID: ...

    @property
    def filename(self) -> str: ...

    @property
    def created_count(self) -> int: ...

    @property
    def updated_count(self) -> int: ...

    @property
    def unchanged_count(self) -> int: ...


ActorT = TypeVar("ActorT", bound=Importer)
ImportT = TypeVar("ImportT", bound=StoredImport)


def plural(count: int, singular: str, plural: str) -> str:
    """``count`` followed by the singular (0 and 1, as in French) or the plural."""
    return f"{count} {singular if count < 2 else plural}"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How the messages name what an import did, in French: (singular, plural) for each count."""

    created: tuple[str, str]  # ("organisation créée", "organisations créées")
    updated: tuple[str, str]
    unchanged: tuple[str, str]
    untouched: str  # after a cancel: "l'annuaire est inchangé"

    def applied(self, record: StoredImport) -> str:
        return (
            "L'import est appliqué : "
            f"{plural(record.created_count, *self.created)}, "
            f"{plural(record.updated_count, *self.updated)}, "
            f"{plural(record.unchanged_count, *self.unchanged)}."
        )

    def cancelled(self, record: StoredImport) -> str:
        return f"L'import du fichier « {record.filename} » est annulé : {self.untouched}."


@dataclasses.dataclass(frozen=True)
class ImportViews(Generic[ActorT, ImportT]):
    """One application's import pages. Every view declares its methods (405 otherwise, before anything else),
    then checks access (403: the pipeline's ``require``), then the import (404: ``get`` raises ``Http404``
    out of scope).
    """

    namespace: str  # the URL namespace: "partners" gives "partners:import_preview"…, and the templates' folder
    form_class: type[forms.Form]  # a form with a "file" field
    example_file: Path
    pipeline: CsvImport[ActorT, Any, Any]  # its services: preview, apply, cancel, and its access check
    actor: Callable[[HttpRequest], ActorT]  # who acts (the pipeline says whether they may)
    get: Callable[..., ImportT]  # (*, actor, public_id): a selector
    report: Callable[[ImportT], Any]
    history: Callable[..., KeysetPage[Any]]  # (*, actor, after, before): a selector
    outcome: Outcome

    @property
    def template_dir(self) -> str:
        return f"{self.namespace}/imports"  # holds upload.html, preview.html and list.html

    def _importer(self, request: HttpRequest) -> ActorT:
        actor = self.actor(request)
        self.pipeline.require(actor)
        return actor

    def _redirect_to_preview(self, record: ImportT) -> HttpResponse:
        return redirect(f"{self.namespace}:import_preview", public_id=record.public_id)

    def upload(self, request: HttpRequest) -> HttpResponse:
        actor = self._importer(request)
        form = self.form_class(request.POST, request.FILES) if request.method == "POST" else self.form_class()
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = self.pipeline.preview(actor=actor, filename=upload.name or "", content=upload.read())
            except ValidationError as error:
                form.add_error("file", error.messages)
            else:
                return self._redirect_to_preview(record)
        return render(request, f"{self.template_dir}/upload.html", {"form": form, "namespace": self.namespace})

    def example(self, request: HttpRequest) -> HttpResponse:
        self._importer(request)
        response = HttpResponse(self.example_file.read_bytes(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.example_file.name}"'
        return response

    def preview(self, request: HttpRequest, public_id: str) -> HttpResponse:
        actor = self._importer(request)
        record = self.get(actor=actor, public_id=public_id)
        # The page extends csvimport/preview.html: the pipeline's words say what may change meanwhile.
        context = {"record": record, "report": self.report(record), "namespace": self.namespace}
        return render(request, f"{self.template_dir}/preview.html", {**context, "changed": self.pipeline.changed})

    def apply_view(self, request: HttpRequest, public_id: str) -> HttpResponse:
        actor = self._importer(request)
        record = self.get(actor=actor, public_id=public_id)
        try:
            applied = self.pipeline.apply(actor=actor, record=record)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.outcome.applied(applied))
        return self._redirect_to_preview(record)

    def cancel_view(self, request: HttpRequest, public_id: str) -> HttpResponse:
        actor = self._importer(request)
        record = self.get(actor=actor, public_id=public_id)
        try:
            self.pipeline.cancel(actor=actor, record=record)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self._redirect_to_preview(record)
        messages.success(request, self.outcome.cancelled(record))
        return redirect(f"{self.namespace}:import_list")

    def history_view(self, request: HttpRequest) -> HttpResponse:
        actor = self._importer(request)
        page = self.history(actor=actor, after=request.GET.get("apres"), before=request.GET.get("avant"))
        return render(request, f"{self.template_dir}/list.html", {"page": page})

    def urlpatterns(self, *, one: str, history: str) -> list[URLPattern]:
        """The six URLs, all behind login: ``one`` is the upload page ("annuaire/import/") under which each import
        has its pages, ``history`` the list of imports ("annuaire/imports/")."""
        return [
            path(one, http_methods("GET", "POST")(login_required(self.upload)), name="import_upload"),
            path(f"{one}exemple.csv", http_methods("GET")(login_required(self.example)), name="import_example"),
            path(f"{one}<uuid:public_id>/", http_methods("GET")(login_required(self.preview)), name="import_preview"),
            path(
                f"{one}<uuid:public_id>/appliquer/",
                http_methods("POST")(login_required(self.apply_view)),
                name="import_apply",
            ),
            path(
                f"{one}<uuid:public_id>/annuler/",
                http_methods("POST")(login_required(self.cancel_view)),
                name="import_cancel",
            ),
            path(history, http_methods("GET")(login_required(self.history_view)), name="import_list"),
        ]
