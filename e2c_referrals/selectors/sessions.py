"""Reads of information sessions, scoped: an E2C sees its sites' sessions, an ML or France Travail
agency the sessions of the sites it works with (its correspondents, or its referrals)."""

from __future__ import annotations

import dataclasses
import datetime
import uuid

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from common.french_dates import date_fr
from common.uuid_urls import uuid_reverse
from e2c_referrals.enums import INVITABLE_STATUSES, OPEN_STATUSES, RegistrationStatus, SessionStatus
from e2c_referrals.models import AdviserImmersion, InformationSession, Referral, SessionRegistration
from pagination.keyset import KeysetPage, paginate
from partners.access import Actor, Capability
from partners.enums import OrganisationKind
from partners.french import count_fr, localized_integer, pluralize_fr
from partners.models import Correspondent, Organisation

R = RegistrationStatus
PAST_WINDOW = datetime.timedelta(days=366)
# What the sessions list shows of a session and of its sites (not the sites' other columns).
LIST_COLUMNS = (
    "public_id",
    "kind",
    "starts_at",
    "ends_at",
    "address",
    "capacity",
    "status",
    "e2c_site__name",
    "e2c_site__kind",
    "venue_organisation__name",
    "venue_organisation__kind",
)


def site_ids_for_organisations(organisation_ids: list[int], *, e2c: bool) -> list[int]:
    """The E2C sites whose sessions these organisations follow."""
    if e2c:
        return list(
            Organisation.objects.filter(kind=OrganisationKind.E2C_SITE, pk__in=organisation_ids).values_list(
                "pk", flat=True
            )
        )
    paired = Correspondent.objects.filter(partner_id__in=organisation_ids).values_list("e2c_site_id", flat=True)
    referred = Referral.objects.filter(
        referring_organisation_id__in=organisation_ids, status__in=sorted(OPEN_STATUSES)
    ).values_list("e2c_site_id", flat=True)
    return sorted(set(paired.union(referred)))  # one query (UNION: each site once)


def planning_sites(actor: Actor) -> list[Organisation]:
    """The active E2C sites the actor's team plans sessions for (their site, or their school's)."""
    organisation = actor.organisation
    if organisation is not None and actor.acts_alone:  # read with the memberships, which are of active ones
        return [organisation] if organisation.kind == OrganisationKind.E2C_SITE and organisation.is_active else []
    return list(
        Organisation.objects.filter(pk__in=actor.family_ids, kind=OrganisationKind.E2C_SITE, is_active=True).order_by(
            "sort_name", "pk"
        )
    )


def session_site_ids(actor: Actor) -> list[int]:
    organisation = actor.organisation
    if organisation is None or not actor.can(Capability.VIEW_PERSONAL_DATA):
        return []
    if organisation.is_e2c and actor.acts_alone:  # a site's team: their own site (no query)
        return [organisation.pk] if organisation.kind == OrganisationKind.E2C_SITE else []
    return site_ids_for_organisations(actor.family_ids, e2c=organisation.is_e2c)


def sessions_for_actor(actor: Actor) -> QuerySet[InformationSession]:
    """Sessions the actor may see, with their seat counts (``registered``, ``waiting``)."""
    return (
        InformationSession.objects.filter(e2c_site_id__in=session_site_ids(actor))
        .select_related("e2c_site", "venue_organisation")
        .annotate(
            registered=Count("registrations", filter=Q(registrations__status=R.REGISTERED)),
            waiting=Count("registrations", filter=Q(registrations__status=R.WAITING)),
        )
    )


def _seat_count(status: RegistrationStatus) -> Coalesce:
    """The session's registrations in ``status``, as a correlated subquery: PostgreSQL evaluates it
    for the rows of the page only (after ORDER BY … LIMIT, on the ``registration_queue`` index), where
    a ``Count`` over a join aggregates the registrations of every session of the list first."""
    counted = (
        SessionRegistration.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclasses.dataclass(frozen=True)
class SessionRow:
    """One session as the list shows it, its words written once here (dates in Paris time, the seats
    badge) so that the template prints them: a page of 50 sessions runs no filter per cell (issue 21)."""

    pk: int
    public_id: uuid.UUID
    url: str
    day: str  # « lundi 7 décembre 2026 »
    hours: str  # « 14h00 – 16h30 »
    kind: str
    site: str
    place: str  # the venue organisation (if any) and the address
    seats_badge: str  # the badge's classes
    seats: str  # « 12 places, 3 inscrits », « Complète : 2 en attente », « Annulée »…


@dataclasses.dataclass(frozen=True)
class SessionsPage:
    page: KeysetPage[SessionRow]
    follows_sites: bool  # does the actor follow any E2C site (else the page says how to)


def _seats(session: InformationSession) -> tuple[str, str]:
    registered, waiting = int(getattr(session, "registered", 0)), int(getattr(session, "waiting", 0))
    people = f"{localized_integer(registered)} inscrit{pluralize_fr(registered)}"
    if session.status == SessionStatus.CANCELLED:
        return "text-bg-secondary", "Annulée"
    if session.status == SessionStatus.HELD:
        return "text-bg-light border", f"Tenue : {people}"
    if registered >= session.capacity:
        return "text-bg-warning", "Complète" + (f" : {localized_integer(waiting)} en attente" if waiting else "")
    return "text-bg-success", f"{count_fr(session.capacity, 'place')}, {people}"


def _hour(moment: datetime.datetime) -> str:
    return f"{moment:%H}h{moment:%M}"


def session_rows(sessions: list[InformationSession]) -> list[SessionRow]:
    days: dict[datetime.date, str] = {}  # a page holds few distinct days
    rows = []
    for session in sessions:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        if starts.date() not in days:
            days[starts.date()] = date_fr(starts, "l j F Y")
        badge, seats = _seats(session)
        venue = session.venue_organisation
        rows.append(
            SessionRow(
                pk=session.pk,
                public_id=session.public_id,
                url=uuid_reverse("e2c_referrals:session_detail", public_id=session.public_id),
                day=days[starts.date()],
                hours=f"{_hour(starts)} – {_hour(ends)}",
                kind=session.get_kind_display(),
                site=str(session.e2c_site),
                place=(f"{venue}, " if venue else "") + session.address,
                seats_badge=badge,
                seats=seats,
            )
        )
    return rows


def sessions_page(*, actor: Actor, past: bool, after: str | None, before: str | None) -> SessionsPage:
    """The sessions list: upcoming ones (not yet over), or those of the last twelve months, soonest
    first, with their seat counts. The sites the actor follows are read once; the rows come from an
    index bounded by the date (``session_upcoming`` on the end, or ``session_site_calendar``), so
    their number does not grow with the years of history, and only the page's rows are counted."""
    site_ids = session_site_ids(actor)
    now = timezone.now()
    sessions: QuerySet[InformationSession] = (
        InformationSession.objects.filter(e2c_site_id__in=site_ids)
        .select_related("e2c_site", "venue_organisation")
        .only(*LIST_COLUMNS)
        .annotate(registered=_seat_count(R.REGISTERED), waiting=_seat_count(R.WAITING))
    )
    if past:
        sessions = sessions.filter(starts_at__lt=now, starts_at__gte=now - PAST_WINDOW)
    else:
        sessions = sessions.filter(ends_at__gte=now)
    page = paginate(sessions, keys=("starts_at", "id"), after=after, before=before)
    rows = KeysetPage(
        items=session_rows(page.items), next_cursor=page.next_cursor, previous_cursor=page.previous_cursor
    )
    return SessionsPage(page=rows, follows_sites=bool(site_ids))


def session_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> InformationSession:
    try:
        return sessions_for_actor(actor).get(public_id=public_id)
    except (InformationSession.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Séance introuvable.") from error


def visible_registrations(actor: Actor, session: InformationSession) -> QuerySet[SessionRegistration]:
    """The E2C sees every registration; a referrer only those of its own referrals (names are
    personal data of another organisation's young people)."""
    registrations = session.registrations.select_related(
        "referral__young_person", "referral__referring_organisation", "referral__referring_adviser", "registered_by"
    ).order_by("created_at", "id")
    if session.e2c_site_id in actor.family_ids and actor.can(Capability.PROCESS_REFERRALS):
        return registrations
    return registrations.filter(referral__referring_organisation_id__in=actor.family_ids)


def registrable_referrals(actor: Actor, site: Organisation) -> QuerySet[Referral]:
    """Referrals to ``site`` the actor may register to a session: taken into account by the E2C (or
    absent from a previous session), sent by the actor's organisation or received by its site."""
    condition = Q(pk__in=[])
    if actor.can(Capability.REFER):
        condition |= Q(referring_organisation_id__in=actor.family_ids)
    if actor.can(Capability.PROCESS_REFERRALS) and site.pk in actor.family_ids:
        condition |= Q(e2c_site_id=site.pk)
    return (
        Referral.objects.filter(condition, e2c_site=site, status__in=list(INVITABLE_STATUSES))
        .select_related("young_person")
        .order_by("young_person__last_name", "young_person__first_name", "id")
    )


def open_sessions_for_referral(referral: Referral) -> QuerySet[InformationSession]:
    """The site's planned sessions still open to registration, soonest first, with seat counts."""
    return (
        InformationSession.objects.filter(
            e2c_site_id=referral.e2c_site_id,
            status=SessionStatus.PLANNED,
            starts_at__gt=timezone.now(),
            registration_deadline__gte=timezone.localdate(),
        )
        .annotate(registered=Count("registrations", filter=Q(registrations__status=R.REGISTERED)))
        .select_related("e2c_site", "venue_organisation")
        .order_by("starts_at", "id")
    )


def registrations_of_referral(referral: Referral) -> QuerySet[SessionRegistration]:
    return referral.session_registrations.select_related("session").order_by("-created_at", "-id")


def immersions_for_actor(actor: Actor) -> QuerySet[AdviserImmersion]:
    """Immersions where the actor's organisation (or its sites) visited or hosted."""
    if actor.organisation is None or not actor.can(Capability.VIEW_PERSONAL_DATA):
        return AdviserImmersion.objects.none()
    family = actor.family_ids
    return (
        AdviserImmersion.objects.filter(Q(visiting_organisation_id__in=family) | Q(host_organisation_id__in=family))
        .select_related("visiting_organisation", "host_organisation", "recorded_by")
        .prefetch_related("participants")
    )
