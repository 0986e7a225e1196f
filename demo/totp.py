"""The demo's two-factor secret: public, local demonstration only (no Django setup needed: ``make run``
prints it, the browser tests type its codes).

Every demo account whose role requires two-factor authentication has a TOTP device with this secret.
Add it once to an authenticator application (manual entry, time-based, 6 digits, 30 seconds), or compute
the current code with ``totp_code(DEMO_TOTP_SECRET)``.
"""

import base64
import time

from django_otp.oath import TOTP

DEMO_TOTP_KEY = b"OrientationsE2C-demo"  # 20 bytes, like the keys django-otp generates
DEMO_TOTP_KEY_HEX = DEMO_TOTP_KEY.hex()  # TOTPDevice.key
DEMO_TOTP_SECRET = base64.b32encode(DEMO_TOTP_KEY).decode()  # what an authenticator application asks for


def totp_code(secret_base32: str, at: float | None = None) -> str:
    """The 6-digit code of ``secret_base32`` (spaces allowed) at time ``at`` (now by default)."""
    generator = TOTP(base64.b32decode(secret_base32.replace(" ", "").upper()), step=30, t0=0, digits=6)
    generator.time = time.time() if at is None else at
    return str(generator.token()).zfill(6)
