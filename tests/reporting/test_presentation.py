"""The dashboard's repeated rows, written in Python (``format_html_join``) rather than by template loops."""

from reporting import presentation
from reporting.indicators import INDICATORS


def test_breakdown_rows_escape_names_link_to_the_child_area_with_the_period_and_mask_small_counts():
    # Given: a breakdown with a name that looks like HTML, one row with a drill-down link
    table = {
        "columns": [INDICATORS["sent"], INDICATORS["enrolled"]],
        "rows": [
            {
                "key": "1",
                "label": "<b>E2C & Cie</b>",
                "url": "/indicateurs/organisation/abc/",
                "cells": [
                    presentation.cell(INDICATORS["sent"], {"sent": 12}),
                    presentation.cell(INDICATORS["enrolled"], {"enrolled": 3}),
                ],
            },
            {"key": "2", "label": "Sans lien", "cells": [presentation.cell(INDICATORS["sent"], {"sent": 0})]},
        ],
    }

    # When
    html = presentation.breakdown_rows_html(table, "semestre=2026-S1")

    # Then
    assert '<a href="/indicateurs/organisation/abc/?semestre=2026-S1">&lt;b&gt;E2C &amp; Cie&lt;/b&gt;</a>' in html
    assert '<td class="text-end">12</td><td class="text-end">&lt; 5</td>' in html
    assert '<th scope="row" class="fw-normal">Sans lien</th><td class="text-end">0</td>' in html
    assert "<b>" not in html


def test_an_empty_breakdown_says_so_across_all_its_columns():
    table = {"columns": [INDICATORS["sent"], INDICATORS["enrolled"]], "rows": []}

    assert presentation.breakdown_rows_html(table, "") == (
        '<tr><td colspan="3">Aucune donnée sur la période.</td></tr>'
    )


def test_chart_bars_cut_long_labels_and_draw_no_bar_for_a_masked_or_zero_value():
    # Given
    long_label = "Une situation à la sortie au libellé particulièrement long, vraiment"
    items = [
        (long_label, presentation.cell(INDICATORS["sent"], {"sent": 40})),
        ("Masquée", presentation.cell(INDICATORS["sent"], {"sent": 2})),
        ("Nulle", presentation.cell(INDICATORS["sent"], {"sent": 0})),
    ]

    # When
    chart = presentation.bar_chart("graphique-test", "Test", items)

    # Then: one bar (the 40), the label cut at 48 characters, every value written, then the data table
    assert chart["bars_html"].count("<rect") == 1
    assert "Une situation à la sortie au libellé particuliè…" in chart["bars_html"]
    assert long_label not in chart["bars_html"]
    assert ">&lt; 5</text>" in chart["bars_html"] and ">0</text>" in chart["bars_html"]
    assert f'<th scope="row" class="fw-normal">{long_label}</th><td class="text-end">40</td>' in chart["rows_html"]


def test_filter_options_escape_their_labels_and_mark_the_chosen_one():
    html = presentation.options_html([("a", "Île-de-France"), ("b", "<Nord> & Pas-de-Calais")], selected="b")

    assert html == (
        '<option value="a">Île-de-France</option><option value="b" selected>&lt;Nord&gt; &amp; Pas-de-Calais</option>'
    )


def test_numbers_are_written_the_french_way_and_rounded_not_cut():
    # a count grouped by thousands, a rate and a delay rounded to a tenth (2/3 is 66,7 %, not 66,6 %)
    assert presentation.cell(INDICATORS["sent"], {"sent": 1234567}).text == "1\u202f234\u202f567"
    rate = INDICATORS["integration_rate"]
    assert presentation.cell(rate, {"integration_rate": 0.6667, "enrolled": 20, "sent": 30}).text == "66,7 %"
    assert presentation.cell(rate, {"integration_rate": 0.1, "enrolled": 10, "sent": 100}).text == "10,0 %"
    delay = INDICATORS["ack_p50"]
    assert presentation.cell(delay, {"ack_p50": 12.96, "acknowledged": 8}).text == "13,0 j"
    assert presentation.cell(delay, {"ack_p50": 3.5, "acknowledged": 8}).text == "3,5 j"
    assert presentation.french_number(1234.56, 1) == "1\u202f234,6"
