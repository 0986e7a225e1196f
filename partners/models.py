"""Directory of the two networks: geography, organisations, accounts, memberships, correspondents,
agreements and territorial diagnostics. Writes go through ``partners.services``."""

import datetime
import uuid
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from common import versioned_cache
from partners.enums import (
    AgreementFramework,
    AgreementLevel,
    CollaborationLevel,
    FormOfAddress,
    OrganisationKind,
    Role,
    role_label,
)
from partners.validators import validate_french_phone, validate_postcode, validate_siret

# France Travail took over from Pôle emploi on this date (loi « pour le plein emploi »).
FRANCE_TRAVAIL_SINCE = datetime.date(2024, 1, 1)

ModelT = TypeVar("ModelT", bound=models.Model)


class ActorRowsQuerySet(models.QuerySet[ModelT, ModelT]):
    """Organisations and memberships written in bulk: every session's cached memberships are read again.

    A row's ``save()`` and ``delete()`` do it through the ``post_save`` / ``post_delete`` signals
    (``partners.apps``); these are the writes that send no signal (``partners.access.memberships_of_session``).
    """

    def update(self, **kwargs: Any) -> int:
        updated = super().update(**kwargs)
        versioned_cache.bump(versioned_cache.GLOBAL)
        return updated

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[ModelT]:
        created = super().bulk_create(*args, **kwargs)
        versioned_cache.bump(versioned_cache.GLOBAL)
        return created

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        updated = super().bulk_update(*args, **kwargs)
        versioned_cache.bump(versioned_cache.GLOBAL)
        return updated

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = super().delete()
        versioned_cache.bump(versioned_cache.GLOBAL)
        return deleted


class TimestampedModel(models.Model):
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


# --- Geography (INSEE COG, loaded by migration) ---------------------------------------------


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=2, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


# --- Accounts ----------------------------------------------------------------------------------


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        # Addresses are stored in lower case: sign-in ignores the case the user types.
        return self.get(email=(username or "").strip().lower())

    def _create_user(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("adresse e-mail", max_length=254, unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    phone = models.CharField("téléphone", max_length=16, blank=True, validators=[validate_french_phone])
    form_of_address = models.CharField(
        "comment s'adresser à vous",
        max_length=8,
        choices=FormOfAddress.choices,
        blank=True,
        default=FormOfAddress.UNSPECIFIED,
    )
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    deactivated_at = models.DateTimeField("désactivé le", null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=Q(form_of_address__in=FormOfAddress.values), name="user_form_of_address_known"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


# --- Organisations -------------------------------------------------------------------------


def organisation_display_name(name: str, kind: str, on: datetime.date | None = None) -> str:
    """``Organisation.display_name`` from the two columns it reads, for rows read with ``.values()``
    (a list of 50 rows builds no model instance to name their organisations)."""
    if kind != OrganisationKind.FRANCE_TRAVAIL:
        return name
    network = "France Travail" if (on or timezone.localdate()) >= FRANCE_TRAVAIL_SINCE else "Pôle emploi"
    for old in ("France Travail", "Pôle emploi"):
        if name.startswith(old):
            return network + name[len(old) :]
    return f"{network} — {name}"


class Organisation(TimestampedModel):
    """A Mission Locale, a France Travail agency, an E2C school or site, a regional or national body."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("nom", max_length=200)
    # Lower-case, accent-free name: French alphabetical order whatever the database collation.
    sort_name = models.CharField(max_length=200, editable=False, default="")
    kind = models.CharField("type", max_length=32, choices=OrganisationKind.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    address = models.CharField("adresse", max_length=250, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True, validators=[validate_postcode])
    commune = models.CharField("commune", max_length=100, blank=True)
    departement = models.ForeignKey(
        Departement, verbose_name="département", on_delete=models.PROTECT, null=True, blank=True
    )
    # Derived from the département by the services; stored so regional scopes are one indexed filter.
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, null=True, blank=True)
    phone = models.CharField("téléphone", max_length=16, blank=True, validators=[validate_french_phone])
    email = models.EmailField("adresse e-mail", blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="structure de rattachement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField("active", default=True)
    opened_on = models.DateField("date d'ouverture", null=True, blank=True)
    closed_on = models.DateField("date de fermeture", null=True, blank=True)
    # E2C schools are labelled by Réseau E2C France for 4 years.
    label_granted_on = models.DateField("label E2C obtenu le", null=True, blank=True)
    label_expires_on = models.DateField("label E2C valable jusqu'au", null=True, blank=True)

    objects = ActorRowsQuerySet["Organisation"].as_manager()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["sort_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~Q(siret=""),
                name="organisation_siret_unique",
                violation_error_message="Une organisation avec ce SIRET existe déjà dans l'annuaire.",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="organisation_closed_after_opened",
                violation_error_message="La date de fermeture doit suivre la date d'ouverture.",
            ),
            models.CheckConstraint(
                condition=Q(label_expires_on__isnull=True)
                | Q(label_granted_on__isnull=True)
                | Q(label_expires_on__gt=models.F("label_granted_on")),
                name="organisation_label_expires_after_granted",
                violation_error_message="La fin du label doit suivre la date d'obtention.",
            ),
        ]
        indexes = [
            models.Index(fields=["sort_name", "id"], name="organisation_name_keyset"),
            models.Index(fields=["kind", "region"], name="organisation_kind_region"),
            models.Index(fields=["departement"], name="organisation_departement"),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, on: datetime.date | None = None) -> str:
        """The name in force on ``on`` (today by default): Pôle emploi before 2024, France Travail after."""
        return organisation_display_name(self.name, self.kind, on)

    @property
    def is_e2c(self) -> bool:
        return self.kind in (OrganisationKind.E2C_SCHOOL, OrganisationKind.E2C_SITE)


class Membership(TimestampedModel):
    """A user's role in one organisation; a user may belong to several organisations."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("rôle", max_length=32, choices=Role.choices)
    is_active = models.BooleanField("active", default=True)

    objects = ActorRowsQuerySet["Membership"].as_manager()

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="membership_user_organisation_unique",
                violation_error_message="Cette personne est déjà rattachée à cette organisation.",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active"], name="membership_organisation_active")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"

    @property
    def role_label(self) -> str:
        """The role as shown for this person: agreeing with how they asked to be addressed (« Conseillère »)."""
        return role_label(self.role, self.user.form_of_address)


class Invitation(TimestampedModel):
    """A manager's invitation of a colleague: a single-use link valid 7 days.

    Only a SHA-256 of the token is stored: a database leak gives no usable link.
    """

    VALIDITY = datetime.timedelta(days=7)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("adresse e-mail")
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField("rôle", max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        indexes = [models.Index(fields=["organisation", "-created_at"], name="invitation_organisation")]

    def __str__(self) -> str:
        return f"Invitation {self.public_id}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AccountEvent(models.Model):
    """Who did what to an account or a membership, when, and why (no personal data in ``detail``)."""

    class Action(models.TextChoices):
        INVITED = "invited", "Invitation envoyée"
        INVITATION_REVOKED = "invitation_revoked", "Invitation annulée"
        ACTIVATED = "activated", "Compte activé"
        MEMBERSHIP_ADDED = "membership_added", "Rattachement ajouté"
        ROLE_CHANGED = "role_changed", "Rôle modifié"
        MEMBERSHIP_DEACTIVATED = "membership_deactivated", "Rattachement désactivé"
        MEMBERSHIP_REACTIVATED = "membership_reactivated", "Rattachement réactivé"
        ACCOUNT_DEACTIVATED = "account_deactivated", "Compte désactivé"
        ACCOUNT_REACTIVATED = "account_reactivated", "Compte réactivé"
        TWO_FACTOR_RESET = "two_factor_reset", "Double authentification réinitialisée"
        ADMIN_CHANGE = "admin_change", "Modification dans l'administration technique"

    created_at = models.DateTimeField("date", default=timezone.now, editable=False)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    actor_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, related_name="account_events")
    # None only for a change made in the admin to an account without membership, or to no account.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="account_events"
    )
    action = models.CharField("action", max_length=32, choices=Action.choices)
    detail = models.CharField("détail", max_length=250, blank=True)
    reason = models.CharField("motif", max_length=500, blank=True)

    class Meta:
        verbose_name = "événement de compte"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="accountevent_organisation")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%d/%m/%Y})"


# --- Correspondents -----------------------------------------------------------------------


class Correspondent(TimestampedModel):
    """The named contacts between one E2C site and one ML or France Travail agency.

    ``partner_correspondent`` is the ML/FT adviser named for the site; ``e2c_contact`` the E2C
    staff member named for that partner. Later issues route notifications through them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    e2c_site = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partner_correspondents")
    partner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="e2c_correspondents")
    partner_correspondent = models.ForeignKey(
        User,
        verbose_name="correspondant ML / France Travail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    e2c_contact = models.ForeignKey(
        User, verbose_name="contact E2C", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "correspondant"
        constraints = [
            models.UniqueConstraint(fields=["e2c_site", "partner"], name="correspondent_site_partner_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.e2c_site} ↔ {self.partner}"


# --- Agreements ---------------------------------------------------------------------------


def agreement_upload_path(instance: models.Model, filename: str) -> str:
    # Never the uploaded name: it may carry personal data; the UUID is enough.
    return f"agreements/{uuid.uuid4()}.pdf"


class Agreement(TimestampedModel):
    """A national framework agreement, or its regional or local version between named organisations."""

    DEFAULT_DURATION_YEARS = 3
    REVIEW_MONTHS_BEFORE_END = 6

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField("intitulé", max_length=250)
    framework = models.CharField("cadre", max_length=32, choices=AgreementFramework.choices)
    level = models.CharField("niveau", max_length=16, choices=AgreementLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="accord national décliné",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
    )
    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, null=True, blank=True)
    parties = models.ManyToManyField(Organisation, verbose_name="signataires", related_name="agreements")
    signed_on = models.DateField("signé le")
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    signed_document = models.FileField(
        "accord signé (PDF)",
        upload_to=agreement_upload_path,
        blank=True,
        validators=[FileExtensionValidator(["pdf"])],
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "accord"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="agreement_ends_after_start"),
            models.CheckConstraint(
                condition=Q(level=AgreementLevel.NATIONAL, parent__isnull=True) | ~Q(level=AgreementLevel.NATIONAL),
                name="agreement_national_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def current_end(self) -> datetime.date:
        """The end date, as extended by the latest amendment."""
        latest = max((a.new_end_on for a in self.amendments.all() if a.new_end_on), default=None)
        return max(self.ends_on, latest) if latest else self.ends_on

    @property
    def review_meeting_due_on(self) -> datetime.date:
        """The review meeting is due at least 6 months before the end (accord-cadre, article on duration)."""
        return self.current_end - relativedelta(months=self.REVIEW_MONTHS_BEFORE_END)

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.starts_on <= day <= self.current_end


class Amendment(TimestampedModel):
    """An avenant: renews or changes an agreement, possibly extending its end date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField("numéro")
    signed_on = models.DateField("signé le")
    new_end_on = models.DateField("nouvelle date de fin", null=True, blank=True)
    summary = models.CharField("objet", max_length=500)
    signed_document = models.FileField(
        "avenant signé (PDF)",
        upload_to=agreement_upload_path,
        blank=True,
        validators=[FileExtensionValidator(["pdf"])],
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "avenant"
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="amendment_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number}"


class TerritorialDiagnostic(TimestampedModel):
    """State of the collaboration between one Mission Locale and one E2C site, at a date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mission_locale = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="diagnostics_as_ml")
    e2c_site = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="diagnostics_as_site")
    collaboration = models.CharField("collaboration existante", max_length=16, choices=CollaborationLevel.choices)
    notes = models.TextField("constats et pistes", blank=True)
    assessed_on = models.DateField("date du diagnostic")
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "diagnostic territorial"
        verbose_name_plural = "diagnostics territoriaux"
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission_locale", "e2c_site", "assessed_on"], name="diagnostic_pair_date_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mission_locale} × {self.e2c_site} ({self.assessed_on:%d/%m/%Y})"


# --- Directory import ---------------------------------------------------------------------


class DirectoryImport(TimestampedModel):
    """One CSV import of organisations: parsed and previewed first, then applied all-or-nothing.

    The parsed rows are kept so the preview and the write use exactly the same data, and so the
    directory keeps a history of who imported what.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "Aperçu"
        APPLIED = "applied", "Appliqué"
        CANCELLED = "cancelled", "Annulé"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField("fichier", max_length=255)
    encoding = models.CharField("encodage", max_length=16)
    delimiter = models.CharField("séparateur", max_length=1)
    rows = models.JSONField("lignes", default=list)
    errors = models.JSONField("erreurs", default=list)
    status = models.CharField("statut", max_length=16, choices=Status.choices, default=Status.PREVIEW)
    applied_at = models.DateTimeField("appliqué le", null=True, blank=True)
    created_count = models.PositiveIntegerField("créées", default=0)
    updated_count = models.PositiveIntegerField("mises à jour", default=0)
    unchanged_count = models.PositiveIntegerField("inchangées", default=0)

    class Meta:
        verbose_name = "import de l'annuaire"
        verbose_name_plural = "imports de l'annuaire"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.filename} ({self.created_at:%d/%m/%Y})"


# --- Two-factor backup codes --------------------------------------------------------------


class BackupCode(models.Model):
    """One single-use two-factor backup code (« code de secours »), for a person who lost their phone.

    Only a keyed hash is stored (``partners.services.two_factor.backup_code_hash``: HMAC-SHA256 with the
    SECRET_KEY of this row's random salt and the normalised code): the database alone gives no usable code.
    A set of codes is replaced as a whole (``backup_codes_generate``); a used code keeps its row, dated.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="backup_codes")
    salt = models.CharField("sel", max_length=32)
    code_hash = models.CharField("empreinte", max_length=64)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "code de secours"
        verbose_name_plural = "codes de secours"
        ordering = ["user", "id"]

    def __str__(self) -> str:
        return f"Code de secours {self.pk}"


# --- E-mail address changes ------------------------------------------------------------------------


class EmailChangeRequest(models.Model):
    """A new sign-in address waiting for its confirmation: a single-use link sent to that address, valid
    24 hours. Until it is followed, the account keeps its address (a mistyped one locks nobody out, and
    an address nobody reads never becomes the account's). Only a SHA-256 of the link's token is stored."""

    VALIDITY = datetime.timedelta(hours=24)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_change_requests")
    new_email = models.EmailField("nouvelle adresse")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("demandée le", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("expire le")
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)

    class Meta:
        verbose_name = "changement d'adresse à confirmer"
        verbose_name_plural = "changements d'adresse à confirmer"

    def __str__(self) -> str:
        return f"Changement d'adresse {self.pk}"


# --- Sign-in protection ----------------------------------------------------------------------------


class SignInNetwork(models.Model):
    """A network (IP address) from which an account signed in successfully: the account's own office.

    The sign-in lockout (``partners.lockout``) refuses an account attacked from many addresses only from
    networks it has never signed in from, so that its owner still signs in at work. Only a keyed digest of
    the address is stored (HMAC-SHA256 with the SECRET_KEY, ``partners.lockout.network_digest``), kept
    SIGN_IN_NETWORK_RETENTION (90 days) after the last success there (``partners.purges``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_networks")
    network_digest = models.CharField("empreinte du réseau", max_length=64)
    last_signed_in_at = models.DateTimeField("dernière connexion", default=timezone.now)

    class Meta:
        verbose_name = "réseau de connexion"
        verbose_name_plural = "réseaux de connexion"
        constraints = [
            models.UniqueConstraint(fields=["user", "network_digest"], name="signinnetwork_user_network_unique")
        ]
        indexes = [models.Index(fields=["last_signed_in_at"], name="signinnetwork_last_signed_in")]

    def __str__(self) -> str:
        return f"Réseau de connexion {self.pk}"
