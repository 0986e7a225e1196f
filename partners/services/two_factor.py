"""Two-factor authentication by TOTP (django-otp): who must use it, enrolment, verification.

A session is verified once django-otp's session key (``otp_device_id``) holds a device of its user:
``partners.middleware.TwoFactorRequiredMiddleware`` then lets the person through. Only these services
write that key, after checking a code.
"""

import base64
import dataclasses
import hmac
import re
import secrets

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.enums import Role
from partners.models import BackupCode, Membership, User

# Roles that see many organisations' data or manage accounts: a stolen password is not enough.
TWO_FACTOR_ROLES = frozenset({Role.MANAGER, Role.REGIONAL_COORDINATOR, Role.NATIONAL_COMMITTEE, Role.ADMINISTRATOR})
DEVICE_NAME = "Application d'authentification"


def two_factor_required(user: User, memberships: list[Membership] | None = None) -> bool:
    """True if any active membership of ``user`` has a role of TWO_FACTOR_ROLES, or the user may use the admin.

    ``memberships``: the user's active memberships when the caller already has them (no query then).
    """
    if user.is_staff or user.is_superuser:
        return True
    if memberships is None:
        return Membership.objects.filter(user=user, is_active=True, role__in=TWO_FACTOR_ROLES).exists()
    return any(membership.role in TWO_FACTOR_ROLES for membership in memberships)


def session_is_verified(request: HttpRequest) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def _session_verify(request: HttpRequest, device: TOTPDevice) -> None:
    """Mark this session verified with ``device``, under a new session identifier (its data kept).

    The identifier seen before the second factor (planted, or read over the shoulder or in a proxy's log
    between the password and the code) is worth nothing after it: its row is deleted (ASVS 5.0 7.2.4).
    """
    otp_login(request, device)
    request.session.cycle_key()


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled for ``user``: the one already started, else a new secret.

    Side effects: at most one TOTPDevice row created (confirmed=False). A confirmed device stays in use
    until the new one is confirmed.
    """
    User.objects.select_for_update().filter(pk=user.pk).get()
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return pending or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_enrolment_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm the pending ``device`` with a code from the person's application; False if the code is wrong.

    Side effects on success: the device confirmed, every other device of the user deleted, and this session
    verified with it (django-otp's session key) under a new session identifier.
    """
    TOTPDevice.objects.select_for_update().filter(pk=device.pk).get()
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    _session_verify(request, device)
    return True


def totp_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a code against the user's confirmed device; on success the session is verified (new identifier).

    django-otp refuses a code already used (same 30-second step) and slows down repeated failures.
    """
    device = confirmed_device(user)
    if device is None or not device.verify_token(token):
        return False
    _session_verify(request, device)
    return True


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The secret in base 32, in groups of 4 characters, as authenticator applications ask for it."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address of the device as an inline SVG QR code (no image file, no inline style)."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, dark="#000", light="#fff", title="Code QR à scanner avec votre application")
    return str(svg).replace("<svg ", '<svg role="img" ', 1)


# --- Backup codes (« codes de secours ») ------------------------------------------------------------

BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 10
# No 0/O, 1/I/L: a code copied from paper is not misread. 31 symbols, 10 of them: about 49 bits per code.
BACKUP_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BACKUP_CODES_LOW = 3  # at or under this many unused codes, the person is told to generate new ones
_HASH_SALT = "partners.backup_code"


def normalise_backup_code(raw: str) -> str:
    """« abcd-efgh jk » → « ABCDEFGHJK »: case, dashes and spaces ignored."""
    return re.sub(r"[\s-]", "", raw).upper()


def looks_like_backup_code(normalised: str) -> bool:
    return len(normalised) == BACKUP_CODE_LENGTH and all(char in BACKUP_CODE_ALPHABET for char in normalised)


def format_backup_code(code: str) -> str:
    """« ABCDEFGHJK » → « ABCD-EFGH-JK », as shown to the person."""
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def backup_code_hash(*, salt: str, code: str, secret: str | None = None) -> str:
    """What is stored of a code: HMAC-SHA256 keyed by the SECRET_KEY, of the row's salt and the code.

    Keyed, so a copy of the database alone cannot be searched for codes; one HMAC per code checked
    (a slow password hash per code would make the check of ten codes take seconds).
    """
    return salted_hmac(_HASH_SALT, f"{salt}:{code}", secret=secret, algorithm="sha256").hexdigest()


def _matches(row: BackupCode, code: str) -> bool:
    # The fallbacks keep codes valid across a rotation of the SECRET_KEY.
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])):
        if hmac.compare_digest(row.code_hash, backup_code_hash(salt=row.salt, code=code, secret=secret)):
            return True
    return False


@transaction.atomic
def backup_codes_generate(*, user: User) -> list[str]:
    """A new set of BACKUP_CODE_COUNT codes for ``user``, returned in clear (shown once, never stored).

    Side effects: every previous code of the user deleted (used or not), BACKUP_CODE_COUNT BackupCode rows
    written (salt and hash only). The user's row is locked, so two generations at once leave one set.
    """
    User.objects.select_for_update().filter(pk=user.pk).get()
    BackupCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        for _ in range(BACKUP_CODE_COUNT)
    ]
    now = timezone.now()
    rows = []
    for code in codes:
        salt = secrets.token_hex(16)
        rows.append(BackupCode(user=user, salt=salt, code_hash=backup_code_hash(salt=salt, code=code), created_at=now))
    BackupCode.objects.bulk_create(rows)
    return [format_backup_code(code) for code in codes]


def two_factor_in_place(user: User) -> bool:
    """The person has an authenticator application (confirmed or being enrolled) or backup codes."""
    return TOTPDevice.objects.filter(user=user).exists() or BackupCode.objects.filter(user=user).exists()


def backup_codes_remaining(user: User) -> int:
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()


@dataclasses.dataclass(frozen=True)
class BackupCodeCheck:
    """The outcome of a backup code: ``accepted``, else why (``used``: the code already served)."""

    accepted: bool
    used: bool = False
    remaining: int = 0


@transaction.atomic
def backup_code_verify(*, request: HttpRequest, user: User, code: str) -> BackupCodeCheck:
    """Check a backup code instead of the application's code; on success the session is verified.

    The same brake as the application's codes: the confirmed device's throttling (django-otp doubles the
    wait after each failure) is checked first and counts a wrong or used backup code as a failure. The
    device row, then the code's row, are locked: of two requests with one code, the second waits, then
    finds it used.

    Side effects on success: the code's used_at set, the device's throttling reset, and this session
    verified with the device (django-otp's session key) under a new session identifier. On failure: the device's
    failure count raised.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
    if device is None:
        return BackupCodeCheck(accepted=False)
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return BackupCodeCheck(accepted=False)
    normalised = normalise_backup_code(code)
    rows = list(BackupCode.objects.select_for_update().filter(user=user).order_by("pk"))
    # Every row is hashed and compared, used or not: the time taken does not tell which code matched.
    matched = [row for row in rows if _matches(row, normalised)] if looks_like_backup_code(normalised) else []
    row = matched[0] if matched else None
    if row is None or row.used_at is not None:
        device.throttle_increment(commit=True)
        return BackupCodeCheck(accepted=False, used=row is not None)
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    device.throttle_reset(commit=True)
    _session_verify(request, device)
    return BackupCodeCheck(accepted=True, remaining=sum(1 for other in rows if other.used_at is None))
