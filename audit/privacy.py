"""The access log in the right-of-access export (section registered in ``audit.apps``)."""

from __future__ import annotations

from django.db.models import Q

from audit.models import AccessLog
from privacy.records import Record, record
from privacy.registry import Subject


def access_log(subject: Subject) -> list[Record]:
    """The reads of every record exported above, and the lists and searches that showed the person."""
    accesses = (
        AccessLog.objects.filter(Q(object_id__in=subject.logged_ids()) | Q(shown__contains=[subject.public_id]))
        .select_related("organisation")
        .order_by("created_at", "id")
    )
    return [
        record(
            access.get_purpose_display(),
            access,
            [("created_at", "Date"), "purpose", ("organisation", "Organisation")],
            object_type=("Objet", access.listing_label or access.object_type),
            object_id=("Identifiant de l'objet", str(access.object_id)),
        )
        for access in accesses
    ]
