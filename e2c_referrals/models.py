"""Referrals of young people to E2C sites, their transition log, hand-backs and post-exit news.

Statuses change only through ``e2c_referrals.workflow`` (the declared transition table).
"""

import uuid

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cej.models import CejContract, Consent, YoungPerson
from e2c_referrals.enums import (
    OPEN_STATUSES,
    Attendance,
    ExitOutcome,
    HandBackReason,
    ImmersionDirection,
    NotAdmittedReason,
    ReferralStatus,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    SessionVenue,
)
from partners.models import Organisation, TimestampedModel, User


class Referral(TimestampedModel):
    """An adviser's proposal that a young person join an E2C site, followed to the exit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="referrals")
    referring_organisation = models.ForeignKey(
        Organisation, verbose_name="structure prescriptrice", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    referring_adviser = models.ForeignKey(
        User, verbose_name="conseiller prescripteur", on_delete=models.PROTECT, related_name="+"
    )
    e2c_site = models.ForeignKey(
        Organisation, verbose_name="site E2C", on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField("état", max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    status_changed_at = models.DateTimeField("dernier changement d'état", default=timezone.now)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    diagnostic = models.TextField("diagnostic du conseiller")
    motivation = models.TextField("motivation du jeune")
    cej_contract = models.ForeignKey(
        CejContract, verbose_name="CEJ", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    not_admitted_reason = models.CharField(
        "motif de non-admission", max_length=16, choices=NotAdmittedReason.choices, blank=True
    )
    integration_starts_on = models.DateField("début de la période d'intégration", null=True, blank=True)
    integration_planned_end_on = models.DateField("fin prévue de la période d'intégration", null=True, blank=True)
    enrolled_on = models.DateField("entrée en parcours", null=True, blank=True)
    exited_on = models.DateField("sortie du parcours", null=True, blank=True)
    exit_outcome = models.CharField("situation à la sortie", max_length=24, choices=ExitOutcome.choices, blank=True)
    skills_certificate_issued = models.BooleanField("attestation de compétences acquises (ACA) remise", default=False)

    class Meta:
        verbose_name = "orientation"
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "e2c_site"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="referral_one_open_per_site",
                violation_error_message="Ce jeune a déjà une orientation en cours vers ce site.",
            ),
        ]
        indexes = [
            models.Index(fields=["e2c_site", "status", "status_changed_at", "id"], name="referral_inbox"),
            models.Index(fields=["referring_organisation", "status_changed_at", "id"], name="referral_referrer"),
            # The sites a referrer follows (sessions list, calendar): read from the index alone.
            models.Index(
                fields=["referring_organisation", "e2c_site"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="referral_open_by_referrer",
            ),
            # The lists read in the order of their keyset (e2c_referrals.selectors.inbox), never sorting
            # a site's or an organisation's whole history: the inbox's referrals in progress (no draft),
            # all of them, and the referrer's in progress (drafts included).
            models.Index(
                fields=["e2c_site", "status_changed_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES - {ReferralStatus.DRAFT})),
                name="referral_inbox_open",
            ),
            models.Index(fields=["e2c_site", "status_changed_at", "id"], name="referral_inbox_all"),
            models.Index(
                fields=["referring_organisation", "status_changed_at", "id"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="referral_referrer_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Orientation {self.public_id}"


class ReferralTransition(models.Model):
    """The referral's timeline: who moved it from which state to which, when, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    from_status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    to_status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    actor_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("motif", max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class HandBack(TimestampedModel):
    """A task for the referring adviser (or the nearest ML): the young person comes back to them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="hand_backs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="hand_backs")
    assignee = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField("motif", max_length=24, choices=HandBackReason.choices)
    handled_at = models.DateTimeField("traité le", null=True, blank=True)
    handled_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    follow_up_note = models.TextField("suite donnée", blank=True)

    class Meta:
        verbose_name = "retour vers le prescripteur"
        constraints = [
            models.UniqueConstraint(fields=["referral", "organisation", "reason"], name="hand_back_once"),
        ]
        indexes = [
            models.Index(fields=["organisation", "handled_at"], name="hand_back_open"),
            # The home page's ten oldest to handle: read in order down to the LIMIT, each joined to its
            # referral after, not every open hand-back of the organisation joined then sorted.
            models.Index(
                fields=["organisation", "created_at", "id"],
                condition=Q(handled_at__isnull=True),
                name="hand_back_open_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"Retour {self.get_reason_display()}"


class PostExitNews(models.Model):
    """Dated news of the young person during the 12 months after the exit."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="post_exit_news")
    news_on = models.DateField("date")
    situation = models.CharField("situation", max_length=24, choices=ExitOutcome.choices)
    note = models.CharField("précisions", max_length=500, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["news_on", "id"]

    def __str__(self) -> str:
        return f"Nouvelles du {self.news_on:%d/%m/%Y}"


def attachment_upload_path(instance: models.Model, filename: str) -> str:
    # Never the sender's name (it may carry personal data); the extension comes from the checked type.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"referrals/{uuid.uuid4()}.{extension}"


class Attachment(models.Model):
    """A CV or a document sent with a referral, served only through a scoped, logged view."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        upload_to=attachment_upload_path, validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])]
    )
    label = models.CharField("intitulé", max_length=120)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.label


class InformationSession(TimestampedModel):
    """A group session of an E2C site before recruitment (possibly co-hosted « à quatre mains »).

    Changes go through ``e2c_referrals.services.sessions``: it locks the row (seats are counted
    under that lock), bumps ``sequence`` (the iCalendar SEQUENCE, so subscribed calendars update)
    and notifies the site's partner correspondents through the outbox.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    e2c_site = models.ForeignKey(
        Organisation, verbose_name="site E2C", on_delete=models.PROTECT, related_name="information_sessions"
    )
    kind = models.CharField("type de séance", max_length=16, choices=SessionKind.choices)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    venue = models.CharField("lieu", max_length=16, choices=SessionVenue.choices, default=SessionVenue.E2C_SITE)
    venue_organisation = models.ForeignKey(
        Organisation,
        verbose_name="partenaire qui accueille",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_sessions",
    )
    address = models.CharField("adresse", max_length=300)
    capacity = models.PositiveSmallIntegerField("nombre de places")
    registration_deadline = models.DateField("date limite d'inscription")
    co_hosts = models.ManyToManyField(User, verbose_name="co-animateurs", blank=True, related_name="+")
    status = models.CharField("état", max_length=16, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    cancellation_reason = models.CharField("motif d'annulation", max_length=500, blank=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "séance d'information"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=500), name="session_capacity_range"),
            models.CheckConstraint(
                condition=~Q(status=SessionStatus.CANCELLED) | ~Q(cancellation_reason=""),
                name="session_cancelled_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["e2c_site", "starts_at", "id"], name="session_site_calendar"),
            # The sessions list of an actor following many sites (an adviser works with most sites of
            # the country): the sessions not yet over, a few weeks' worth whatever the history, sorted
            # after. No index on (starts_at, id): the planner would walk it from the first session
            # ever, filtering on ends_at, to fill the first page (the end follows the start).
            models.Index(fields=["ends_at"], name="session_upcoming"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {timezone.localtime(self.starts_at):%d/%m/%Y à %Hh%M}"


class SessionRegistration(models.Model):
    """A referred young person registered to a session, or waiting for a seat (in arrival order)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(InformationSession, on_delete=models.CASCADE, related_name="registrations")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="session_registrations")
    status = models.CharField(max_length=16, choices=RegistrationStatus.choices)
    attendance = models.CharField("présence", max_length=16, choices=Attendance.choices, blank=True)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now)
    withdrawn_reason = models.CharField("motif de désinscription", max_length=300, blank=True)

    class Meta:
        verbose_name = "inscription à une séance"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "referral"],
                condition=Q(status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING]),
                name="registration_once_per_session",
                violation_error_message="Ce jeune est déjà inscrit à cette séance.",
            ),
            # A referral is invited to one session at a time.
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status=RegistrationStatus.REGISTERED, attendance=""),
                name="registration_one_pending_seat",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "created_at", "id"], name="registration_queue")]

    def __str__(self) -> str:
        return f"Inscription {self.public_id}"


class CalendarFeed(models.Model):
    """The secret address of an organisation's iCalendar feed of information sessions.

    The feed carries no personal data (dates, places, seats); whoever holds the address can read
    it, so managers can regenerate it, which makes the old address answer 404.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "flux iCalendar"

    def __str__(self) -> str:
        return f"Flux iCalendar de {self.organisation_id}"


class AdviserImmersion(TimestampedModel):
    """Advisers of one network spending time in a structure of the other (both ways)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField("sens", max_length=16, choices=ImmersionDirection.choices)
    visiting_organisation = models.ForeignKey(
        Organisation, verbose_name="structure des visiteurs", on_delete=models.PROTECT, related_name="+"
    )
    host_organisation = models.ForeignKey(
        Organisation, verbose_name="structure d'accueil", on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField("du")
    ends_on = models.DateField("au")
    participants = models.ManyToManyField(User, verbose_name="participants", related_name="+")
    host_contacts = models.CharField("personnes rencontrées", max_length=300, blank=True)
    notes = models.TextField("notes", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "immersion de conseillers"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="immersion_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["visiting_organisation", "starts_on", "id"], name="immersion_visiting"),
            models.Index(fields=["host_organisation", "starts_on", "id"], name="immersion_host"),
        ]

    def __str__(self) -> str:
        return f"Immersion du {self.starts_on:%d/%m/%Y}"
