"""Reads behind the referral pages: the E2C inbox, the referrer's list, hand-back tasks, the
young person's data an E2C may see. Every queryset is scoped by ``referrals_for_actor``'s rule."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cej.enums import ContractStatus, SharedData
from cej.models import CejContract, Consent, YoungPerson
from cej.selectors.consents import consent_in_force
from common.uuid_urls import uuid_reverse
from e2c_referrals.access import SIDE_ROLES, can_refer, can_use_inbox, sides_of
from e2c_referrals.calendar import latest_start_beyond, working_days_between
from e2c_referrals.enums import OPEN_STATUSES, HandBackReason, ReferralStatus
from e2c_referrals.models import HandBack, Referral
from e2c_referrals.selectors.consents import site_consents
from e2c_referrals.workflow import Side
from pagination.keyset import SEGMENT, KeysetPage, Segment, paginate_segments
from partners.access import Actor, Capability
from partners.enums import OrganisationKind, Role
from partners.french import localized_integer, pluralize_fr
from partners.models import Membership, Organisation, organisation_display_name

PAGE_SIZE = 50
# The E2C takes a sent referral into account within 5 working days (then it is late).
ACKNOWLEDGE_WITHIN_WORKING_DAYS = 5
# Sort keys of the inbox: late first, then the oldest change; the id makes the order total.
INBOX_KEYS = ("status_changed_at", "id")  # within each segment (the late ones, then the others)
# The referrer's list: the longest without news first (the keyset paginator sorts ascending).
SENT_KEYS = ("status_changed_at", "id")
# Listed by default: still in progress on the E2C side (a draft never reaches the E2C).
IN_PROGRESS = sorted(OPEN_STATUSES - {ReferralStatus.DRAFT})
ALL = "toutes"


# --- The E2C inbox --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InboxFilters:
    status: str = ""  # "" in progress, "toutes", or one ReferralStatus value
    site: str = ""  # an E2C site's public_id, "" for all the actor's sites


# What a row of the two lists shows, and nothing else (never a whole user: no password hash).
ROW_FIELDS = (
    "public_id",
    "status",
    "status_changed_at",
    "sent_at",
    "integration_planned_end_on",
    "young_person__public_id",
    "young_person__last_name",
    "young_person__first_name",
    "referring_organisation__name",
    "referring_organisation__kind",
    "referring_adviser__first_name",
    "referring_adviser__last_name",
    "e2c_site__name",
    "e2c_site__kind",
)
# The badge of each state (the same classes as e2c_referrals/_status.html).
BADGE_CLASSES = {
    ReferralStatus.EXITED: "text-bg-success",
    ReferralStatus.ENROLLED: "text-bg-success",
    ReferralStatus.NOT_ADMITTED: "text-bg-secondary",
    ReferralStatus.WITHDRAWN: "text-bg-secondary",
    ReferralStatus.CANCELLED: "text-bg-secondary",
    ReferralStatus.NO_SHOW: "text-bg-secondary",
    ReferralStatus.DRAFT: "text-bg-light border",
}


@dataclasses.dataclass(frozen=True)
class ReferralRow:
    """One referral as the inbox and the referrer's list show it (read with ``.values()``).

    What the row shows is written here once (labels, dates in Paris time, the working days in words),
    so the template only prints it: a page of 50 rows runs no filter per cell (issue 21)."""

    pk: int
    public_id: uuid.UUID
    status: str
    status_label: str
    badge_class: str
    status_changed_at: datetime.datetime
    changed_on: str  # « 07/12/2026 », the day of the last change in Paris
    sent_at: datetime.datetime | None
    young_person_public_id: uuid.UUID
    young_person_name: str  # « NOM Prénom », as the lists write it
    referring_organisation: str
    referring_adviser: str  # full name
    e2c_site: str
    working_days: int | None  # since it was sent
    since_sent: str  # « 3 jours ouvrés », « — » when not sent
    overdue: bool
    url: str  # the referral's page


def _since_sent(working_days: int | None) -> str:
    if working_days is None:
        return "—"
    plural = pluralize_fr(working_days)
    return f"{localized_integer(working_days)} jour{plural} ouvré{plural}"


def _rows(
    items: list[dict[str, Any]], *, today: datetime.date, overdue: Callable[[dict[str, Any]], bool]
) -> list[ReferralRow]:
    labels = {status.value: (status.label, BADGE_CLASSES.get(status, "text-bg-primary")) for status in ReferralStatus}
    rows = []
    for item in items:
        working_days = _working_days(item["sent_at"], today)
        label, badge = labels[item["status"]]
        rows.append(
            ReferralRow(
                pk=item["keyset_pk"],
                public_id=item["public_id"],
                status=item["status"],
                status_label=label,
                badge_class=badge,
                status_changed_at=item["status_changed_at"],
                changed_on=timezone.localtime(item["status_changed_at"]).strftime("%d/%m/%Y"),
                sent_at=item["sent_at"],
                young_person_public_id=item["young_person__public_id"],
                young_person_name=f"{item['young_person__last_name']} {item['young_person__first_name']}",
                referring_organisation=organisation_display_name(
                    item["referring_organisation__name"], item["referring_organisation__kind"]
                ),
                referring_adviser=(
                    f"{item['referring_adviser__first_name']} {item['referring_adviser__last_name']}".strip()
                ),
                e2c_site=organisation_display_name(item["e2c_site__name"], item["e2c_site__kind"]),
                working_days=working_days,
                since_sent=_since_sent(working_days),
                overdue=overdue(item),
                url=uuid_reverse("e2c_referrals:referral_detail", public_id=item["public_id"]),
            )
        )
    return rows


def inbox_sites(actor: Actor) -> list[Organisation]:
    """The E2C sites whose referrals the actor receives (their site, or their school's sites)."""
    if not can_use_inbox(actor):
        return []
    organisation = actor.organisation
    if organisation is not None and actor.acts_alone:  # a site's team: their site, read with their memberships
        return [organisation] if organisation.kind == OrganisationKind.E2C_SITE else []
    return list(
        Organisation.objects.filter(pk__in=actor.family_ids, kind=OrganisationKind.E2C_SITE).order_by("sort_name", "id")
    )


def sent_cutoff(today: datetime.date) -> datetime.datetime:
    """Referrals sent before this instant (and still « sent ») are late on ``today``."""
    last_late_day = latest_start_beyond(today, ACKNOWLEDGE_WITHIN_WORKING_DAYS)
    return timezone.make_aware(datetime.datetime.combine(last_late_day + datetime.timedelta(days=1), datetime.time()))


def overdue_condition(today: datetime.date) -> Q:
    """Late: sent and not taken into account after 5 working days; integration past its planned end."""
    return Q(status=ReferralStatus.SENT, sent_at__lt=sent_cutoff(today)) | Q(
        status=ReferralStatus.INTEGRATION, integration_planned_end_on__lt=today
    )


def _received(actor: Actor) -> QuerySet[Referral]:
    """``referrals_for_actor`` and addressed to the actor's sites, the site taken out of the OR:
    (site ∈ family) ∧ (¬draft ∨ referrer-side role ∧ referring organisation ∈ family). The same rows;
    written so, PostgreSQL estimates the OR at about 1, where ``referrals_condition``'s shape (a
    site ∈ family inside the OR) makes it expect a few percent of the rows and sort a whole school's
    history rather than read 51 rows in an index's order."""
    if not can_use_inbox(actor) or not actor.can(Capability.VIEW_PERSONAL_DATA):
        return Referral.objects.none()
    family = actor.family_ids
    visible = ~Q(status=ReferralStatus.DRAFT)
    if actor.role in SIDE_ROLES[Side.REFERRER]:
        visible |= Q(referring_organisation_id__in=family)
    return Referral.objects.filter(visible, e2c_site_id__in=family)


def inbox(
    *,
    actor: Actor,
    filters: InboxFilters,
    after: str | None = None,
    before: str | None = None,
    today: datetime.date | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage[ReferralRow]:
    """Referrals addressed to the actor's sites, late ones first, then by oldest change.

    Two segments, each read in the order of an index up to the page's size: the late referrals (few:
    sent or in integration, found through ``referral_inbox``), then the others (``referral_inbox_open``
    for those in progress, ``referral_inbox_all`` for all states, ``referral_inbox`` for one state),
    both by (status_changed_at, id). No rank computed and sorted over the whole site's history; the
    cursor carries the segment of its row (read back for today's date, like the rows).
    """
    today = today or timezone.localdate()
    queryset = _received(actor)
    if filters.status == ALL:
        pass
    elif filters.status in ReferralStatus.values:
        queryset = queryset.filter(status=filters.status)
    else:
        queryset = queryset.filter(status__in=IN_PROGRESS)
    if filters.site:
        queryset = queryset.filter(e2c_site__public_id=filters.site)
    late = overdue_condition(today)
    page = paginate_segments(
        queryset,
        # The late ones are few (sent or in integration: the (site, status) index finds them); the
        # others are read site by site in their index's order (a school's sites merged by the query).
        segments=[Segment(late), Segment(~late, lanes=("e2c_site_id", actor.family_ids))],
        keys=INBOX_KEYS,
        fields=ROW_FIELDS,
        after=after,
        before=before,
        size=size,
    )
    rows = _rows(page.items, today=today, overdue=lambda item: item[SEGMENT] == 0)
    return KeysetPage(items=rows, next_cursor=page.next_cursor, previous_cursor=page.previous_cursor)


@dataclasses.dataclass(frozen=True)
class InboxSummary:
    by_status: list[tuple[str, int]]  # (label, count) in the workflow's order, in progress only
    overdue: int

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_status)


def inbox_summary(*, actor: Actor, today: datetime.date | None = None) -> InboxSummary:
    """Counts of the referrals in progress by state, and how many are late (one query)."""
    today = today or timezone.localdate()
    rows = (
        _received(actor)
        .filter(status__in=IN_PROGRESS)
        .values("status")
        .annotate(count=Count("id"), late=Count("id", filter=overdue_condition(today)))
        .order_by()
    )
    counts = {row["status"]: (row["count"], row["late"]) for row in rows}
    return InboxSummary(
        by_status=[(status.label, counts[status][0]) for status in ReferralStatus if status in counts],
        overdue=sum(late for _, late in counts.values()),
    )


def is_overdue(referral: Referral, today: datetime.date) -> bool:
    """The same rule as ``overdue_condition``, for one row already loaded."""
    return _is_overdue(referral.status, referral.sent_at, referral.integration_planned_end_on, today)


def _is_overdue(
    status: str,
    sent_at: datetime.datetime | None,
    integration_planned_end_on: datetime.date | None,
    today: datetime.date,
) -> bool:
    if status == ReferralStatus.SENT and sent_at is not None:
        return working_days_between(timezone.localdate(sent_at), today) > ACKNOWLEDGE_WITHIN_WORKING_DAYS
    if status == ReferralStatus.INTEGRATION and integration_planned_end_on is not None:
        return integration_planned_end_on < today
    return False


def working_days_since_sent(referral: Referral, today: datetime.date) -> int | None:
    return _working_days(referral.sent_at, today)


def _working_days(sent_at: datetime.datetime | None, today: datetime.date) -> int | None:
    if sent_at is None:
        return None
    return working_days_between(timezone.localdate(sent_at), today)


# --- The referrer's list --------------------------------------------------------------------------


def sent_referrals(
    *,
    actor: Actor,
    mine_only: bool = False,
    status: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
    today: datetime.date | None = None,
) -> KeysetPage[ReferralRow]:
    """Referrals of the actor's organisation (drafts included), the longest without a change first
    (read in the order of ``referral_referrer_open``, or ``referral_referrer`` for all states)."""
    if not can_refer(actor):
        return KeysetPage(items=[], next_cursor=None, previous_cursor=None)
    today = today or timezone.localdate()
    if not actor.can(Capability.VIEW_PERSONAL_DATA):
        return KeysetPage(items=[], next_cursor=None, previous_cursor=None)
    # ``referrals_for_actor`` and sent by the actor's organisation: for a referrer-side role (as
    # ``can_refer`` requires) that is the organisation's referrals, whatever their E2C site.
    queryset = Referral.objects.filter(referring_organisation_id__in=actor.family_ids)
    if mine_only:
        queryset = queryset.filter(referring_adviser=actor.user)
    if status == ALL:
        pass
    elif status in ReferralStatus.values:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=sorted(OPEN_STATUSES))
    page = paginate_segments(
        queryset, segments=[Segment(Q())], keys=SENT_KEYS, fields=ROW_FIELDS, after=after, before=before, size=size
    )
    rows = _rows(
        page.items,
        today=today,
        overdue=lambda item: _is_overdue(item["status"], item["sent_at"], item["integration_planned_end_on"], today),
    )
    return KeysetPage(items=rows, next_cursor=page.next_cursor, previous_cursor=page.previous_cursor)


# --- Hand-backs -----------------------------------------------------------------------------------


def hand_backs_for_actor(actor: Actor) -> QuerySet[HandBack]:
    """Hand-back tasks of the actor's organisation: its advisers and managers handle them."""
    if not actor.can(Capability.VIEW_PERSONAL_DATA) or actor.role not in (Role.ADVISER, Role.MANAGER):
        return HandBack.objects.none()
    return HandBack.objects.filter(organisation_id__in=actor.family_ids)


@dataclasses.dataclass(frozen=True)
class HandBackRow:
    """One hand-back task as the home page lists it (read with ``.values()``: no whole rows)."""

    public_id: uuid.UUID
    young_person_public_id: uuid.UUID
    young_person_name: str  # « Prénom NOM », as YoungPerson.__str__
    reason_label: str
    e2c_site: str  # Organisation.__str__
    created_at: datetime.datetime
    url: str  # the task's page


REASON_LABELS: dict[str, str] = dict(HandBackReason.choices)


def open_hand_backs(*, actor: Actor, limit: int = 10) -> list[HandBackRow]:
    """Still to handle: an adviser's own tasks and the organisation's unassigned ones; a manager's all.

    Read in the order of ``hand_back_open_queue`` down to ``limit``, only the columns shown: the
    assignee is not shown (nor joined), and whether they are still here only filters an adviser's list.
    """
    queryset = hand_backs_for_actor(actor).filter(handled_at__isnull=True)
    if actor.role == Role.ADVISER:
        # An assignee who left (account closed, or no longer an active member of the organisation)
        # leaves the task unassigned: the colleagues see it and take it over.
        assignee_still_here = Exists(
            Membership.objects.filter(
                user_id=OuterRef("assignee_id"),
                organisation_id=OuterRef("organisation_id"),
                is_active=True,
                user__is_active=True,
            )
        )
        queryset = queryset.alias(assignee_still_here=assignee_still_here).filter(
            Q(assignee=actor.user) | Q(assignee__isnull=True) | Q(assignee_still_here=False)
        )
    items = queryset.order_by("created_at", "id").values_list(
        "public_id",
        "reason",
        "created_at",
        "referral__young_person__public_id",
        "referral__young_person__first_name",
        "referral__young_person__last_name",
        "referral__e2c_site__name",
        "referral__e2c_site__kind",
    )[:limit]
    # One reverse() for the list, not one per row: the tasks' addresses differ only by their UUID.
    return [
        HandBackRow(
            public_id=public_id,
            young_person_public_id=young_person_public_id,
            young_person_name=f"{first_name} {last_name}",
            reason_label=REASON_LABELS.get(reason, reason),  # HandBack.get_reason_display
            e2c_site=str(Organisation(name=site_name, kind=site_kind)),
            created_at=created_at,
            url=uuid_reverse("e2c_referrals:hand_back_handle", public_id=public_id),
        )
        for public_id, reason, created_at, young_person_public_id, first_name, last_name, site_name, site_kind in items
    ]


def hand_back_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> HandBack:
    try:
        return (
            hand_backs_for_actor(actor)
            .select_related(
                "referral__young_person",
                "referral__e2c_site",
                "referral__referring_organisation",
                "referral__referring_adviser",
                "organisation",
                "handled_by",
            )
            .get(public_id=public_id)
        )
    except (HandBack.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Retour introuvable.") from error


# --- What the E2C sees of the young person --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SharedView:
    """The categories of the young person's data shown on a referral page.

    The E2C side sees what the consent **in force** between the young person and the site covers
    (``cej.selectors.consents``: neither withdrawn nor replaced; not necessarily the one attached
    at sending), nothing but the name and age without one; the referrer, who holds the file, sees it
    all and is told what the E2C sees.
    """

    consent: Consent | None  # the consent in force, if any
    consent_categories: frozenset[str]
    visible: frozenset[str]
    consent_revoked: bool
    consent_given_on: datetime.date | None

    def shows(self, category: str) -> bool:
        return category in self.visible

    @property
    def consent_labels(self) -> list[str]:
        return [choice.label for choice in SharedData if choice in self.consent_categories]


def shared_view(*, actor: Actor, referral: Referral) -> SharedView:
    consents = site_consents(referral)
    consent = consent_in_force(consents)
    # Withdrawn: nothing in force and the young person withdrew (a replaced consent is never the last one).
    revoked = consent is None and any(item.revoked_at is not None for item in consents)
    categories = frozenset(consent.shared_data) if consent is not None else frozenset()
    on_referrer_side = Side.REFERRER in sides_of(actor, referral)
    return SharedView(
        consent=consent,
        consent_categories=categories,
        # The E2C always sees the name and the age (it receives the young person); the exact birth
        # date, like every other category, only while the consent in force shares it.
        visible=frozenset(SharedData.values) if on_referrer_side else categories,
        consent_revoked=revoked,
        consent_given_on=consent.given_on if consent is not None else None,
    )


def active_cej_contracts(young_person: YoungPerson) -> list[CejContract]:
    """The young person's CEJ still running (active or suspended): the one a referral may link to."""
    return list(
        young_person.cej_contracts.filter(status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED]).order_by(
            "-starts_on", "id"
        )
    )


def e2c_site_choices(young_person: YoungPerson) -> tuple[list[Organisation], list[Organisation]]:
    """Active E2C sites: (the young person's département's, the others by région then name).

    Without a département on the file, the referring organisation's is used.
    """
    departement_id = young_person.departement_id or young_person.organisation.departement_id
    sites = list(
        Organisation.objects.filter(kind=OrganisationKind.E2C_SITE, is_active=True)
        .select_related("region")
        .order_by("region__name", "sort_name", "id")
    )
    near = [site for site in sites if departement_id and site.departement_id == departement_id]
    return near, [site for site in sites if site not in near]
