"""The dashboard as files: XLSX (one sheet per breakdown) and CSV for French spreadsheets.

The same statistical secrecy as the pages (``reporting.presentation``): a masked cell holds the text
"< 5" or "secret", every other figure is a number (rates as fractions formatted as percentages).
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from typing import IO, TYPE_CHECKING, Any

from django.utils import timezone
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from exports.spreadsheet import Workbook, csv_writer
from reporting import presentation
from reporting.indicators import AREA, HAND_BACKS, INDICATORS, OUTCOMES, Area, Indicator, Kind, Level, Period
from reporting.presentation import Cell

if TYPE_CHECKING:
    from exports.models import ExportJob
    from exports.registry import Progress

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {Kind.PEOPLE: "#,##0", Kind.COUNT: "#,##0", Kind.RATE: "0.0%", Kind.DAYS: "0.0"}


@dataclasses.dataclass(frozen=True)
class Sheet:
    title: str  # at most 31 characters (Excel)
    header: list[str]
    kinds: list[Kind | None]  # per column: None for a label column
    rows: list[list[str | Cell]]


def sheets(report: dict[str, Any], area: Area) -> list[Sheet]:
    """The indicators, then one sheet per breakdown."""
    totals = report["totals"]
    indicators = Sheet(
        title="Indicateurs",
        header=["Rubrique", "Indicateur", "Valeur"],
        kinds=[None, None, None],
        rows=[
            [section.title, indicator.label, presentation.cell(indicator, totals)]
            for section in presentation.SECTIONS
            for indicator in section.indicators
        ],
    )
    result = [indicators]
    if area.level in presentation.CHILD_TITLES:
        child = presentation.CHILD_TITLES[area.level]
        result.append(
            _breakdown_sheet(f"Par {child}", child.capitalize(), presentation.breakdown(report, AREA, area.level))
        )
    result.append(_breakdown_sheet("Par réseau prescripteur", "Réseau", presentation.network_breakdown(report)))
    result.append(_list_sheet("Sorties par situation", "Situation à la sortie", OUTCOMES, totals))
    result.append(_list_sheet("Retours par motif", "Motif", HAND_BACKS[1:], totals))
    return result


def _breakdown_sheet(title: str, first: str, table: dict[str, Any]) -> Sheet:
    columns: list[Indicator] = table["columns"]
    return Sheet(
        title=title[:31],
        header=[first, *[indicator.label for indicator in columns]],
        kinds=[None, *[indicator.kind for indicator in columns]],
        rows=[[row["label"], *row["cells"]] for row in table["rows"]],
    )


def _list_sheet(title: str, first: str, indicators: list[Indicator], totals: dict[str, Any]) -> Sheet:
    return Sheet(
        title=title[:31],
        header=[first, "Nombre"],
        kinds=[None, Kind.PEOPLE],
        rows=[[indicator.label, presentation.cell(indicator, totals)] for indicator in indicators],
    )


def _value_and_kind(value: str | Cell, indicator_kind: Kind | None) -> tuple[Any, Kind | None]:
    if isinstance(value, Cell):
        return (value.number if value.number is not None else value.text), indicator_kind
    return value, None


def title_lines(area: Area, period: Period, closed: str) -> list[str]:
    lines = [f"Indicateurs — {area.name}", f"{period.label} (du {period.start:%d/%m/%Y} au {period.end:%d/%m/%Y})"]
    if closed:
        lines.append(closed)
    lines.append("Secret statistique : effectifs de 1 à 4 affichés « < 5 », taux et délais calculés dessus « secret ».")
    return lines


def xlsx_bytes(report: dict[str, Any], area: Area, period: Period, closed: str = "") -> bytes:
    output = io.BytesIO()
    write_xlsx(report, area, period, output, closed=closed)
    return output.getvalue()


def write_xlsx(report: dict[str, Any], area: Area, period: Period, output: IO[bytes], *, closed: str = "") -> None:
    workbook = Workbook()
    bold = Font(bold=True)
    for number, sheet in enumerate(sheets(report, area)):
        worksheet = workbook.active if number == 0 else workbook.create_sheet()
        assert worksheet is not None  # noqa: S101 (a new workbook has its active sheet)
        worksheet.title = sheet.title
        lines = title_lines(area, period, closed)
        for line in lines:
            worksheet.append([line])
        worksheet["A1"].font = bold
        worksheet.append([])
        header_row = len(lines) + 2  # after the title lines and an empty row
        worksheet.append(sheet.header)
        for cell in worksheet[header_row]:
            cell.font = bold
        worksheet.freeze_panes = worksheet.cell(row=header_row + 1, column=1)
        widths = [len(text) for text in sheet.header]
        for row in sheet.rows:
            values = []
            formats = []
            for index, value in enumerate(row):
                kind = sheet.kinds[index] if index < len(sheet.kinds) else None
                if isinstance(value, Cell):
                    # In the indicators sheet the kind comes from the indicator of the row.
                    kind = kind or _kind_of_row(sheet, row)
                written, kind = _value_and_kind(value, kind)
                values.append(written)
                formats.append(NUMBER_FORMATS.get(kind) if kind and not isinstance(written, str) else None)
                widths[index] = max(widths[index], len(str(value.text if isinstance(value, Cell) else value)))
            worksheet.append(values)
            for index, number_format in enumerate(formats):
                if number_format:
                    worksheet.cell(row=worksheet.max_row, column=index + 1).number_format = number_format
        for index, width in enumerate(widths):
            worksheet.column_dimensions[get_column_letter(index + 1)].width = min(max(width + 2, 10), 60)
    workbook.save(output)


def _kind_of_row(sheet: Sheet, row: list[str | Cell]) -> Kind | None:
    label = row[1] if len(row) > 2 else row[0]
    for indicator in INDICATORS.values():
        if indicator.label == label:
            return indicator.kind
    return None


def _french_number(cell: Cell, kind: Kind | None) -> str:
    if cell.number is None:
        return cell.text
    if isinstance(cell.number, int) and kind != Kind.RATE:
        return str(cell.number)
    return f"{cell.number:g}".replace(".", ",") if kind != Kind.DAYS else f"{cell.number:.1f}".replace(".", ",")


def csv_bytes(report: dict[str, Any], area: Area, period: Period, closed: str = "") -> bytes:
    """UTF-8 with BOM, ``;`` separators, decimal commas: what a French spreadsheet opens as columns."""
    output = io.StringIO()
    writer = csv_writer(output, delimiter=";", lineterminator="\r\n")
    for line in title_lines(area, period, closed):
        writer.writerow([line])
    for sheet in sheets(report, area):
        writer.writerow([])
        writer.writerow([sheet.title])
        writer.writerow(sheet.header)
        for row in sheet.rows:
            written = []
            for index, value in enumerate(row):
                if isinstance(value, Cell):
                    kind = sheet.kinds[index] or _kind_of_row(sheet, row)
                    written.append(_french_number(value, kind))
                else:
                    written.append(value)
            writer.writerow(written)
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def filename(area: Area, period: Period, extension: str) -> str:
    """Never a name of person: the level, the code and the dates."""
    where = "france" if area.level == Level.NATIONAL else f"{area.level}-{area.code}"
    return f"indicateurs-{where}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"


def build_dashboard_xlsx(job: ExportJob, output: IO[bytes], progress: Progress) -> None:
    """The ``reporting_xlsx`` export kind, built by a Celery worker (exports app)."""
    from exports.registry import ExportRefused
    from exports.services import job_actor
    from reporting.selectors.areas import area_for
    from reporting.selectors.reports import report_for

    parameters = job.parameters
    actor = job_actor(job)
    progress(0, 2)
    try:
        level = Level(parameters["level"])
        area, _parents = area_for(actor, level, str(parameters.get("organisation") or parameters.get("code", "")))
        period = Period(
            datetime.date.fromisoformat(parameters["start"]), datetime.date.fromisoformat(parameters["end"])
        )
    except Exception as error:  # PermissionDenied, Http404, bad parameters: nothing to build
        raise ExportRefused("Ces indicateurs ne vous sont pas accessibles.") from error
    report, snapshot = report_for(area, period)
    progress(1, 2)
    write_xlsx(report, area, period, output, closed=closing_line(snapshot))
    progress(2, 2)


def closing_line(snapshot: Any) -> str:
    if snapshot is None:
        return ""
    closed_at = timezone.localtime(snapshot.closed_at)
    return f"Semestre clos le {closed_at:%d/%m/%Y} par {snapshot.closed_by.get_full_name()} : chiffres figés."


def _xlsx_kind() -> Any:
    from exports.registry import ExportKind

    return ExportKind(
        name="reporting_xlsx",
        label="Indicateurs du tableau de bord (Excel)",
        builder="reporting.exports.build_dashboard_xlsx",
        extension="xlsx",
        content_type=XLSX_CONTENT_TYPE,
        filename_prefix="indicateurs",
    )


XLSX_KIND = _xlsx_kind()


def pdf_bytes(report: dict[str, Any], area: Area, period: Period, *, actor: Any, closed: str = "") -> bytes:
    """The report with its charts (SVG) and tables, on the shared PDF base (A4, fonts, header)."""
    from e2c_referrals.pdf.base import document_context, render_pdf
    from reporting.services.facts import refreshed_at

    context: dict[str, Any] = document_context(actor=actor, title=f"Indicateurs — {area.name}")
    child_table = presentation.breakdown(report, AREA, area.level) if area.level in presentation.CHILD_TITLES else None
    context.update(
        {
            "area": area,
            "period": period,
            "closed": closed,
            "refreshed_at": None if closed else refreshed_at(),
            "charts": presentation.charts(report, area.level),
            "sections": presentation.section_tables(report),
            "area_table": child_table,
            "child_title": presentation.CHILD_TITLES.get(area.level, ""),
        }
    )
    return render_pdf("reporting/pdf/report.html", context)
