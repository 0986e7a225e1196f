"""The one way to turn a template into a PDF: A4, the shared stylesheet and fonts, tagged (PDF/UA-1),
no database writes.

A document is a template extending ``pdf/base.html`` and a function that gathers its (already
scoped and prefetched) objects and calls ``render_pdf``. See ``referral_file.py`` for the pattern.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

from partners.access import Actor

BASE_STYLESHEET = "pdf/base.css"
# Accessible documents (RGAA 13.3): WeasyPrint's PDF/UA-1 profile writes the structure tree from the
# HTML (headings, lists, tables with their <th scope>, figures with their text), marks the PDF as
# tagged, takes /Lang from <html lang> and shows the <title> (DisplayDocTitle) instead of the file name.
PDF_VARIANT = "pdf/ua-1"
# Where the stylesheet's @font-face urls ("fonts/DejaVuSans.ttf") are found: the shipped fonts.
STATIC_DIR = Path(settings.BASE_DIR) / "static"
TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# WeasyPrint reports each rendering step at INFO: noise in the workers' logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class _WithoutMissingCharacter(logging.Filter):
    """WeasyPrint logs each character no font can draw, and its code point: one after the other, the
    letters of a young person's name. Keep the warning, drop the character."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(".notdef glyph rendered"):
            record.msg = ".notdef glyph rendered: a character of the document has no glyph in the PDF fonts"
            record.args = ()
        return True


logging.getLogger("weasyprint").addFilter(_WithoutMissingCharacter())
WRITE_STATEMENTS = ("insert", "update", "delete", "truncate", "merge", "copy", "alter", "create", "drop")


class WriteDuringRendering(RuntimeError):
    """A document tried to change the database while being rendered (a bug: rendering only reads)."""


@functools.cache
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def _url_fetcher() -> URLFetcher:
    # One per process: WeasyPrint otherwise builds a urllib opener (nine handlers) for every
    # document. Documents only read the shipped files (fonts) and inline data, never the network:
    # a template showing a user's text can make no request.
    return URLFetcher(allowed_protocols=("file", "data"))


@functools.cache
def _stylesheet() -> CSS:
    # Parsed once per process: the stylesheet and its fonts are the same for every document.
    source = (TEMPLATES_DIR / BASE_STYLESHEET).read_text(encoding="utf-8")
    return CSS(string=source, base_url=f"{STATIC_DIR}/", font_config=_font_config(), url_fetcher=_url_fetcher())


def _reject_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Mapping[str, Any]) -> Any:
    statement = sql.lstrip().split(None, 1)[0].lower() if sql.strip() else ""
    if statement in WRITE_STATEMENTS:
        raise WriteDuringRendering(f"Écriture en base pendant le rendu d'un PDF : {statement.upper()}")
    return execute(sql, params, many, context)


@contextlib.contextmanager
def reads_only() -> Iterator[None]:
    """Inside, any INSERT/UPDATE/DELETE… on any database connection raises ``WriteDuringRendering``."""
    with contextlib.ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(_reject_writes))
        yield


def document_context(*, actor: Actor | None, title: str) -> dict[str, object]:
    """What every document shows in its header: title, generation date and author."""
    return {
        "document_title": title,
        "generated_at": timezone.localtime(),
        "author": actor.user if actor is not None else None,
        "author_organisation": actor.organisation if actor is not None else None,
    }


def render_pdf(template_name: str, context: Mapping[str, object], *, base_url: str | None = None) -> bytes:
    """Render ``template_name`` (extending ``pdf/base.html``) to PDF bytes, without writing to the database.

    ``base_url`` resolves the document's relative urls (images); the shared stylesheet and fonts
    are always added. Templates read what they need from ``context``: lazy relations must be
    prefetched by the caller (the write guard also covers the reads a template would trigger).
    """
    with reads_only():
        html = render_to_string(template_name, dict(context))
        document = HTML(string=html, base_url=base_url or f"{STATIC_DIR}/", url_fetcher=_url_fetcher())
        pdf: bytes = document.write_pdf(
            stylesheets=[_stylesheet()], font_config=_font_config(), pdf_variant=PDF_VARIANT
        )
    return pdf


def pdf_filename(prefix: str, public_id: object, on: datetime.date | None = None) -> str:
    """A file name without any personal data: ``fiche-de-liaison-<uuid>-20261130.pdf``."""
    day = on or timezone.localdate()
    return f"{prefix}-{public_id}-{day:%Y%m%d}.pdf"
