"""Checks on uploaded files, before anything is stored.

The browser's content type and the file name are chosen by the sender: they are ignored. What
counts is the size and the first bytes of the content.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models.fields.files import FieldFile

PDF_MAX_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"
# The name every stored PDF gets before the storage renames it: the sender's name may carry
# personal data, and the model's extension check must not depend on it.
PDF_CLEAN_NAME = "document.pdf"


def validate_pdf(uploaded_file: File[bytes], max_bytes: int = PDF_MAX_BYTES) -> None:
    """Refuse a file larger than ``max_bytes`` or one whose content does not start like a PDF.

    Leaves the file's read position at the start, so it can be stored afterwards.
    """
    size = uploaded_file.size
    if size is None or size > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        raise ValidationError(f"Le fichier dépasse {megabytes} Mo.", code="too_large")
    uploaded_file.seek(0)
    head = uploaded_file.read(len(PDF_SIGNATURE))
    uploaded_file.seek(0)
    if head != PDF_SIGNATURE:
        raise ValidationError("Le fichier n'est pas un PDF.", code="not_pdf")


@contextlib.contextmanager
def removed_on_failure(field_file: FieldFile) -> Iterator[None]:
    """If the database write fails after a new file was stored, remove that file again.

    Before the save the field holds the upload's clean name; after it, the stored name: only a
    name that changed inside the block is a file this write stored.
    """
    name_before = field_file.name
    try:
        yield
    except BaseException:
        if field_file.name and field_file.name != name_before and field_file.storage.exists(field_file.name):
            field_file.storage.delete(field_file.name)
        raise
