"""The words of a list row written in Python (issue 21) are those the templates' filters wrote."""

import datetime
import uuid

import pytest
from django.template import Context, Template
from django.utils import timezone

from e2c_referrals.enums import SessionKind, SessionStatus
from e2c_referrals.models import InformationSession
from e2c_referrals.selectors.inbox import _since_sent
from e2c_referrals.selectors.sessions import _seats, session_rows
from partners.enums import OrganisationKind
from partners.french import localized_integer
from partners.models import Organisation


@pytest.mark.parametrize("value", [0, 1, 7, 999, 1000, 1250, 123456, -5, -1250])
def test_an_integer_is_written_as_a_template_prints_it(value):
    assert localized_integer(value) == Template("{{ value }}").render(Context({"value": value}))


@pytest.mark.parametrize(
    ("working_days", "expected"),
    [(None, "—"), (0, "0 jour ouvré"), (1, "1 jour ouvré"), (5, "5 jours ouvrés"), (1250, "1\xa0250 jours ouvrés")],
)
def test_the_working_days_since_sent_in_words(working_days, expected):
    assert _since_sent(working_days) == expected


def session(status=SessionStatus.PLANNED, capacity=12, registered=0, waiting=0, **fields):
    found = InformationSession(status=status, capacity=capacity, **fields)
    found.registered, found.waiting = registered, waiting
    return found


@pytest.mark.parametrize(
    ("found", "badge", "text"),
    [
        (session(registered=0), "text-bg-success", "12 places, 0 inscrit"),
        (session(registered=3), "text-bg-success", "12 places, 3 inscrits"),
        (session(capacity=1, registered=1), "text-bg-warning", "Complète"),
        (session(capacity=2, registered=2, waiting=2), "text-bg-warning", "Complète : 2 en attente"),
        (session(status=SessionStatus.HELD, registered=1), "text-bg-light border", "Tenue : 1 inscrit"),
        (session(status=SessionStatus.CANCELLED, registered=4), "text-bg-secondary", "Annulée"),
    ],
)
def test_the_seats_badge_of_each_kind_of_session(found, badge, text):
    assert _seats(found) == (badge, text)


def test_a_session_row_is_dated_in_paris_with_the_french_first_of_the_month():
    site = Organisation(name="E2C Lyon — site de Vaise", kind=OrganisationKind.E2C_SITE)
    venue = Organisation(name="France Travail Lyon Part-Dieu", kind=OrganisationKind.FRANCE_TRAVAIL)
    # 1 March 2027, 8:30 in Paris is 7:30 UTC; the session ends at 23:30 UTC, 0:30 the next day in Paris.
    starts = datetime.datetime(2027, 3, 1, 7, 30, tzinfo=datetime.UTC)
    found = session(
        kind=SessionKind.INFORMATION,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=16),
        address="12 rue d'Œuvre, 69009 Lyon",
        public_id=uuid.uuid4(),
        e2c_site=site,
        venue_organisation=venue,
    )
    (row,) = session_rows([found])
    assert row.day == "lundi 1er mars 2027"
    assert row.hours == "08h30 – 00h30"
    assert row.kind == "Information collective"
    assert row.site == "E2C Lyon — site de Vaise"
    assert row.place == f"{venue.display_name(timezone.localdate())}, 12 rue d'Œuvre, 69009 Lyon"
    assert row.url == f"/seances/{found.public_id}/"
