"""The views that create something a person would see twice: domains declare them (``apps.py``).

For these, the guard also refuses the **same content** sent again by the same person within
``RESEND_WINDOW`` under a new token — the Back button refetches a ``no-store`` page with a fresh
token while the browser refills what was typed, and two tabs render two tokens. This module names
no domain: each app registers its own view names in ``ready()``.
"""

from __future__ import annotations

import datetime

RESEND_WINDOW = datetime.timedelta(minutes=10)
CREATING_VIEWS: set[str] = set()


def register_creating(*view_names: str) -> None:
    """Declare ``namespace:name`` views whose successful POST creates a row."""
    CREATING_VIEWS.update(view_names)
