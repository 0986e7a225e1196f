"""How a report is shown: statistical secrecy, French number formats, tables and bar charts.

Statistical secrecy (the rule, applied on every page and in every export): a count of young people
(referrals, entries, exits, hand-backs) from 1 to 4 is shown as "< 5"; a rate whose numerator or
denominator is such a count, and a delay computed on fewer than 5 referrals, are shown as "secret".
Zero is shown (nobody to identify); counts of organisations, agreements or départements are never
masked. A masked value draws no bar in a chart. Names of young people are never part of a report.
Known limit: a masked cell can sometimes be deduced from a total and the other rows of a breakdown
(secondary secrecy is not applied).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from partners.french import number_fr
from reporting.indicators import (
    AGREEMENTS,
    AREA,
    COVERAGE,
    DELAYS,
    EXITS,
    HAND_BACKS,
    INDICATORS,
    NETWORK,
    OUTCOMES,
    PIPELINE,
    SESSIONS,
    Indicator,
    Kind,
    Level,
)

THRESHOLD = 5
MASKED = "< 5"
CONFIDENTIAL = "secret"
NOT_APPLICABLE = "—"


@dataclasses.dataclass(frozen=True)
class Cell:
    text: str
    number: float | int | None  # None when masked or not applicable (exports write the text)
    masked: bool = False


def _small(value: Any) -> bool:
    return isinstance(value, int) and 0 < value < THRESHOLD


def french_number(value: float, decimals: int = 0) -> str:
    """« 12 345 », « 66,7 »: ``partners.french.number_fr``, the one French number format of pages,
    e-mails and PDFs (rounded to ``decimals``: Django's ``number_format`` cuts the digits instead,
    it wrote 2/3 as « 66,6 % »)."""
    return number_fr(value, decimals)


def cell(indicator: Indicator, row: dict[str, Any]) -> Cell:
    value = row.get(indicator.key)
    if indicator.kind == Kind.PEOPLE:
        if _small(value):
            return Cell(MASKED, None, masked=True)
        return Cell(french_number(value or 0), value or 0)
    if indicator.kind == Kind.COUNT:
        return Cell(french_number(value or 0), value or 0)
    if indicator.kind == Kind.RATE:
        if _small(row.get(indicator.numerator)) or _small(row.get(indicator.denominator)):
            return Cell(CONFIDENTIAL, None, masked=True)
        if value is None:
            return Cell(NOT_APPLICABLE, None)
        return Cell(f"{french_number(value * 100, 1)} %", value)
    # DAYS
    if _small(row.get(indicator.base)):
        return Cell(CONFIDENTIAL, None, masked=True)
    if value is None:
        return Cell(NOT_APPLICABLE, None)
    return Cell(f"{french_number(value, 1)} j", value)


@dataclasses.dataclass(frozen=True)
class Section:
    slug: str
    title: str
    indicators: Sequence[Indicator]


SECTIONS = [
    Section("parcours", "Parcours des orientations envoyées sur la période", PIPELINE),
    Section("delais", "Délais depuis l'envoi", DELAYS),
    Section("sorties", "Sorties enregistrées sur la période", [*EXITS, *OUTCOMES]),
    Section("retours", "Retours vers le prescripteur sur la période", HAND_BACKS),
    Section("accords", "Accords en vigueur et couverture territoriale", [*AGREEMENTS, *COVERAGE]),
    *([Section("seances", "Informations collectives et immersions", SESSIONS)] if SESSIONS else []),
]
BREAKDOWN_COLUMNS = [
    INDICATORS[key]
    for key in (
        "sent",
        "acknowledged",
        "attended",
        "enrolled",
        "integration_rate",
        "enrolled_p50",
        "exits",
        "positive_rate",
        "hand_backs",
    )
]
COVERAGE_COLUMNS = [INDICATORS["departements_with_site"], INDICATORS["departements_without_site"]]
FUNNEL = [INDICATORS[key] for key in ("sent", "acknowledged", "invited", "attended", "integration", "enrolled")]
CHILD_TITLES = {Level.NATIONAL: "région", Level.REGION: "département", Level.DEPARTEMENT: "organisation"}


# The dashboard's repeated rows (some 300 cells and bars a page) are written by ``format_html_join``
# rather than by template loops: the page is mostly these rows, and the template engine spent more time
# on them than PostgreSQL on an organisation's aggregates. Each cell is escaped all the same.
LABEL_ROW = '<tr><th scope="row" class="fw-normal">{}</th><td class="text-end">{}</td></tr>'


def section_tables(report: dict[str, Any]) -> list[dict[str, Any]]:
    totals = report["totals"]
    sections = []
    for section in SECTIONS:
        rows = [(indicator, cell(indicator, totals)) for indicator in section.indicators]
        sections.append(
            {
                "slug": section.slug,
                "title": section.title,
                "rows": rows,
                "rows_html": format_html_join("", LABEL_ROW, ((i.label, c.text) for i, c in rows)),
            }
        )
    return sections


def options_html(choices: Iterable[tuple[str, str]], selected: str = "") -> SafeString:
    """The ``<option>`` elements of a filter's select (``selected``: the value chosen, if any)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in choices),
    )


def breakdown_rows_html(table: dict[str, Any], period_query: str) -> SafeString:
    """The body rows of a breakdown's table (a drill-down link when the row has a ``url``)."""
    if not table["rows"]:
        return format_html('<tr><td colspan="{}">Aucune donnée sur la période.</td></tr>', len(table["columns"]) + 1)
    lines = []
    for row in table["rows"]:
        if row.get("url"):
            head = format_html('<a href="{}?{}">{}</a>', row["url"], period_query, row["label"])
        else:
            head = format_html("{}", row["label"])
        cells = format_html_join("", '<td class="text-end">{}</td>', ((c.text,) for c in row["cells"]))
        lines.append(format_html('<tr><th scope="row" class="fw-normal">{}</th>{}</tr>', head, cells))
    return SafeString("\n".join(lines))


def breakdown(report: dict[str, Any], dimension: str, level: Level) -> dict[str, Any]:
    """A breakdown's table: one row per key, in label order, with the columns for that level."""
    columns = list(BREAKDOWN_COLUMNS)
    if dimension == AREA and level in (Level.NATIONAL, Level.REGION):
        columns += COVERAGE_COLUMNS
    labels = report["labels"][dimension]
    rows = [
        {"key": key, "label": labels.get(key, key), "cells": [cell(indicator, row) for indicator in columns]}
        for key, row in report["rows"][dimension].items()
    ]
    rows.sort(key=lambda row: str(row["label"]))
    return {"columns": columns, "rows": rows}


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    cell: Cell
    # SVG coordinates as plain strings: a localised template would write "12,5" (invalid SVG).
    width: str  # percent of the chart's width; "0" for a masked value (no bar drawn)
    value_x: str
    y: int
    text_y: int
    # The same in user units of a 1000-wide viewBox (the PDF: WeasyPrint's SVG wants no percentages).
    width_units: str = "0"
    value_x_units: str = "0"


BAR_HEIGHT = 28
LABEL_WIDTH = 45.0  # percent of the width given to the labels
BARS_WIDTH = 42.0  # percent given to the longest bar
LABEL_CHARACTERS = 48  # a longer label is cut, « … » included (the data table below has it whole)


def bar_chart(slug: str, title: str, items: list[tuple[str, Cell]]) -> dict[str, Any]:
    """A horizontal bar chart drawn in SVG by the template, from the cells of its data table."""
    largest = max((float(c.number) for _label, c in items if c.number), default=0.0)
    bars = []
    for index, (label, c) in enumerate(items):
        width = round(float(c.number) * BARS_WIDTH / largest, 2) if c.number and largest else 0.0
        bars.append(
            Bar(
                label=label,
                cell=c,
                width=f"{width}%",
                value_x=f"{LABEL_WIDTH + width + 1}%",
                y=index * BAR_HEIGHT + 6,
                text_y=index * BAR_HEIGHT + 19,
                width_units=f"{width * 10:.1f}",
                value_x_units=f"{(LABEL_WIDTH + width + 1) * 10:.1f}",
            )
        )
    return {
        "slug": slug,
        "title": title,
        "bars": bars,
        "bars_html": _bars_html(bars),
        "rows_html": format_html_join("", LABEL_ROW, ((bar.label, bar.cell.text) for bar in bars)),
        "height": max(1, len(bars)) * BAR_HEIGHT,
        "label_x": f"{LABEL_WIDTH - 1}%",
        "bars_x": f"{LABEL_WIDTH}%",
        "height_mm": f"{max(1, len(bars)) * BAR_HEIGHT * 0.17:.1f}",  # a 1000-unit viewBox drawn 170 mm wide
        "label_x_units": f"{(LABEL_WIDTH - 1) * 10:.0f}",
        "bars_x_units": f"{LABEL_WIDTH * 10:.0f}",
    }


def _bars_html(bars: list[Bar]) -> SafeString:
    """The SVG of the bars: each label (cut at 48 characters), its bar unless masked or zero, its value."""
    lines = []
    for bar in bars:
        label = format_html(
            '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#212529">{}</text>',
            f"{LABEL_WIDTH - 1}%",
            bar.text_y,
            bar.label if len(bar.label) <= LABEL_CHARACTERS else f"{bar.label[: LABEL_CHARACTERS - 1]}…",
        )
        rect = (
            format_html(
                '<rect x="{}" y="{}" width="{}" height="16" fill="#0b5ed7"></rect>', f"{LABEL_WIDTH}%", bar.y, bar.width
            )
            if bar.cell.number
            else ""
        )
        value = format_html(
            '<text x="{}" y="{}" font-size="13" fill="#212529">{}</text>', bar.value_x, bar.text_y, bar.cell.text
        )
        lines.append(format_html("{}{}{}", label, rect, value))
    return SafeString("\n".join(lines))


def charts(report: dict[str, Any], level: Level) -> list[dict[str, Any]]:
    totals = report["totals"]
    outcomes = [(indicator.label, cell(indicator, totals)) for indicator in OUTCOMES]
    drawn = [
        bar_chart(
            "graphique-parcours",
            "Parcours des orientations envoyées sur la période",
            [(indicator.label, cell(indicator, totals)) for indicator in FUNNEL],
        ),
        bar_chart("graphique-sorties", "Sorties par situation à la sortie", outcomes),
    ]
    if level in CHILD_TITLES:
        table = breakdown(report, AREA, level)
        drawn.append(
            bar_chart(
                "graphique-territoires",
                f"Orientations envoyées par {CHILD_TITLES[level]}",
                [(row["label"], row["cells"][0]) for row in table["rows"]],
            )
        )
    return drawn


def network_breakdown(report: dict[str, Any]) -> dict[str, Any]:
    return breakdown(report, NETWORK, Level.ORGANISATION)
