"""Young people followed by a Mission Locale or France Travail, their consents, CEJ and PACEA
contracts and follow-up reviews. Writes go through ``cej.services``; reads through ``cej.selectors``,
scoped with ``partners.access``."""

import datetime
import uuid
from decimal import Decimal
from typing import ClassVar

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Concat, Replace
from django.utils import timezone

from cej.enums import (
    AllowanceCategory,
    ConsentMethod,
    ContractEndReason,
    ContractStatus,
    FollowUpStatus,
    QualificationLevel,
    SharedData,
)
from partners.models import Departement, Organisation, TimestampedModel, User


class ImmutableUnaccent(Func):
    """``cej_unaccent(text)``: unaccent() declared IMMUTABLE (migration 0001) so it can be indexed."""

    function = "cej_unaccent"
    output_field = models.TextField()


class DateRangeFunc(Func):
    function = "daterange"
    output_field = DateRangeField()


class NameKey(Func):
    """``cej_name_key(text)`` (migration 0009): the SQL twin of ``texthygiene.names.name_key``."""

    function = "cej_name_key"
    output_field = models.TextField()


def normalised_name(expression: object) -> Func:
    """The search's form of a name: « Lefèvre-Œuvray N’Diaye » → « lefevre oeuvray n diaye »
    (see ``texthygiene.names``: lower case, no accents, ligatures split, separators as one space)."""
    return NameKey(expression)


def duplicate_key(expression: object) -> Func:
    """What the duplicate checks compare: the search's form without its spaces (« n diaye » → « ndiaye »)."""
    return Replace(expression, Value(" "), Value(""), output_field=models.TextField())  # type: ignore[arg-type]


class YoungPerson(TimestampedModel):
    """A young person's file, held by their referent organisation (ML or France Travail agency)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation référente", on_delete=models.PROTECT, related_name="young_people"
    )
    referent = models.ForeignKey(
        User, verbose_name="conseiller référent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_name = models.CharField("nom(s)", max_length=150)
    first_name = models.CharField("prénom(s)", max_length=150)
    # Accent- and case-free "last first", computed by PostgreSQL: searched with pg_trgm.
    search_name = models.GeneratedField(
        expression=normalised_name(Concat(F("last_name"), Value(" "), F("first_name"))),
        output_field=models.TextField(),
        db_persist=True,
    )
    birth_date = models.DateField("date de naissance")
    email = models.EmailField("adresse e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=16, blank=True)
    address = models.CharField("adresse", max_length=250, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    departement = models.ForeignKey(
        Departement, verbose_name="département", on_delete=models.PROTECT, null=True, blank=True
    )
    lives_in_qpv = models.BooleanField("habite un quartier prioritaire (QPV)", default=False)
    lives_in_zrr = models.BooleanField("habite une zone de revitalisation rurale (ZRR)", default=False)
    qualification_level = models.CharField(
        "niveau de qualification", max_length=8, choices=QualificationLevel.choices, default=QualificationLevel.INFRA_3
    )
    last_class = models.CharField("dernière classe suivie", max_length=100, blank=True)
    left_school_on = models.DateField("date de sortie du système scolaire", null=True, blank=True)
    has_rqth = models.BooleanField("reconnaissance de travailleur handicapé (RQTH)", default=False)
    imilo_number = models.CharField("numéro i-milo", max_length=20, blank=True)
    france_travail_id = models.CharField("identifiant France Travail", max_length=20, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "jeune"
        verbose_name_plural = "jeunes"
        constraints = [
            models.UniqueConstraint(
                fields=["imilo_number"],
                condition=~Q(imilo_number=""),
                name="young_person_imilo_unique",
                violation_error_message="Un dossier porte déjà ce numéro i-milo.",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "search_name", "id"], name="young_person_org_keyset"),
            # Name search within the actor's organisations (btree_gin for the bigint column): reads only
            # the files sharing trigrams with the query, whatever the organisation's size.
            GinIndex(
                fields=["organisation", "search_name"],
                opclasses=["int8_ops", "gin_trgm_ops"],
                name="young_person_org_name_trgm",
            ),
            models.Index(fields=["birth_date"], name="young_person_birth_date"),
            # The duplicate checks (same birth date, same name without spaces: ``duplicate_key``): an
            # equality on both, not the birth date's few hundred files filtered by name.
            models.Index(F("birth_date"), duplicate_key(F("search_name")), name="young_person_duplicate_key"),
            models.Index(fields=["france_travail_id"], name="young_person_ft_id"),
            models.Index(fields=["referent"], name="young_person_referent"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: datetime.date | None = None) -> int:
        day = day or timezone.localdate()
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)

    @property
    def age(self) -> int:
        return self.age_on()

    def years_out_of_school(self, day: datetime.date | None = None) -> int | None:
        if self.left_school_on is None:
            return None
        day = day or timezone.localdate()
        before = (day.month, day.day) < (self.left_school_on.month, self.left_school_on.day)
        return day.year - self.left_school_on.year - int(before)

    @property
    def meets_e2c_school_rule(self) -> bool | None:
        """E2C entry requires having left school at least one year ago (None: date unknown)."""
        years = self.years_out_of_school()
        return None if years is None else years >= 1


class YoungPersonEvent(models.Model):
    """The file's history: who did what, when (values stay in the database, never in logs)."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    actor_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField("action", max_length=200)
    changed_fields = ArrayField(models.CharField(max_length=64), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["young_person", "-created_at"], name="young_person_event_file")]

    def __str__(self) -> str:
        return self.action


def consent_upload_path(instance: models.Model, filename: str) -> str:
    return f"consents/{uuid.uuid4()}.pdf"


# What makes a consent the one in force: neither withdrawn by the young person nor replaced by a newer one.
# The one predicate every read of what an E2C site may see goes through (``Consent.objects.current()``,
# ``current_consent``), and the condition of the unique index that allows one such consent per site.
CURRENT_CONSENT = Q(revoked_at__isnull=True, superseded_at__isnull=True)


class ConsentQuerySet(models.QuerySet["Consent"]):
    def current(self) -> "ConsentQuerySet":
        """The consents in force (at most one per young person and E2C site: a unique partial index)."""
        return self.filter(CURRENT_CONSENT)


class Consent(TimestampedModel):
    """What a young person agreed to share with one E2C site: dated, recorded by whom, revocable.

    One consent is in force per young person and site at a time (``CURRENT_CONSENT``, enforced by the
    index ``consent_one_current_per_site``): recording a new one replaces the one in force (kept, marked
    ``superseded_at``, linked from the new one's ``supersedes``); withdrawing the one in force ends all
    sharing with that site at once.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="consents")
    e2c_site = models.ForeignKey(
        Organisation, verbose_name="site E2C", on_delete=models.PROTECT, related_name="consents"
    )
    shared_data = ArrayField(
        models.CharField(max_length=16, choices=SharedData.choices), verbose_name="données partagées"
    )
    given_on = models.DateField("date de l'accord")
    method = models.CharField("forme de l'accord", max_length=16, choices=ConsentMethod.choices)
    signed_form = models.FileField(
        "formulaire signé", upload_to=consent_upload_path, blank=True, validators=[FileExtensionValidator(["pdf"])]
    )
    attestation = models.TextField("attestation du conseiller", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField("retiré le", null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revocation_reason = models.CharField("motif du retrait", max_length=500, blank=True)
    superseded_at = models.DateTimeField("remplacé le", null=True, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="remplace l'accord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = "accord de partage"
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method=ConsentMethod.ORAL) | ~Q(attestation=""),
                name="consent_oral_needs_attestation",
                violation_error_message="Un accord oral doit être attesté par le conseiller.",
            ),
            models.UniqueConstraint(
                fields=["young_person", "e2c_site"],
                condition=CURRENT_CONSENT,
                name="consent_one_current_per_site",
                violation_error_message="Un accord de partage est déjà en vigueur avec ce site.",
            ),
        ]

    def __str__(self) -> str:
        return f"Accord du {self.given_on:%d/%m/%Y}"

    @property
    def is_valid(self) -> bool:
        """In force: neither withdrawn nor replaced (the Python side of ``CURRENT_CONSENT``)."""
        return self.revoked_at is None and self.superseded_at is None

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return f"retiré le {timezone.localtime(self.revoked_at):%d/%m/%Y}"
        if self.superseded_at is not None:
            return f"remplacé le {timezone.localtime(self.superseded_at):%d/%m/%Y}"
        return "en vigueur"


class AllowanceRate(models.Model):
    """CEJ monthly allowance by category, in force from a date (décret; amounts change by decree)."""

    category = models.CharField("catégorie", max_length=24, choices=AllowanceCategory.choices)
    valid_from = models.DateField("en vigueur à partir du")
    monthly_amount = models.DecimalField(
        "montant mensuel (€)", max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "barème de l'allocation CEJ"
        ordering = ["category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "valid_from"],
                name="allowance_rate_unique",
                violation_error_message="Un montant existe déjà pour cette catégorie à cette date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} au {self.valid_from:%d/%m/%Y}"


class Contract(TimestampedModel):
    """Common part of the CEJ and the PACEA: one referent organisation and adviser, dates, status."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="+"
    )
    referent = models.ForeignKey(
        User, verbose_name="conseiller référent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_on = models.DateField("signé le")
    starts_on = models.DateField("début")
    planned_end_on = models.DateField("fin prévue")
    ended_on = models.DateField("fin effective", null=True, blank=True)
    status = models.CharField("statut", max_length=16, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    end_reason = models.CharField("motif de fin", max_length=16, choices=ContractEndReason.choices, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    KIND: ClassVar[str]  # the contract's name in sentences: "CEJ", "PACEA"

    class Meta:
        abstract = True

    @property
    def end_on(self) -> datetime.date:
        return self.ended_on or self.planned_end_on


def _end_after_start(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(planned_end_on__gt=F("starts_on")), name=f"{prefix}_end_after_start")


def _no_overlap(prefix: str, kind: str) -> ExclusionConstraint:
    """Two contracts of one kind never overlap for one young person (planned periods, ends included)."""
    return ExclusionConstraint(
        name=f"{prefix}_no_overlap",
        expressions=[
            ("young_person", RangeOperators.EQUAL),
            (DateRangeFunc("starts_on", "planned_end_on", Value("[]")), RangeOperators.OVERLAPS),
        ],
        violation_error_message=f"Ce jeune a déjà un {kind} sur cette période.",
    )


def _running(field: str, *, name: str) -> models.Index:
    """An index of running contracts (active or suspended) by ``field``, for the reminders."""
    return models.Index(
        fields=[field], condition=Q(status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED]), name=name
    )


class CejContract(Contract):
    """Contrat d'Engagement Jeune (décret 2022-199): 6 to 12 months, up to 18 with extensions."""

    KIND = "CEJ"
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="cej_contracts")
    weekly_hours = models.PositiveSmallIntegerField(
        "heures d'activité par semaine", validators=[MinValueValidator(15), MaxValueValidator(20)]
    )
    allowance_category = models.CharField("catégorie d'allocation", max_length=24, choices=AllowanceCategory.choices)
    activity_plan = models.TextField("programme d'activités de la semaine", blank=True)

    class Meta:
        verbose_name = "contrat d'engagement jeune"
        verbose_name_plural = "contrats d'engagement jeune"
        ordering = ["-starts_on"]
        constraints = [
            _end_after_start("cej"),
            models.CheckConstraint(
                condition=Q(weekly_hours__gte=15, weekly_hours__lte=20), name="cej_weekly_hours_15_20"
            ),
            _no_overlap("cej", "CEJ"),
        ]
        indexes = [
            # The daily "CEJ ending within 30 days" reminder reads running contracts by planned end.
            _running("planned_end_on", name="cej_running_planned_end"),
        ]

    def __str__(self) -> str:
        return f"CEJ du {self.starts_on:%d/%m/%Y}"


class CejEvent(models.Model):
    """Dated events of a CEJ: extensions, suspensions and resumptions, breaches, end."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", "Prolongation"
        SUSPENSION = "suspension", "Suspension"
        RESUMPTION = "resumption", "Reprise"
        BREACH = "breach", "Manquement"
        END = "end", "Fin du contrat"
        STRUCTURING_STEP = "structuring_step", "Solution structurante"

    contract = models.ForeignKey(CejContract, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    occurred_on = models.DateField("date")
    new_end_on = models.DateField("nouvelle fin prévue", null=True, blank=True)
    breach_rank = models.PositiveSmallIntegerField("rang du manquement", null=True, blank=True)
    consequence = models.CharField("conséquence", max_length=250, blank=True)
    reason = models.CharField("motif", max_length=500, blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["occurred_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "breach_rank"], condition=Q(kind="breach"), name="cej_breach_rank_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.occurred_on:%d/%m/%Y}"


class StructuringStep(TimestampedModel):
    """An intensive programme used inside a CEJ; an E2C programme is one (linked to its referral later)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(CejContract, on_delete=models.CASCADE, related_name="structuring_steps")
    label = models.CharField("intitulé", max_length=200)
    is_e2c = models.BooleanField("parcours E2C", default=False)
    e2c_site = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "solution structurante"
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return self.label


class PaceaContract(Contract):
    """Parcours contractualisé d'accompagnement vers l'emploi et l'autonomie: at most 24 months."""

    KIND = "PACEA"
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="pacea_contracts")

    class Meta:
        verbose_name = "PACEA"
        verbose_name_plural = "PACEA"
        ordering = ["-starts_on"]
        constraints = [
            _end_after_start("pacea"),
            _no_overlap("pacea", "PACEA"),
        ]
        indexes = [
            # The "PACEA reaching 24 months" reminder reads running contracts by start.
            _running("starts_on", name="pacea_running_start"),
        ]

    def __str__(self) -> str:
        return f"PACEA du {self.starts_on:%d/%m/%Y}"


class PaceaPhase(models.Model):
    contract = models.ForeignKey(PaceaContract, on_delete=models.CASCADE, related_name="phases")
    label = models.CharField("phase", max_length=200)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin", null=True, blank=True)
    objectives = models.TextField("objectifs", blank=True)

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return self.label


class FollowUp(TimestampedModel):
    """A review between the young person, the ML referent and, while at the E2C, E2C staff."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="follow_ups")
    scheduled_on = models.DateField("date prévue")
    held_on = models.DateField("date du point", null=True, blank=True)
    status = models.CharField("statut", max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.PLANNED)
    participants = models.ManyToManyField(User, verbose_name="participants", related_name="+", blank=True)
    notes = models.TextField("compte rendu", blank=True)
    next_review_on = models.DateField("prochain point", null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "point de suivi"
        verbose_name_plural = "points de suivi"
        ordering = ["scheduled_on", "id"]
        indexes = [
            models.Index(fields=["status", "scheduled_on"], name="follow_up_due"),
        ]

    def __str__(self) -> str:
        return f"Point de suivi du {self.scheduled_on:%d/%m/%Y}"


class YoungPeopleImport(TimestampedModel):
    """One i-milo style CSV import: parsed and previewed, then applied all-or-nothing.

    Idempotent on the i-milo number: a second import of the same file updates, never duplicates.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "Aperçu"
        APPLIED = "applied", "Appliqué"
        CANCELLED = "cancelled", "Annulé"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField("fichier", max_length=255)
    encoding = models.CharField("encodage", max_length=16)
    rows = models.JSONField("lignes", default=list)
    errors = models.JSONField("erreurs", default=list)
    status = models.CharField("statut", max_length=16, choices=Status.choices, default=Status.PREVIEW)
    applied_at = models.DateTimeField("appliqué le", null=True, blank=True)
    created_count = models.PositiveIntegerField("créés", default=0)
    updated_count = models.PositiveIntegerField("mis à jour", default=0)
    unchanged_count = models.PositiveIntegerField("inchangés", default=0)

    class Meta:
        verbose_name = "import i-milo"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.filename} ({self.created_at:%d/%m/%Y})"


class Restriction(TimestampedModel):
    """A period during which the processing of a file is restricted (RGPD article 18).

    One row per period, kept after the lift (the history of restrictions). While a row is open
    (``lifted_at`` empty, at most one per file: partial unique index) the file is kept and can be
    read, exported and the restriction lifted, but every write service refuses to change it
    (``cej.services.restrictions.require_not_restricted``), reminders skip it and the retention job
    does not anonymise it. "Is this file restricted?" is an EXISTS on this table (one probe of the
    partial index): a single source of truth, nothing denormalised on the young person's row.
    """

    class Ground(models.TextChoices):
        ACCURACY_CONTESTED = "accuracy_contested", "Exactitude des données contestée, le temps de la vérifier"
        UNLAWFUL_NO_ERASURE = "unlawful_no_erasure", "Traitement illicite, la personne refuse l'effacement"
        LEGAL_CLAIM = "legal_claim", "Données nécessaires à la personne pour un droit en justice"
        OBJECTION_PENDING = "objection_pending", "Opposition en cours d'examen"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="restrictions")
    started_at = models.DateTimeField("limité depuis le", default=timezone.now)
    started_by = models.ForeignKey(User, verbose_name="limité par", on_delete=models.PROTECT, related_name="+")
    ground = models.CharField("motif de la limitation", max_length=24, choices=Ground.choices)
    note = models.CharField(
        "précision",
        max_length=500,
        blank=True,
        help_text="Quelques mots sur la demande (date, forme). Pas de donnée de santé ni de détail sur la situation.",
    )
    lifted_at = models.DateTimeField("levée le", null=True, blank=True)
    lifted_by = models.ForeignKey(
        User, verbose_name="levée par", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(
        "motif de la levée",
        max_length=500,
        blank=True,
        help_text="Par exemple : exactitude vérifiée, opposition écartée. Pas de donnée de santé.",
    )
    person_informed_on = models.DateField("personne informée de la levée le", null=True, blank=True)

    class Meta:
        verbose_name = "limitation du traitement"
        verbose_name_plural = "limitations du traitement"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"],
                condition=Q(lifted_at__isnull=True),
                name="restriction_one_open_per_file",
                violation_error_message="Ce dossier est déjà en traitement limité.",
            ),
            # Article 18(3): a lift records that the person was told beforehand.
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True, person_informed_on__isnull=True)
                | Q(lifted_at__isnull=False, person_informed_on__isnull=False),
                name="restriction_lift_complete",
                violation_error_message="Une levée indique quand la personne en a été informée.",
            ),
        ]

    def __str__(self) -> str:
        return f"Traitement limité depuis le {timezone.localtime(self.started_at):%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


def restricted(young_person_field: str = "pk") -> models.Exists:
    """``Exists`` of an open restriction on the file reached by ``young_person_field`` (an OuterRef
    path): ``queryset.exclude(restricted("young_person"))`` leaves restricted files out."""
    return models.Exists(
        Restriction.objects.filter(young_person_id=models.OuterRef(young_person_field), lifted_at__isnull=True)
    )
