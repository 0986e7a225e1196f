"""The pages shared by the imports: upload, example file, preview, apply or cancel, history.

An application describes its import once with ``ImportViews`` (its access check, form, services,
selectors, URL namespace, templates and French messages) and gets the views and their URLs; the
rules of the import (columns, validation, who may import what) stay in the application.
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
from pagination.keyset import KeysetPage


class StoredImport(Protocol):
    @property
    def public_id(self) -> uuid.UUID: ...


ActorT = TypeVar("ActorT")
ImportT = TypeVar("ImportT", bound=StoredImport)


def plural(count: int, singular: str, plural: str) -> str:
    """``count`` followed by the singular (0 and 1, as in French) or the plural."""
    return f"{count} {singular if count < 2 else plural}"


@dataclasses.dataclass(frozen=True)
class ImportViews(Generic[ActorT, ImportT]):
    """One application's import pages. Every view declares its methods (405 otherwise, before anything else),
    then checks access (403), then the import (404): ``actor`` raises ``PermissionDenied`` for a forbidden role
    and ``get`` ``Http404`` out of scope.
    """

    namespace: str  # the URL namespace: "partners" gives "partners:import_preview"…
    template_dir: str  # "partners/imports" holds upload.html, preview.html and list.html
    context_name: str  # the name of the import in the preview page's context
    form_class: type[forms.Form]  # a form with a "file" field
    example_file: Path
    actor: Callable[[HttpRequest], ActorT]
    create: Callable[[ActorT, str, bytes], ImportT]  # (actor, filename, content)
    get: Callable[[ActorT, str], ImportT]  # (actor, public_id)
    report: Callable[[ImportT], Any]
    history: Callable[[ActorT, str | None, str | None], KeysetPage[Any]]  # (actor, after, before)
    apply: Callable[[ActorT, ImportT], ImportT]
    cancel: Callable[[ActorT, ImportT], object]
    applied_message: Callable[[ImportT], str]
    cancelled_message: Callable[[ImportT], str]

    def _redirect_to_preview(self, record: ImportT) -> HttpResponse:
        return redirect(f"{self.namespace}:import_preview", public_id=record.public_id)

    def upload(self, request: HttpRequest) -> HttpResponse:
        actor = self.actor(request)
        form = self.form_class(request.POST, request.FILES) if request.method == "POST" else self.form_class()
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = self.create(actor, upload.name or "", upload.read())
            except ValidationError as error:
                form.add_error("file", error.messages)
            else:
                return self._redirect_to_preview(record)
        return render(request, f"{self.template_dir}/upload.html", {"form": form})

    def example(self, request: HttpRequest) -> HttpResponse:
        self.actor(request)
        response = HttpResponse(self.example_file.read_bytes(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.example_file.name}"'
        return response

    def preview(self, request: HttpRequest, public_id: str) -> HttpResponse:
        actor = self.actor(request)
        record = self.get(actor, public_id)
        return render(
            request, f"{self.template_dir}/preview.html", {self.context_name: record, "report": self.report(record)}
        )

    def apply_view(self, request: HttpRequest, public_id: str) -> HttpResponse:
        actor = self.actor(request)
        record = self.get(actor, public_id)
        try:
            applied = self.apply(actor, record)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.applied_message(applied))
        return self._redirect_to_preview(record)

    def cancel_view(self, request: HttpRequest, public_id: str) -> HttpResponse:
        actor = self.actor(request)
        record = self.get(actor, public_id)
        try:
            self.cancel(actor, record)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self._redirect_to_preview(record)
        messages.success(request, self.cancelled_message(record))
        return redirect(f"{self.namespace}:import_list")

    def history_view(self, request: HttpRequest) -> HttpResponse:
        actor = self.actor(request)
        page = self.history(actor, request.GET.get("apres"), request.GET.get("avant"))
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
