"""The RGAA self-audit (docs/rgaa-audit.md) covers all 106 criteria once, its rate is the one its grid gives, and the
accessibility statement (templates/accessibility.html) and the footer declare that rate and the state it gives.

The grid is edited by hand after each fix: these checks keep the headline, the list of non-conformities and the
per-page columns in agreement with each other.
"""

import re
from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse

AUDIT = Path(__file__).resolve().parents[1] / "docs" / "rgaa-audit.md"
# RGAA 4.1: number of criteria in each of the 13 topics (106 in all).
CRITERIA_PER_TOPIC = [9, 2, 3, 13, 8, 2, 5, 10, 4, 14, 13, 11, 12]
ALL_CRITERIA = [
    f"{topic}.{number}" for topic, count in enumerate(CRITERIA_PER_TOPIC, 1) for number in range(1, count + 1)
]
# | critère | objet | P1 | P2 | P3 | P4 | P5 | méthode | résultat | constat |
GRID_COLUMNS = 10
HEADLINE = re.compile(
    r"\*\*(\d+) critères conformes, (\d+) non conformes, (\d+) non applicables : "
    r"taux de conformité (\d+) / (\d+) = (\d+),(\d) %\.\*\*"
)


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def grid_rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in AUDIT.read_text(encoding="utf-8").splitlines():
        row = cells(line)
        if line.startswith("| ") and len(row) == GRID_COLUMNS and re.fullmatch(r"\d+\.\d+", row[0]):
            assert row[0] not in rows, f"criterion {row[0]} appears twice in the grid"
            rows[row[0]] = row
    return rows


def overall(result: str) -> str:
    return "NC" if result.startswith("NC") else result


def test_the_grid_covers_each_rgaa_criterion_once_with_a_result_that_follows_its_pages():
    rows = grid_rows()

    assert list(rows) == ALL_CRITERIA
    for number, row in rows.items():
        pages, result = row[2:7], overall(row[8])
        assert set(pages) <= {"C", "NC", "NA"}, f"{number}: {pages}"
        expected = "NC" if "NC" in pages else "C" if "C" in pages else "NA"
        assert result == expected, f"{number}: pages {pages} but result {row[8]!r}"
        assert row[7] and row[9], f"{number}: the method and the finding are both required"


def test_the_headline_rate_and_the_list_of_non_conformities_are_those_of_the_grid():
    rows = grid_rows()
    counts = Counter(overall(row[8]) for row in rows.values())
    text = AUDIT.read_text(encoding="utf-8")
    headline = HEADLINE.search(text)
    assert headline, "the headline (counts and rate) is missing"
    conforming, failing, not_applicable, numerator, denominator, units, tenth = map(int, headline.groups())

    assert (conforming, failing, not_applicable) == (counts["C"], counts["NC"], counts["NA"])
    assert (numerator, denominator) == (conforming, conforming + failing)
    assert units * 10 + tenth == round(1000 * conforming / (conforming + failing))
    listed = {
        cells(line)[0]
        for line in text.split("## Grille détaillée")[0].splitlines()
        if re.match(r"\| \d+\.\d+ \|", line)
    }
    assert listed == {number for number, row in rows.items() if overall(row[8]) == "NC"}


def conformity_state(numerator: int, denominator: int) -> str:
    """The state an accessibility statement declares (RGAA): total at 100 %, partial from 50 %."""
    if numerator == denominator:
        return "totalement conforme"
    return "partiellement conforme" if 2 * numerator >= denominator else "non conforme"


@pytest.mark.django_db
def test_the_statement_and_the_footer_declare_the_state_and_the_rate_of_the_audit(client):
    headline = HEADLINE.search(AUDIT.read_text(encoding="utf-8"))
    assert headline
    conforming, failing, not_applicable, numerator, denominator, units, tenth = map(int, headline.groups())
    state = conformity_state(numerator, denominator)
    rate = f"{units} %" if tenth == 0 else f"{units},{tenth} %"

    page = " ".join(client.get(reverse("accessibility")).content.decode().split())

    assert f"est <strong>{state}</strong> avec le référentiel" in page
    assert f"{rate} des critères du RGAA applicables sont respectés" in page
    assert f"{conforming} critères conformes sur {denominator} applicables, {failing} non conforme" in page
    assert f"{not_applicable} non applicables" in page
    assert f"Accessibilité : {state}</a>" in page  # the footer, on every page
    assert f'href="{reverse("site_map")}"' in page
    assert "ne sont pas balisés" not in page and "non balisés :" not in page
