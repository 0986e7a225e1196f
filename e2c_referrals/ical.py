"""The organisation's iCalendar feed (RFC 5545) of information sessions, and its secret address.

The feed holds no personal data: kind, site, place, times, seats left. Calendar programs poll the
secret address without signing in; a manager regenerates it when it leaked (the old one → 404).
"""

from __future__ import annotations

import datetime
import secrets
import zoneinfo

import icalendar
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from e2c_referrals.access import can_regenerate_feed
from e2c_referrals.enums import RegistrationStatus, SessionStatus, SessionVenue
from e2c_referrals.models import CalendarFeed, InformationSession
from e2c_referrals.selectors.sessions import site_ids_for_organisations
from partners.access import Actor
from partners.french import count_fr
from partners.models import Organisation

PRODUCT_ID = "-//Orientations E2C//Séances d'information//FR"
# Sessions ended more than this long ago drop out of the feed (calendars keep what they saw).
FEED_HISTORY = datetime.timedelta(days=90)


def feed_for(organisation: Organisation) -> CalendarFeed:
    """The organisation's feed address, created on first use."""
    feed, _ = CalendarFeed.objects.get_or_create(
        organisation=organisation, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


@transaction.atomic
def feed_regenerate(*, actor: Actor) -> CalendarFeed:
    """A new secret address for the actor's organisation; the previous one stops answering."""
    if not can_regenerate_feed(actor) or actor.organisation is None:
        raise PermissionDenied("Seul un responsable de la structure change l'adresse du calendrier.")
    feed = CalendarFeed.objects.select_for_update().filter(organisation=actor.organisation).first()
    if feed is None:
        return CalendarFeed.objects.create(
            organisation=actor.organisation, token=secrets.token_urlsafe(32), created_by=actor.user
        )
    feed.token, feed.created_at, feed.created_by = secrets.token_urlsafe(32), timezone.now(), actor.user
    feed.save(update_fields=["token", "created_at", "created_by"])
    return feed


def feed_organisation(token: str) -> Organisation | None:
    feed = CalendarFeed.objects.select_related("organisation").filter(token=token).first()
    if feed is None or not feed.organisation.is_active:
        return None
    return feed.organisation


def calendar_bytes(organisation: Organisation, *, base_url: str) -> bytes:
    """The sessions of the sites this organisation works with, as an iCalendar file."""
    family = [organisation.pk, *Organisation.objects.filter(parent=organisation).values_list("pk", flat=True)]
    sessions = (
        InformationSession.objects.filter(
            e2c_site_id__in=site_ids_for_organisations(family, e2c=organisation.is_e2c),
            ends_at__gte=timezone.now() - FEED_HISTORY,
        )
        .select_related("e2c_site", "venue_organisation")
        .annotate(registered=Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)))
        .order_by("starts_at", "id")
    )
    paris = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Séances E2C — {organisation.name}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        event = icalendar.Event()
        event.add("uid", f"{session.public_id}@orientations-e2c")
        event.add("dtstamp", session.updated_at.astimezone(datetime.UTC))
        event.add("dtstart", session.starts_at.astimezone(paris))
        event.add("dtend", session.ends_at.astimezone(paris))
        event.add("sequence", session.sequence)
        event.add("summary", f"{session.get_kind_display()} — {session.e2c_site.name}")
        where = session.address
        if session.venue == SessionVenue.PARTNER and session.venue_organisation is not None:
            where = f"{session.venue_organisation.name}, {session.address}"
        event.add("location", where)
        if session.status == SessionStatus.CANCELLED:
            event.add("status", "CANCELLED")
            description = f"Séance annulée : {session.cancellation_reason}"
        else:
            event.add("status", "CONFIRMED")
            left = max(session.capacity - session.registered, 0)
            description = (
                f"{count_fr(left, 'place restante', 'places restantes')} sur {session.capacity}. "
                f"Inscriptions jusqu'au {session.registration_deadline:%d/%m/%Y}."
            )
        event.add("description", description)
        event.add("url", f"{base_url}/seances/{session.public_id}/")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
