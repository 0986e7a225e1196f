"""The kinds of export: name → how to build the file. Any app registers its own kinds.

A builder is ``builder(job, output, progress) -> None``: it reads ``job.parameters`` (and the actor
through ``exports.services.job_actor(job)``), writes the file's bytes to ``output`` (a binary file
opened by the service) and calls ``progress(done, total)`` as it goes. It raises ``ExportRefused``
with a French message for a user error (the job fails with that message); any other exception fails
the job with a generic message. It runs in a Celery worker, never in the web process.

Register in your app's ``AppConfig.ready()`` (a dotted path keeps the import lazy)::

    register(ExportKind(name="reporting_xlsx", label="Tableau de bord (Excel)",
                        builder="reporting.exports.build_dashboard_xlsx", extension="xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        filename_prefix="tableau-de-bord"))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from exports.models import ExportJob

Progress = Callable[[int, int], None]
Builder = Callable[["ExportJob", IO[bytes], Progress], None]


class ExportRefused(Exception):
    """A user-facing reason why the export cannot be produced (French, shown on the job page)."""


@dataclasses.dataclass(frozen=True)
class ExportKind:
    name: str  # stored in ExportJob.kind
    label: str  # French, shown on the pages
    builder: str | Builder  # a callable or its dotted path
    extension: str  # "zip", "xlsx", "pdf"
    content_type: str
    filename_prefix: str  # the downloaded file's name starts with it: never personal data
    # Its request page, when ``exports.urls`` serves it (``exports:<name>``): the path under
    # ``exports/`` and the view's dotted path (imported when the URLs load, not by this app).
    request_path: str = ""
    request_view: str = ""

    def build(self, job: ExportJob, output: IO[bytes], progress: Progress) -> None:
        builder: Builder = import_string(self.builder) if isinstance(self.builder, str) else self.builder
        builder(job, output, progress)


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> None:
    existing = _KINDS.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"Export kind {kind.name!r} is already registered differently.")
    _KINDS[kind.name] = kind


def get(name: str) -> ExportKind:
    try:
        return _KINDS[name]
    except KeyError as error:
        raise LookupError(f"Unknown export kind {name!r}.") from error


def kinds() -> list[ExportKind]:
    return list(_KINDS.values())


# Called after a requester downloads a job's file (``listener(actor, job)``): the access log
# registers itself here, so that this app does not import it.
_DOWNLOAD_LISTENERS: list[Callable[[Any, ExportJob], None]] = []


def on_download(listener: Callable[[Any, ExportJob], None]) -> None:
    if listener not in _DOWNLOAD_LISTENERS:
        _DOWNLOAD_LISTENERS.append(listener)


def downloaded(actor: Any, job: ExportJob) -> None:
    for listener in _DOWNLOAD_LISTENERS:
        listener(actor, job)
