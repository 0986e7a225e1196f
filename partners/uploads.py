"""Checks on uploaded files, before anything is stored: the one door every upload goes through.

The browser's content type is chosen by the sender: it is ignored. What counts is the content:

- its first bytes say what it claims to be (PDF, JPEG, PNG), and the file name's extension, when it
  has one, must say the same (a PDF named ``.png`` is a disguise, or a mistake the sender can fix);
- a PDF must parse as a PDF (``pypdf``), whole (ending with ``%%EOF``), unencrypted, within a page
  bound, with no HTML in its header (a ``%PDF-`` + HTML polyglot), and without active content:
  JavaScript, launch / submit / import actions, embedded files, XFA forms, rich media. Such a PDF is
  refused rather than cleaned: a signed document altered by the server would no longer be the one
  that was signed, and a clean copy is one « Imprimer en PDF » away for the sender;
- an image must decode entirely with Pillow within a pixel bound, and is stored re-encoded: the
  copy keeps the pixels (turned upright) and drops everything else — the EXIF block with the
  phone's GPS position, comments, text chunks, whatever was appended after the image data.

Forms call ``UploadValidator`` on their file field (the error shows next to the field) and services
call ``check_upload`` or ``validate_pdf`` again, so that a direct service call is checked too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
from collections.abc import Collection, Iterator
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF_MAX_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"
# The name every stored PDF gets before the storage renames it: the sender's name may carry
# personal data, and the model's extension check must not depend on it.
PDF_CLEAN_NAME = "document.pdf"
# A CV, a consent form, an agreement with its annexes: far below. The bound keeps the parse short.
PDF_MAX_PAGES = 300
# Every object of the PDF is looked at once; a file of 10 MB holds a few thousand in practice.
PDF_MAX_OBJECTS = 200_000
# A 48-megapixel phone photo or an A4 page scanned at 600 dpi (35 Mpx) fits; a decompression bomb
# (a few kilobytes that decode to gigabytes) does not. Checked on the header, before decoding.
IMAGE_MAX_PIXELS = 50_000_000
EXIF_ORIENTATION = 0x0112

# Dictionary keys that only active content uses.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA", "/RichMedia", "/RichMediaContent"}
)
# Values of /S (action type), /Subtype (annotation type) or /Type that run, open or carry something.
ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/RichMediaExecute",
        "/Movie",
        "/Sound",
        "/EmbeddedFile",
        "/FileAttachment",
        "/RichMedia",
        "/3D",
    }
)
TYPE_KEYS = frozenset({"/S", "/Subtype", "/Type"})
# A browser sniffing the first bytes would take these for a page (the polyglot's trick).
HTML_MARKERS = (b"<html", b"<!doctype", b"<head", b"<body", b"<script", b"<iframe", b"<svg", b"<?xml")

ACTIVE_CONTENT = (
    "Ce PDF contient du contenu actif (JavaScript, pièce jointe intégrée…) : "
    "enregistrez-le de nouveau en PDF « imprimé » avant de le déposer."
)
NOT_A_VALID_PDF = (
    "Ce fichier n'est pas un PDF valide (incomplet, endommagé ou déguisé) : "
    "enregistrez-le de nouveau en PDF avant de le déposer."
)
ENCRYPTED_PDF = (
    "Ce PDF est protégé par un mot de passe ou chiffré : "
    "enregistrez-le de nouveau en PDF sans protection avant de le déposer."
)
UNREADABLE_IMAGE = (
    "Cette image est illisible ou incomplète : enregistrez-la de nouveau (ou en PDF) avant de la déposer."
)

logger = logging.getLogger(__name__)
CHECKED_ATTRIBUTE = "_orientations_upload_check"


@dataclasses.dataclass(frozen=True)
class Kind:
    """A type of file we accept: how it starts, how it may be named, how it is stored."""

    name: str
    content_type: str
    extension: str  # the stored file's extension
    extensions: frozenset[str]  # the accepted endings of the sender's file name
    signature: bytes
    label: str  # French, after « son contenu est »
    short_label: str  # French, in « Le fichier doit être un PDF, un JPEG ou un PNG. »
    pillow_format: str = ""  # an image: the format Pillow must find


PDF = Kind("pdf", "application/pdf", "pdf", frozenset({"pdf"}), PDF_SIGNATURE, "un PDF", "un PDF")
JPEG = Kind(
    "jpeg",
    "image/jpeg",
    "jpg",
    frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    b"\xff\xd8\xff",
    "une image JPEG",
    "un JPEG",
    pillow_format="JPEG",
)
PNG = Kind(
    "png", "image/png", "png", frozenset({"png"}), b"\x89PNG\r\n\x1a\n", "une image PNG", "un PNG", pillow_format="PNG"
)
KINDS = (PDF, JPEG, PNG)


@dataclasses.dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed: what it is, and the file to store (the upload, or a re-encoded image)."""

    kind: Kind
    file: File[bytes]
    size: int


def _unknown_type(kinds: Collection[Kind]) -> ValidationError:
    if tuple(kinds) == (PDF,):
        return ValidationError("Le fichier n'est pas un PDF.", code="not_pdf")
    labels = [kind.short_label for kind in kinds]
    listed = f"{', '.join(labels[:-1])} ou {labels[-1]}" if len(labels) > 1 else labels[0]
    return ValidationError(f"Le fichier doit être {listed}.", code="type")


def _extension(name: str | None) -> str:
    return PurePath(name or "").suffix.lower().removeprefix(".")


def check_upload(uploaded: File[bytes], *, kinds: Collection[Kind], max_bytes: int) -> CheckedUpload:
    """Check ``uploaded`` (see the module's docstring); ValidationError with a French message if refused.

    Leaves the upload's read position at the start. For a PDF the upload itself is returned, for an
    image a re-encoded copy (``ContentFile``) named after the kind. The result is remembered on the
    upload: the service checking again what its form just checked does not parse or decode twice.
    """
    remembered: tuple[tuple[Kind, ...], int, CheckedUpload] | None = getattr(uploaded, CHECKED_ATTRIBUTE, None)
    if remembered is not None and remembered[:2] == (tuple(kinds), max_bytes):
        return remembered[2]
    checked = _checked(uploaded, kinds=kinds, max_bytes=max_bytes)
    setattr(uploaded, CHECKED_ATTRIBUTE, (tuple(kinds), max_bytes, checked))
    return checked


def _checked(uploaded: File[bytes], *, kinds: Collection[Kind], max_bytes: int) -> CheckedUpload:
    size = uploaded.size
    if size is None or size > max_bytes:
        raise ValidationError(f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo.", code="too_large")
    uploaded.seek(0)
    content = uploaded.read()
    uploaded.seek(0)
    kind = next((kind for kind in kinds if content.startswith(kind.signature)), None)
    if kind is None:
        raise _unknown_type(kinds)
    extension = _extension(uploaded.name)
    if extension and extension not in kind.extensions:
        raise ValidationError(
            f"Le nom du fichier se termine par « .{extension} » mais son contenu est {kind.label} : "
            "renommez-le ou choisissez le bon fichier.",
            code="extension_mismatch",
        )
    if kind is PDF:
        _check_pdf(content)
        return CheckedUpload(kind=kind, file=uploaded, size=len(content))
    image = _reencoded_image(content, kind)
    return CheckedUpload(kind=kind, file=ContentFile(image, name=f"image.{kind.extension}"), size=len(image))


def validate_pdf(uploaded_file: File[bytes], max_bytes: int = PDF_MAX_BYTES) -> None:
    """Refuse anything but a whole, passive PDF of at most ``max_bytes`` (see ``check_upload``)."""
    check_upload(uploaded_file, kinds=(PDF,), max_bytes=max_bytes)


@deconstructible
class UploadValidator:
    """The same check on a form's file field, so the message shows next to the field."""

    def __init__(self, *, kinds: Collection[Kind], max_bytes: int) -> None:
        self.kinds = tuple(kinds)
        self.max_bytes = max_bytes

    def __call__(self, uploaded: File[bytes]) -> None:
        check_upload(uploaded, kinds=self.kinds, max_bytes=self.max_bytes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadValidator) and (self.kinds, self.max_bytes) == (other.kinds, other.max_bytes)

    def __hash__(self) -> int:
        return hash((self.kinds, self.max_bytes))


PDF_UPLOAD = UploadValidator(kinds=(PDF,), max_bytes=PDF_MAX_BYTES)


# --- PDF ---------------------------------------------------------------------------------------------


def _check_pdf(content: bytes) -> None:
    if any(marker in content[:1024].lower() for marker in HTML_MARKERS):
        raise ValidationError(NOT_A_VALID_PDF, code="not_pdf")
    # A whole PDF ends with %%EOF (then at most line ends): a truncated upload, or one with data
    # appended after the document, is refused before pypdf could guess its way around it.
    end = content.rfind(b"%%EOF")
    if end == -1 or content[end + len(b"%%EOF") :].strip(b"\r\n\t\f\x00 "):
        raise ValidationError(NOT_A_VALID_PDF, code="not_pdf")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationError(ENCRYPTED_PDF, code="encrypted")
        pages = len(reader.pages)
        if pages > PDF_MAX_PAGES:
            raise ValidationError(
                f"Ce PDF a {pages} pages : {PDF_MAX_PAGES} au plus. Déposez les pages utiles seulement.",
                code="too_many_pages",
            )
        if pages == 0:
            raise ValidationError(NOT_A_VALID_PDF, code="not_pdf")
        _refuse_active_content(reader)
    except ValidationError:
        raise
    except Exception as error:  # on a hostile file the parser may fail in any way
        # The exception's class only: its text may quote the file's content.
        logger.info("Uploaded PDF refused: the parser failed (%s)", type(error).__name__)
        raise ValidationError(NOT_A_VALID_PDF, code="not_pdf") from error


def _refuse_active_content(reader: PdfReader) -> None:
    """Look at every object reachable from the trailer (each once): any active one refuses the file.

    Everything a reader may run hangs somewhere below the trailer — the catalogue's /OpenAction,
    /AA and /Names (JavaScript, EmbeddedFiles), the /AcroForm's /XFA, pages' and annotations' /A and
    /AA, outlines — so walking all of it needs no list of places. Streams are not decoded: their
    dictionaries are what declares an action or an embedded file.
    """
    stack: list[Any] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            item = item.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise ValidationError(NOT_A_VALID_PDF, code="not_pdf")
        if isinstance(item, DictionaryObject):
            for key, value in dict.items(item):  # the raw values: references stay references
                if key in ACTIVE_KEYS or (key in TYPE_KEYS and isinstance(value, NameObject) and value in ACTIVE_NAMES):
                    raise ValidationError(ACTIVE_CONTENT, code="active_content")
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(list.__iter__(item))


# --- Images ------------------------------------------------------------------------------------------


def _reencoded_image(content: bytes, kind: Kind) -> bytes:
    """Decode the whole image (within the pixel bound) and return it re-encoded, without metadata."""
    too_large = ValidationError(
        f"Cette image est trop grande ({IMAGE_MAX_PIXELS // 1_000_000} millions de pixels au plus) : "
        "réduisez-la avant de la déposer.",
        code="too_many_pixels",
    )
    try:
        with Image.open(io.BytesIO(content), formats=[kind.pillow_format]) as probe:
            width, height = probe.size
            if width * height > IMAGE_MAX_PIXELS:
                raise too_large
            probe.verify()  # the structure (PNG: every chunk's checksum) before decoding anything
        with Image.open(io.BytesIO(content), formats=[kind.pillow_format]) as image:
            image.load()  # every pixel: a truncated or corrupt image fails here
            icc_profile = image.info.get("icc_profile")  # colours, not personal data
            transparency = image.info.get("transparency")
            upright: Image.Image = image
            if image.getexif().get(EXIF_ORIENTATION, 1) != 1:  # the photo as seen, before its EXIF goes
                upright = ImageOps.exif_transpose(image)
            # Nothing of the original's metadata is written again (Pillow copies a JPEG comment
            # and a PNG's transparency from ``info``): only what is named below.
            upright.info = {}
            output = io.BytesIO()
            if kind is JPEG:
                if upright.mode not in ("RGB", "L", "CMYK"):
                    upright = upright.convert("RGB")
                # The original's quantisation when the pixels are untouched: no further loss.
                quality: int | str = "keep" if upright is image else 90
                upright.save(output, "JPEG", quality=quality, icc_profile=icc_profile)
            else:
                extra = {"transparency": transparency} if transparency is not None else {}
                upright.save(output, "PNG", icc_profile=icc_profile, **extra)
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise too_large from error
    except Exception as error:  # a hostile image may fail the decoder in any way
        logger.info("Uploaded image refused: the decoder failed (%s)", type(error).__name__)
        raise ValidationError(UNREADABLE_IMAGE, code="unreadable_image") from error
    return output.getvalue()


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
