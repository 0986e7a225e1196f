"""The change history, kept by PostgreSQL triggers (django-pghistory): no code path can skip it.

Each tracked model gets one event table here (``<Model>Change``): a snapshot of the row at each
insert, update and delete, with ``pgh_context`` pointing at who did it, for which organisation
and from which page (``history.context``). The previous value of a field is the same field in the
object's previous snapshot, so a change reads "old → new" (``history.selectors``).

Left out of the snapshots: ``updated_at`` (noise: it changes with every save), and for users the
password hash and the last sign-in (a hash must never be copied anywhere; a sign-in is not a
change of personal data and would fill the table). An update that touches only left-out columns
records nothing: the update trigger compares the snapshot columns only.

The event models keep pghistory's generic shape (a ``pgh_obj`` foreign key to the tracked row,
without a database constraint, so a delete keeps its event): the retention job erases an
anonymised object's events by walking ``pghistory.models.Event`` subclasses.
"""

from __future__ import annotations

import copy
from typing import Any

import pghistory
from django.db import models

from cej.models import (
    CejContract,
    Consent,
    FollowUp,
    PaceaContract,
    PaceaPhase,
    Restriction,
    StructuringStep,
    YoungPerson,
)
from e2c_referrals.models import Attachment, HandBack, Referral
from partners.models import Membership, User

NOISE = ["updated_at"]
SECRETS = ["password", "last_login"]


# The snapshot columns the file's history filters on (history.selectors): the only foreign keys
# of the event tables worth an index. The others (organisation, referent, site…) would cost an
# index write per change and serve no query.
LINKS = {"young_person", "contract", "referral"}


def _unindexed(field: models.ForeignKey[Any, Any]) -> models.ForeignKey[Any, Any]:
    """The snapshot column of ``field`` as pghistory builds it (no constraint), without an index."""
    field = copy.deepcopy(field)
    field.swappable = False  # type: ignore[attr-defined]  # deconstruct() would look the user model up in the settings
    _, _, args, kwargs = field.deconstruct()
    kwargs.update(
        on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+", related_query_name="+"
    )
    return models.ForeignKey(*args, **kwargs)


def _track(tracked_model: type[models.Model], name: str, *, exclude: list[str] | None = None) -> type[models.Model]:
    """The event model ``name`` (in this app) of ``tracked_model``: inserts, updates and deletes."""
    excluded = [field.name for field in tracked_model._meta.local_fields if field.name in (exclude or NOISE)]
    unindexed = {
        field.name: _unindexed(field)
        for field in tracked_model._meta.local_fields
        if isinstance(field, models.ForeignKey) and field.name not in LINKS and field.name not in excluded
    }
    return pghistory.create_event_model(
        tracked_model,
        pghistory.InsertEvent(trigger_name="history_insert"),
        pghistory.UpdateEvent(trigger_name="history_update"),
        pghistory.DeleteEvent(trigger_name="history_delete"),
        exclude=excluded,
        # The tracked models may already have an "events" relation (their business event log).
        obj_field=pghistory.ObjForeignKey(related_name="history_changes"),
        model_name=name,
        app_label="history",
        attrs=unindexed,
        meta={"verbose_name": f"modification ({tracked_model._meta.verbose_name})"},
        abstract=False,
    )


YoungPersonChange = _track(YoungPerson, "YoungPersonChange")
ConsentChange = _track(Consent, "ConsentChange")
CejContractChange = _track(CejContract, "CejContractChange")
PaceaContractChange = _track(PaceaContract, "PaceaContractChange")
StructuringStepChange = _track(StructuringStep, "StructuringStepChange")
PaceaPhaseChange = _track(PaceaPhase, "PaceaPhaseChange")
FollowUpChange = _track(FollowUp, "FollowUpChange")
RestrictionChange = _track(Restriction, "RestrictionChange")
ReferralChange = _track(Referral, "ReferralChange")
HandBackChange = _track(HandBack, "HandBackChange")
AttachmentChange = _track(Attachment, "AttachmentChange")
MembershipChange = _track(Membership, "MembershipChange")
UserChange = _track(User, "UserChange", exclude=[*NOISE, *SECRETS])
