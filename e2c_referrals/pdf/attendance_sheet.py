"""The attendance sheet (feuille d'émargement) of an information session, to print and sign.

Only the E2C team of the session's site produces it: it lists every registered young person,
whichever organisation referred them.
"""

from __future__ import annotations

from django.utils import timezone

from e2c_referrals.enums import RegistrationStatus
from e2c_referrals.models import InformationSession
from e2c_referrals.pdf.base import document_context, pdf_filename, render_pdf
from partners.access import Actor

TEMPLATE = "pdf/attendance_sheet.html"
# Blank lines at the end of the list for young people who come without being registered.
LATE_ARRIVAL_LINES = 5


def attendance_sheet_pdf(session: InformationSession, *, actor: Actor) -> bytes:
    """The sheet of ``session`` (already scoped to the actor's site)."""
    seats = list(
        session.registrations.filter(status=RegistrationStatus.REGISTERED)
        .select_related("referral__young_person", "referral__referring_organisation")
        .order_by("referral__young_person__last_name", "referral__young_person__first_name", "id")
    )
    day = timezone.localtime(session.starts_at).date()
    context = {
        **document_context(actor=actor, title="Feuille d'émargement"),
        "session": session,
        "site_name": session.e2c_site.display_name(day),
        "seats": seats,
        "co_hosts": list(session.co_hosts.order_by("last_name", "first_name")),
        "late_lines": range(LATE_ARRIVAL_LINES),
    }
    return render_pdf(TEMPLATE, context)


def attendance_sheet_name(session: InformationSession) -> str:
    return pdf_filename("feuille-emargement", session.public_id, timezone.localtime(session.starts_at).date())
