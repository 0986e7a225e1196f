import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 12, 1), "1er décembre 2026"),
        (datetime.date(2026, 12, 2), "2 décembre 2026"),
        (datetime.date(2026, 12, 11), "11 décembre 2026"),
        (datetime.date(2027, 1, 21), "21 janvier 2027"),
    ],
)
def test_the_first_of_the_month_is_written_1er_and_no_other_day(day, expected):
    assert render("{{ day|date_fr }}", day=day) == expected


def test_weekday_time_and_escaped_letters_keep_their_meaning():
    moment = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=PARIS)
    assert render('{{ moment|date_fr:"l j F Y à H\\hi" }}', moment=moment) == "mardi 1er décembre 2026 à 09h30"
    assert render('{{ moment|date_fr:"j F Y H:i" }}', moment=moment) == "1er décembre 2026 09:30"


def test_an_aware_moment_is_dated_in_paris():
    # 30 November 23:30 UTC is 1 December 00:30 in Paris
    moment = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)
    with timezone.override(PARIS):
        assert render('{{ moment|date_fr:"j F Y à H:i" }}', moment=moment) == "1er décembre 2026 à 00:30"


def test_nothing_gives_nothing():
    assert render("[{{ day|date_fr }}]", day=None) == "[]"
