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
