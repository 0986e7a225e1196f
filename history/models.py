"""The change history, kept by PostgreSQL triggers (django-pghistory): no code path can skip it.

Each tracked model gets one event table in this app (``<Model>Change``): a snapshot of the row at each
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

from typing import Any

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

# Each domain declares its event models in its ``tracked`` module (``history.tracking.track``) and
# registers there how its rows belong to a young person's file (``history.registry``): discovered
# by name, so this shared app names no domain. The event models keep this app's label and tables.
autodiscover_modules("tracked")


def __getattr__(name: str) -> Any:
    """``from history.models import YoungPersonChange``: the event models by name."""
    try:
        return apps.get_model("history", name)
    except LookupError as error:
        raise AttributeError(name) from error
