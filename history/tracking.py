"""How a model's changes are tracked (django-pghistory): the event model each domain declares for
its tracked models in its own ``tracked`` module, with ``track``. See ``history.models``."""

from __future__ import annotations

import copy
from typing import Any

import pghistory
from django.db import models

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


def track(tracked_model: type[models.Model], name: str, *, exclude: list[str] | None = None) -> type[models.Model]:
    """The event model ``name`` (in this app, ``history``) of ``tracked_model``: inserts, updates and
    deletes. Called by the domains' ``tracked`` modules, which ``history.models`` discovers."""
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
