"""Every CSV and XLSX the product writes goes through here: no cell of user data becomes a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a tab or a
carriage return in front of one is dropped on import), so a name such as
``=HYPERLINK("http://…";"ML Lyon")`` would be a live link — or worse — on the reader's computer
(OWASP, "CSV Injection"). Such a text is written with a leading apostrophe, which spreadsheets show
as text. Genuine numbers and dates stay typed cells; a text cell that is nothing but a number
("-3", "0,5") cannot run anything and is left as it is.

This module names no domain: any app writes its files with ``csv_writer`` and ``Workbook``
(``tests/security/test_file_battery.py`` fails if a writer appears elsewhere).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any, Protocol

from openpyxl import Workbook as _OpenpyxlWorkbook  # type: ignore[import-untyped]

# OWASP's list of the characters that make a spreadsheet evaluate a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number, in the English or the French way: inert even with its sign.
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")


def neutralised(value: Any) -> Any:
    """The value to write in a cell: a text that a spreadsheet would evaluate gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralised_row(row: Iterable[Any]) -> list[Any]:
    return [neutralised(value) for value in row]


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class CsvWriter:
    """``csv.writer`` whose rows are neutralised; ``writerow`` returns what the output's ``write`` did
    (so an echo output can feed a streaming response)."""

    def __init__(self, output: _Writable, **options: Any) -> None:
        self._writer = csv.writer(output, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(neutralised_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(output: _Writable, **options: Any) -> CsvWriter:
    """A CSV writer (same options as ``csv.writer``) that never writes a formula."""
    return CsvWriter(output, **options)


class Workbook(_OpenpyxlWorkbook):  # type: ignore[misc]
    """An openpyxl workbook whose ``save`` first neutralises every cell of every sheet.

    Checking at save time catches every way a value gets in (``append``, ``ws["A1"] = …``,
    ``ws.cell(value=…)``): openpyxl turns any text starting with ``=`` into a formula, and the
    product writes no formula of its own.
    """

    def __init__(self, write_only: bool = False, iso_dates: bool = False) -> None:
        if write_only:  # its sheets cannot be read back before saving, so they could not be checked
            raise ValueError("A write-only workbook cannot be neutralised: use a normal one.")
        super().__init__(write_only=write_only, iso_dates=iso_dates)

    def save(self, filename: str | IO[bytes]) -> None:
        neutralise_workbook(self)
        super().save(filename)


def neutralise_workbook(workbook: Any) -> None:
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                safe = neutralised(cell.value)
                if safe is not cell.value:
                    # Assigning again re-types the cell: a text with a leading "'" is a string, not a formula.
                    cell.value = safe
