"""From the bytes of an uploaded CSV file to records keyed by column, with French explanations.

A file that cannot be read at all (binary, empty, undecodable, no recognised separator, missing
or unknown columns, too many lines, broken quoting) raises one ``ValidationError`` whose message
says what to do. A file that can be read gives one ``Record`` per non-blank line, with the
problems of that line (cell count, value in an unnamed column) as ``LineError``s; each import adds
its own per-cell problems with ``line_error`` and the cell parsers below.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TypedDict

from django.core.exceptions import ValidationError

from texthygiene.text import clean_text, clip, without_forbidden

NOT_CSV = (
    "Ce fichier n'est pas un fichier CSV (texte). Depuis un tableur, enregistrez-le au format "
    "« CSV UTF-8 » ou « CSV (séparateur : point-virgule) », puis importez ce fichier."
)
UNDECODABLE = (
    "Impossible de lire ce fichier : son encodage n'est ni UTF-8 ni Windows-1252 (Latin-1). "
    "Enregistrez-le au format « CSV UTF-8 »."
)
MALFORMED = 'Le fichier CSV est mal formé vers la ligne {line} : vérifiez les guillemets (") et les séparateurs.'
MIXED_ENCODING = (
    "Ce fichier mêle deux encodages : il est en UTF-8 sauf par endroits. {lines} Corrigez ces caractères, "
    "enregistrez le fichier en UTF-8 (« CSV UTF-8 » dans le tableur), puis importez-le de nouveau."
)
DOUBLE_ENCODED = (
    "Ce fichier a été converti deux fois en UTF-8 : ses accents sont illisibles. {lines} Enregistrez de "
    "nouveau le fichier d'origine en UTF-8 (« CSV UTF-8 » dans le tableur), puis importez-le."
)
UTF16_UNREADABLE = (
    "Impossible de lire ce fichier UTF-16 : il est incomplet ou abîmé. Enregistrez-le au format « CSV UTF-8 »."
)
MOST_LINES_NAMED = 5
# Control characters do not occur in a spreadsheet's CSV: a workbook, a PDF, an image, UTF-16 without BOM…
CONTROL_CHARACTERS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# …and the first bytes of the files most often picked by mistake, even when they hold no control character.
SIGNATURES = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"{\\rtf")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# What ``surrogateescape`` makes of a byte that is not UTF-8, and the word around it.
UNDECODED = re.compile("[\udc80-\udcff]")
UNREADABLE_WORD = re.compile('[^\\s;,"]*[\udc80-\udcff][^\\s;,"]*')
# A well-formed UTF-8 sequence of two to four bytes (RFC 3629): a sign that the file was meant as UTF-8.
VALID_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# The file's lines as a text editor numbers them (the header is line 1).
LINE_BREAK = re.compile(r"\r\n|\r|\n")

YES_WORDS = frozenset({"oui", "o", "vrai", "1", "true", "yes", "x"})
NO_WORDS = frozenset({"non", "n", "faux", "0", "false", "no"})
FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


# What an import line does, shared by the previews, the apply services and the history pages.
CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


class LineError(TypedDict):
    """One problem of the file, as the imports store it (the header is line 1)."""

    line: int
    column: str
    message: str
    text: str


@dataclasses.dataclass(frozen=True)
class Layout:
    """What one import expects of a file; the messages name what its lines hold.

    ``too_many_rows_message`` receives ``{max_rows}`` (written the French way: "1 000").
    """

    columns: tuple[str, ...]  # canonical names, in the order the documentation gives them
    required: tuple[str, ...]
    empty_message: str
    no_rows_message: str
    too_many_rows_message: str
    no_delimiter_message: str
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)  # other spelling (normalised) → column
    delimiters: tuple[str, ...] = (";", ",")


@dataclasses.dataclass(frozen=True)
class Record:
    """One non-blank line: the stripped value of each named column, and the problems found so far.

    ``complete`` is False when the line has more or fewer cells than the header: ``values`` is then
    empty (which cell is which cannot be told).
    """

    line: int
    values: dict[str, str]
    errors: list[LineError]
    complete: bool


@dataclasses.dataclass(frozen=True)
class Table:
    encoding: str  # "utf-8", "utf-16" or "windows-1252"
    delimiter: str
    columns: list[str]  # the canonical column of each header cell ('' for an unnamed one)
    records: list[Record]


def fold(text: str) -> str:
    """'École' → 'ecole': accents and case ignored."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise_header(text: str) -> str:
    """'Code postal *' → 'code_postal', 'Téléphone' → 'telephone'."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


def normalise_label(text: str) -> str:
    """'Mission  Locale' → 'mission locale', 'V bis' → 'v bis': for matching a cell against a list."""
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


def thousands(number: int) -> str:
    """1000 → '1 000' (French thousands separator, a narrow no-break space)."""
    return f"{number:,}".replace(",", "\u202f")


def line_error(line: int, column: str, message: str) -> LineError:
    """'Ligne 4, colonne siret : ce SIRET n'existe pas…' (acronyms keep their capitals)."""
    where = f"Ligne {line}, colonne {column}" if column else f"Ligne {line}"
    sentence = message[0].lower() + message[1:] if message[:1].isupper() and not message[:2].isupper() else message
    return {"line": line, "column": column, "message": message, "text": f"{where} : {sentence}"}


def file_size_error(size: int | None, *, max_size: int) -> str:
    """The French message for a file over ``max_size`` bytes, or '' if it fits."""
    if size is None or size <= max_size:
        return ""
    megabytes = max_size // (1024 * 1024)
    # Rounded up: a file just over the limit must not read "5,0 Mo".
    weight = f"{math.ceil(size * 10 / (1024 * 1024)) / 10:.1f}".replace(".", ",")
    return f"Le fichier pèse {weight} Mo : la taille maximale est de {megabytes} Mo. Découpez-le en plusieurs fichiers."


# --- The file as a whole -----------------------------------------------------------------------


def decode(content: bytes, *, empty_message: str) -> tuple[str, str]:
    """The text of the file and its encoding: UTF-8 (with or without BOM), UTF-16 with its BOM, else
    Windows-1252 — never a guess that would turn some lines into « LÃ©a ».

    A file in UTF-8 but for a few lines (a cell pasted from another file, edited in another tool) and
    a file converted to UTF-8 twice are refused, naming their lines: read as Windows-1252, or as they
    are, their accents would be garbled without a word.
    """
    if not content.strip():
        raise ValidationError(empty_message, code="empty")
    if content.startswith(SIGNATURES):
        raise ValidationError(NOT_CSV, code="not_csv")
    if content.startswith(UTF16_BOMS):
        return _checked(_utf16(content), "utf-16")
    if CONTROL_CHARACTERS.search(content):
        raise ValidationError(NOT_CSV, code="not_csv")
    text = content.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    if not UNDECODED.search(text):
        return _checked(text, "utf-8")
    if VALID_UTF8_MULTIBYTE.search(content):
        raise ValidationError(_mixed_message(text), code="mixed_encoding")
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        raise ValidationError(UNDECODABLE, code="undecodable") from error


def _utf16(content: bytes) -> str:
    try:
        text = content.decode("utf-16")  # the BOM gives the byte order, and is dropped
    except UnicodeDecodeError as error:
        raise ValidationError(UTF16_UNREADABLE, code="undecodable") from error
    if CONTROL_CHARACTERS_TEXT.search(text):  # UTF-32, or a binary file behind the two bytes
        raise ValidationError(NOT_CSV, code="not_csv")
    return text


def _checked(text: str, encoding: str) -> tuple[str, str]:
    """Refuse a text converted twice (« LÃ©a » for « Léa »), naming its lines."""
    found = []
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        garbled = _garbled_word(line) if not line.isascii() else None
        if garbled:
            found.append(f"Ligne {number} : « {garbled[0]} » au lieu de « {garbled[1]} ».")
    if found:
        raise ValidationError(DOUBLE_ENCODED.format(lines=_listed(found)), code="double_encoded")
    return text, encoding


def _garbled_word(line: str) -> tuple[str, str] | None:
    """The first word of ``line`` that reads better once undone from Windows-1252 (or Latin-1) to UTF-8."""
    for word in re.findall(r"[^\s;,\"]+", line):
        if word.isascii():
            continue
        for codec in ("cp1252", "latin-1"):
            try:
                repaired = word.encode(codec).decode("utf-8")
            except UnicodeError:
                continue
            if repaired != word:
                return _short(word), _short(repaired)
    return None


def _mixed_message(text: str) -> str:
    found = []
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        match = UNREADABLE_WORD.search(line)
        if match:
            word = UNDECODED.sub("\ufffd", match.group())
            found.append(f"Ligne {number} : caractère illisible dans « {_short(word)} ».")
    return MIXED_ENCODING.format(lines=_listed(found))


def _short(word: str) -> str:
    """A word as it can be shown: invisible C1 controls (Latin-1 mojibake) as « � », at most 30 characters."""
    return clip(re.sub("[\x80-\x9f]", "\ufffd", word), 30)


def _listed(found: list[str]) -> str:
    """At most five lines named, then how many more."""
    shown = " ".join(found[:MOST_LINES_NAMED])
    more = len(found) - MOST_LINES_NAMED
    if more > 0:
        shown += f" Et {thousands(more)} autre{'s' if more > 1 else ''} ligne{'s' if more > 1 else ''}."
    return shown


def _delimiter(text: str, layout: Layout) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = [(header.count(delimiter), delimiter) for delimiter in layout.delimiters]
    best = max(counts, key=lambda item: item[0])  # the first one on a tie
    if not best[0]:
        raise ValidationError(layout.no_delimiter_message, code="no_delimiter")
    return best[1]


def _records(text: str, delimiter: str, *, layout: Layout, max_rows: int) -> list[tuple[int, list[str]]]:
    """Non-blank records with the file line they start on (a quoted cell may span several lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
                if len(records) > max_rows + 1:
                    raise ValidationError(
                        layout.too_many_rows_message.format(max_rows=thousands(max_rows)), code="too_many_rows"
                    )
    except csv.Error as error:  # an unclosed quote, a cell over the csv module's size limit…
        raise ValidationError(MALFORMED.format(line=reader.line_num), code="malformed") from error
    return records


def _columns(header: list[str], layout: Layout) -> list[str]:
    """The canonical column of each header cell ('' for an unnamed one); one message for all problems."""
    columns: list[str] = []
    problems: list[str] = []
    for cell in header:
        normalised = normalise_header(cell)
        column = normalised if normalised in layout.columns else layout.aliases.get(normalised, "")
        if normalised and not column:
            problems.append(f"Colonne inconnue : « {cell.strip()} ».")
        elif column and column in columns:
            problems.append(f"La colonne « {column} » figure deux fois.")
        columns.append(column)
    missing = [name for name in layout.required if name not in columns]
    if missing:
        label = "Colonne obligatoire absente" if len(missing) == 1 else "Colonnes obligatoires absentes"
        problems.insert(0, f"{label} : {', '.join(missing)}.")
    if problems:
        problems.append(
            f"La première ligne doit nommer les colonnes ; colonnes acceptées : {', '.join(layout.columns)} "
            "(voir le fichier d'exemple)."
        )
        raise ValidationError(" ".join(problems), code="columns")
    return columns


def _record(line: int, columns: list[str], cells: list[str]) -> Record:
    if len(cells) != len(columns):
        message = (
            f"{len(cells)} valeurs pour {len(columns)} colonnes : vérifiez les séparateurs, et mettez entre "
            "guillemets une valeur qui contient le séparateur."
        )
        return Record(line=line, values={}, errors=[line_error(line, "", message)], complete=False)
    values: dict[str, str] = {}
    errors: list[LineError] = []
    for column, raw in zip(columns, cells, strict=True):
        value = raw.strip()
        if column:
            # Every cell is a one-line value: the hygiene of the forms' fields (texthygiene.text).
            try:
                value = clean_text(value)
            except ValidationError as error:
                errors.append(line_error(line, column, error.messages[0]))
                value = without_forbidden(value)
            values[column] = value
        elif value:
            errors.append(line_error(line, "", f"la valeur « {value} » est dans une colonne sans nom."))
    return Record(line=line, values=values, errors=errors, complete=True)


def read_csv(content: bytes, *, layout: Layout, max_rows: int) -> Table:
    """Read a CSV file (UTF-8, UTF-16 with its BOM or Windows-1252, one of the layout's separators).

    Raises ValidationError (one French message) if the file cannot be read at all, holds no line
    under its header or more than ``max_rows``.
    """
    text, encoding = decode(content, empty_message=layout.empty_message)
    delimiter = _delimiter(text, layout)
    records = _records(text, delimiter, layout=layout, max_rows=max_rows)
    if not records:
        raise ValidationError(layout.empty_message, code="empty")
    columns = _columns(records[0][1], layout)
    if len(records) == 1:
        raise ValidationError(layout.no_rows_message, code="no_rows")
    return Table(
        encoding=encoding,
        delimiter=delimiter,
        columns=columns,
        records=[_record(line, columns, cells) for line, cells in records[1:]],
    )


# --- Lines ---------------------------------------------------------------------------------------


def repeated_keys(keys: Iterable[tuple[int, str]]) -> dict[int, int]:
    """For each (line, key) whose key came earlier in the file: line → the line it first came on."""
    first: dict[str, int] = {}
    repeated: dict[int, int] = {}
    for line, key in keys:
        if key in first:
            repeated[line] = first[key]
        else:
            first[key] = line
    return repeated


def service_errors(
    line: int, error: ValidationError, *, field_columns: Mapping[str, str], skip: Iterable[str] = ()
) -> list[LineError]:
    """A service's messages placed in the file's columns, leaving out the columns in ``skip``.

    ``skip`` holds the columns already in error on that line: one message per problem is enough.
    """
    items = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
    already = set(skip)
    return [
        line_error(line, column, message)
        for field, messages in items
        for column in [field_columns.get(field, "")]
        if not column or column not in already
        for message in messages
    ]


def sort_errors(errors: Iterable[LineError], columns: Iterable[str]) -> list[LineError]:
    """By line, then in the documented order of the columns (a whole-line problem first)."""
    order = {column: index for index, column in enumerate(columns)}
    return sorted(errors, key=lambda item: (item["line"], order.get(item["column"], -1) if item["column"] else -1))


# --- Cells ---------------------------------------------------------------------------------------


def parse_yes_no(value: str, *, yes: frozenset[str] = YES_WORDS, no: frozenset[str] = NO_WORDS) -> bool | None:
    """'Oui' → True, 'non' → False, '' → None; ValidationError for another word."""
    word = fold(value)
    if word in yes:
        return True
    if word in no:
        return False
    if word:
        raise ValidationError(f"Valeur « {value.strip()} » non reconnue : indiquez oui ou non.", code="yes_no")
    return None


def parse_french_date(value: str) -> datetime.date | None:
    """'05/03/2007' (jj/mm/aaaa) → a date, '' → None; ValidationError for another format or no such day."""
    text = value.strip()
    if not text:
        return None
    match = FRENCH_DATE.fullmatch(text)
    if match is None:
        raise ValidationError(
            f"Date « {text} » non reconnue : écrivez-la jj/mm/aaaa, par exemple 05/03/2007.", code="date_format"
        )
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError as error:
        raise ValidationError(f"La date « {text} » n'existe pas.", code="date") from error
