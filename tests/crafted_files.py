"""Real files for upload tests, built in memory: sound PDFs and images, and the hostile ones the
upload check must refuse (JavaScript, launch actions, embedded files, polyglots, pixel bombs)."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _writer(pages: int = 1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Curriculum vitae"})
    return writer


def pdf(pages: int = 1) -> bytes:
    """A sound PDF, as a scanner or « Enregistrer en PDF » makes it."""
    return _written(_writer(pages))


def pdf_with_web_link() -> bytes:
    """A CV with a link to a web page: a /URI action, passive (the reader asks before opening it)."""
    writer = _writer()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10), FloatObject(200), FloatObject(40)]),
            NameObject("/A"): DictionaryObject(
                {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://exemple.fr/cv")}
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def pdf_with_javascript_open_action() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('bonjour');"),
        }
    )
    return _written(writer)


def pdf_with_javascript_in_names_tree() -> bytes:
    """Document-level JavaScript (the catalogue's /Names → /JavaScript tree), run when the file opens."""
    writer = _writer()
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("this.print({bUI: false});"),
        }
    )
    scripts = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("ouverture"), writer._add_object(action)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})
    return _written(writer)


def pdf_with_launch_action() -> bytes:
    """A link on the first page that launches a program (no JavaScript anywhere)."""
    writer = _writer()
    launch = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("C:\\Windows\\System32\\cmd.exe"),
        }
    )
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10), FloatObject(200), FloatObject(40)]),
            NameObject("/A"): launch,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def pdf_with_embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("facture.exe", b"MZ\x90\x00 not really a program")
    return _written(writer)


def pdf_with_xfa_form() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp:xdp/>")}
    )
    return _written(writer)


def encrypted_pdf() -> bytes:
    writer = _writer()
    writer.encrypt(user_password="secret", owner_password="secret")
    return _written(writer)


def pdf_html_polyglot() -> bytes:
    """Starts like a PDF, is a web page: a browser sniffing it would run the script."""
    return b"%PDF-1.4\n<html><body><script>document.location='https://exemple.invalid/'</script></body></html>\n"


def truncated_pdf() -> bytes:
    content = pdf()
    return content[: len(content) // 2]


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 0, 145)).save(buffer, "PNG")
    return buffer.getvalue()


GPS_LATITUDE = (45.0, 44.0, 30.21)  # 45° 44′ 30.21″ N: Vénissieux


def jpeg(size: tuple[int, int] = (40, 30), *, with_location: bool = False, orientation: int = 1) -> bytes:
    """A photo; ``with_location``: its EXIF holds a GPS position and the phone's make, as phones write."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 200, 30), (0, 0, size[0] // 2, size[1]))  # left half green: shows a rotation
    exif = Image.Exif()
    if with_location:
        exif[0x010F] = "Fairphone"  # Make
        gps = exif.get_ifd(0x8825)
        gps.update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: (4.0, 52.0, 0.0)})
    if orientation != 1:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif.tobytes(), comment=b"Photo de Lucas Martin")
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_pixel_bomb(side: int = 20_000) -> bytes:
    """A real 1-bit PNG of side × side pixels (400 million for 20 000): a few hundred kilobytes that
    would decode to gigabytes."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)  # filter byte, then the row's bits
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(side)]
    idat = b"".join(chunks) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def truncated_png() -> bytes:
    """A photo-like PNG (noise does not compress) cut before its end, as an interrupted upload."""
    size = (200, 150)
    noise = random.Random(7).randbytes(size[0] * size[1] * 3)  # noqa: S311 — not a secret
    image = Image.frombytes("RGB", size, noise)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    content = buffer.getvalue()
    return content[: len(content) * 2 // 3]
