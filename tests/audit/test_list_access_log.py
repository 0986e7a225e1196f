"""Lists and searches that show young people's names are in the access log: one row per page shown,
with the young people it showed, found again by the administrators' search on a young person."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from cej.models import FollowUp
from e2c_referrals.enums import ReferralStatus
from e2c_referrals.models import Referral
from tests.cej.factories import YoungPersonFactory
from tests.e2c_referrals.sessions_support import invite, make_session
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def listing_rows(**filters):
    return list(AccessLog.objects.filter(purpose__in=["list", "search"], **filters).order_by("id"))


def sent_referral(world, young_person):
    return Referral.objects.create(
        young_person=young_person,
        referring_organisation=young_person.organisation,
        referring_adviser=world.user("adviser_ml"),
        e2c_site=world.site,
        diagnostic="Sans diplôme.",
        motivation="Motivée.",
        status=ReferralStatus.SENT,
        sent_at=timezone.now(),
    )


def test_the_list_of_young_people_logs_who_it_showed_and_a_search_its_results_only(client, world):
    # Given: three files of the adviser's Mission Locale, one of another
    mine = [YoungPersonFactory(organisation=world.ml_a, last_name=name) for name in ("Martin", "Bernard", "Morel")]
    YoungPersonFactory(organisation=world.ml_b, last_name="Ailleurs")
    client.force_login(world.user("adviser_ml"))

    # When: the list, a search that finds one, a search that finds nobody
    client.get(reverse("cej:young_people"))
    client.post(reverse("cej:young_people"), {"q": "Bernard"}, follow=True)
    client.post(reverse("cej:young_people"), {"q": "Zzzyzx"}, follow=True)

    # Then: two rows, for the adviser acting for her organisation, with identifiers only
    listed, searched = listing_rows()
    assert (listed.purpose, listed.object_type, listed.object_id) == ("list", "young_people", world.ml_a.public_id)
    assert set(listed.shown) == {person.public_id for person in mine}
    assert (searched.purpose, searched.object_type, searched.shown) == (
        "search",
        "young_people_search",
        [mine[1].public_id],
    )
    assert searched.user == world.user("adviser_ml") and searched.organisation == world.ml_a
    assert "Bernard" not in str(AccessLog.objects.values_list().filter(pk=searched.pk).get())


def test_the_e2c_inbox_and_the_sent_list_log_the_young_people_they_name(client, world):
    young_person = YoungPersonFactory(organisation=world.ml_a)
    sent_referral(world, young_person)

    client.force_login(world.user("e2c_staff"))
    client.get(reverse("e2c_referrals:inbox"))
    client.force_login(world.user("adviser_ml"))
    client.get(reverse("e2c_referrals:sent_referrals"))

    inbox_row, sent_row = listing_rows()
    assert (inbox_row.object_type, inbox_row.object_id, inbox_row.shown) == (
        "inbox",
        world.site.public_id,
        [young_person.public_id],
    )
    assert (sent_row.object_type, sent_row.user, sent_row.shown) == (
        "sent_referrals",
        world.user("adviser_ml"),
        [young_person.public_id],
    )


def test_a_session_page_logs_its_registered_young_people_under_the_session(client, world):
    young_person = YoungPersonFactory(organisation=world.ml_a)
    referral = sent_referral(world, young_person)
    referral.status = ReferralStatus.ACKNOWLEDGED
    referral.save(update_fields=["status"])
    session = make_session(world.site, created_by=world.user("e2c_staff"))
    invite(world, referral, session=session)
    client.force_login(world.user("e2c_staff"))

    client.get(reverse("e2c_referrals:session_detail", args=[session.public_id]))

    (row,) = listing_rows(object_type="session_registrations")
    assert row.object_id == session.public_id and row.shown == [young_person.public_id]


def test_the_home_page_logs_the_young_people_of_its_reminders_and_nothing_when_it_names_none(client, world):
    adviser = world.user("adviser_ml")
    late = YoungPersonFactory(organisation=world.ml_a, referent=adviser)
    FollowUp.objects.create(
        young_person=late, scheduled_on=timezone.localdate() - datetime.timedelta(days=3), created_by=adviser
    )
    client.force_login(adviser)
    client.get(reverse("home"))
    client.force_login(world.user("national_committee"))
    client.get(reverse("home"))

    (row,) = listing_rows()
    assert (row.object_type, row.user, row.shown) == ("home", adviser, [late.public_id])


def test_the_administrator_finds_the_lists_that_showed_a_young_person_and_exports_them(client, world):
    # Given: a young person seen in a list, then in her file
    young_person = YoungPersonFactory(organisation=world.ml_a)
    other = YoungPersonFactory(organisation=world.ml_a)
    client.force_login(world.user("adviser_ml"))
    client.get(reverse("cej:young_people"))
    client.get(reverse("cej:young_person_detail", args=[young_person.public_id]))

    # When: the administrator searches the log for her
    client.force_login(world.user("administrator"))
    response = client.get(reverse("audit:access_log"), {"object_id": str(young_person.public_id)})

    # Then: the file read and the list, newest first; the list says what it was and how many it showed
    rows = response.context["page"].items
    assert [row.purpose for row in rows] == ["view_file", "list"]
    content = response.content.decode()
    assert "Liste des jeunes suivis" in content and "(2 jeunes affichés)" in content
    export = client.get(reverse("audit:access_log_export"), {"object_id": str(young_person.public_id)})
    body = b"".join(export.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffDate;Utilisateur;Structure;Objet;Identifiant;Motif;Jeunes affichés")
    list_line = next(line for line in body.splitlines() if "Liste des jeunes suivis" in line)
    assert str(young_person.public_id) in list_line and str(other.public_id) in list_line
    assert young_person.last_name not in body
