"""Reads of the access log, for administrators (the data protection officer's questions: who read
this young person's file? what did this person read?)."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from audit.models import AccessLog


def access_log(*, object_id: uuid.UUID | None = None, user_email: str = "") -> QuerySet[AccessLog]:
    """Rows about one record (a young person, a referral, a document…) and/or by one user."""
    rows = AccessLog.objects.select_related("user", "organisation")
    if object_id is not None:  # the record itself, or a list that showed this young person
        rows = rows.filter(Q(object_id=object_id) | Q(shown__contains=[object_id]))
    if user_email:
        rows = rows.filter(user__email__iexact=user_email.strip())
    return rows
