"""Two-factor authentication by TOTP (django-otp): who must use it, enrolment, verification.

A session is verified once django-otp's session key (``otp_device_id``) holds a device of its user:
``config.middleware.TwoFactorRequiredMiddleware`` then lets the person through. Only these services
write that key, after checking a code.
"""

import base64

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.enums import Role
from partners.models import Membership, User

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
    verified with it (django-otp's session key).
    """
    TOTPDevice.objects.select_for_update().filter(pk=device.pk).get()
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    otp_login(request, device)
    return True


def totp_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a code against the user's confirmed device; on success the session is verified.

    django-otp refuses a code already used (same 30-second step) and slows down repeated failures.
    """
    device = confirmed_device(user)
    if device is None or not device.verify_token(token):
        return False
    otp_login(request, device)
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
