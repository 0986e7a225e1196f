from typing import Protocol
from uuid import UUID

from audit.models import AccessLog
from partners.access import Actor


class PublicRecord(Protocol):
    public_id: UUID


def log_access(*, actor: Actor, record: PublicRecord, purpose: str) -> None:
    """Record that ``actor`` read ``record`` (its public UUID and model name, never its content)."""
    AccessLog.objects.create(
        user=actor.user,
        organisation=actor.organisation,
        object_type=type(record).__name__,
        object_id=record.public_id,
        purpose=purpose,
    )
