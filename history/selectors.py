"""Reading the change history of a young person's file: the file and everything hanging from it.

The events come from pghistory's aggregate query (``pghistory.models.Events``: one CTE over the
event tables, each event with its data, its context and its difference from the object's previous
snapshot, computed in SQL). Its stock filter reaches only the rows that reference one model; a
file's history also reaches rows two links away (a structuring step through its CEJ, an
attachment through its referral), so each event table's filter is registered by its domain
(``history.registry``). The links go through the *event* tables, so the history of a deleted
contract or referral stays on the file.

The caller checks access first (``cej.views.history``): these functions do not scope by actor.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from pghistory.models import Events, EventsQuery, EventsQueryCompiler, EventsQuerySet

from common.french_dates import date_fr
from history import registry
from pagination.keyset import KeysetPage, paginate
from scheduling.registry import JOBS

PAGE_SIZE = 30
KEYS = ("pgh_created_at", "pgh_id", "pgh_slug")


@functools.cache
def _file_filters() -> dict[type[models.Model], str]:
    """Per event table, the rows of the file ``{pk}`` (a young person's id, an integer), as the
    domains registered them (``history.registry.register_file_events``)."""
    return registry.file_filters()


class _FileEventsCompiler(EventsQueryCompiler):
    @property
    def across(self) -> list[type[models.Model]]:
        return list(_file_filters())

    def _get_where_clause(self, event_model: type[models.Model]) -> str:
        (young_person,) = self.references
        # An integer primary key, formatted as such: nothing from the request reaches the SQL text.
        return "WHERE " + _file_filters()[event_model].format(pk=int(young_person.pk))


class _FileEventsQuery(EventsQuery):
    def get_compiler(self, *args: Any, **kwargs: Any) -> _FileEventsCompiler:
        compiler = super().get_compiler(*args, **kwargs)  # type: ignore[no-untyped-call]
        compiler.__class__ = _FileEventsCompiler
        return compiler  # type: ignore[no-any-return]


def file_events(young_person: models.Model) -> models.QuerySet[Events]:
    """Every recorded change of the file and of its consents, contracts, steps, phases, follow-ups,
    referrals, hand-backs and attachments (unordered: see ``file_history_page``)."""
    query = _FileEventsQuery(Events)  # type: ignore[no-untyped-call]
    queryset: models.QuerySet[Events] = EventsQuerySet(model=Events, query=query)  # type: ignore[no-untyped-call]
    return queryset.references(young_person)  # type: ignore[attr-defined,no-any-return]


# --- Presentation -----------------------------------------------------------------------------

ACTIONS = {"insert": "Création", "update": "Modification", "delete": "Suppression"}

# Tracked models whose verbose name is not (or not well) French: registered by their apps.
MODEL_LABELS = registry.MODEL_LABELS

# Columns that are links inside the file (the young person, the contract, the referral) or
# technical identifiers: the event's line already says what it is about.
HIDDEN = {"id", "public_id", "search_name", "young_person", "contract", "referral", "created_at"}

# Fields declared without a French verbose name.
FIELD_LABELS = {
    "created_by": "créé par",
    "recorded_by": "enregistré par",
    "revoked_by": "retiré par",
    "organisation": "organisation",
    "e2c_site": "site E2C",
    "consent": "accord de partage",
    "assignee": "attribué à",
    "handled_by": "traité par",
    "file": "fichier",
    "content_type": "type de fichier",
    "size": "taille (octets)",
    "uploaded_by": "déposé par",
    "user": "utilisateur",
    "commune": "commune",
}

EMPTY = "—"


@dataclasses.dataclass(frozen=True)
class FieldChange:
    label: str
    old: str | None  # None on a creation: only the new value
    new: str


@dataclasses.dataclass(frozen=True)
class Change:
    at: datetime.datetime
    action: str
    what: str
    who: str
    organisation: str
    fields: list[FieldChange]


@dataclasses.dataclass(frozen=True)
class HistoryPage:
    changes: list[Change]
    page: KeysetPage[Events]


def file_history_page(*, young_person: models.Model, after: str | None, before: str | None) -> HistoryPage:
    """One page of the file's changes, newest first, ready to show (three queries, whatever the page)."""
    page = paginate(file_events(young_person), keys=KEYS, after=after, before=before, size=PAGE_SIZE, descending=True)
    names = _names(page.items)
    return HistoryPage(changes=[_change(event, names) for event in page.items], page=page)


def _fields_of(event: Events) -> dict[str, models.Field[Any, Any]]:
    tracked = apps.get_model(event.pgh_obj_model)
    return {field.column: field for field in tracked._meta.concrete_fields if field.name not in HIDDEN}


# Model label → id → name, for the rows a page of changes points to (``history.registry.register_names``).
Names = dict[str, dict[int, str]]


def _context_named(key: str) -> registry.Named | None:
    return next((named for named in registry.named_models().values() if named.context_key == key), None)


def _names(events: Sequence[Events]) -> Names:
    """Names of the users and organisations (the registered models) the page mentions: one query each."""
    named = registry.named_models()
    ids: dict[str, set[int]] = {label: set() for label in named}
    for event in events:
        context = event.pgh_context or {}
        for label, entry in named.items():
            if entry.context_key and context.get(entry.context_key):
                ids[label].add(int(context[entry.context_key]))
        fields = _fields_of(event)
        values = {**(event.pgh_data or {}), **{k: v[0] for k, v in (event.pgh_diff or {}).items()}}
        for column, value in values.items():
            field = fields.get(column)
            if value is None or field is None or not field.is_relation or field.related_model is None:
                continue
            label = field.related_model._meta.label
            if label in ids:
                ids[label].add(int(value))
    return {label: dict(named[label].names(found)) if found else {} for label, found in ids.items()}


def _context_name(context: dict[str, Any], key: str, names: Names, *, missing: str) -> str | None:
    named = _context_named(key)
    if named is None or not context.get(key):
        return None
    return names.get(named.model, {}).get(int(context[key]), missing)


def _change(event: Events, names: Names) -> Change:
    tracked = apps.get_model(event.pgh_obj_model)
    context = event.pgh_context or {}
    user = _context_named("user")
    if context.get("user"):
        who = _context_name(context, "user", names, missing=user.missing if user else "compte supprimé") or ""
    elif context.get("job"):
        job = JOBS.get(context["job"])
        who = f"tâche automatique « {job.label if job else context['job']} »"
    elif context.get("reason"):  # a service's own label, e.g. the retention job's anonymisation
        who = f"traitement automatique ({context['reason']})"
    else:
        who = "hors application"
    organisation = _context_name(context, "organisation", names, missing=EMPTY) or EMPTY
    return Change(
        at=timezone.localtime(event.pgh_created_at),
        action=ACTIONS.get(event.pgh_label, event.pgh_label),
        what=MODEL_LABELS.get(tracked._meta.label) or str(tracked._meta.verbose_name).capitalize(),
        who=who,
        organisation=organisation,
        fields=_field_changes(event, names),
    )


def _field_changes(event: Events, names: Names) -> list[FieldChange]:
    """The changed fields (an update: old → new) or the filled-in ones (a creation), in form order."""
    changes = []
    for column, field in _fields_of(event).items():
        if event.pgh_label == "update" and column in (event.pgh_diff or {}):
            old, new = event.pgh_diff[column]
            changes.append(
                FieldChange(
                    label=_label(field),
                    old=_display(field, old, names),
                    new=_display(field, new, names),
                )
            )
        elif event.pgh_label == "insert" and (event.pgh_data or {}).get(column) not in (None, "", []):
            new = _display(field, event.pgh_data[column], names)
            changes.append(FieldChange(label=_label(field), old=None, new=new))
    return changes


def _label(field: models.Field[Any, Any]) -> str:
    default = field.name.replace("_", " ")
    verbose = str(field.verbose_name)
    return FIELD_LABELS.get(field.name, verbose) if verbose == default else verbose


def _display(field: models.Field[Any, Any], value: Any, names: Names) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if field.is_relation:
        named = registry.named_models().get(field.related_model._meta.label) if field.related_model else None
        if named is not None:
            return names.get(named.model, {}).get(int(value), named.missing)
        if field.name == "departement":
            return str(value)
        return "renseigné"
    if isinstance(value, list):
        base = getattr(field, "base_field", field)
        return ", ".join(_display(base, item, names) for item in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "oui" if value else "non"
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        return date_fr(timezone.localtime(moment), "j F Y à H:i") if moment else str(value)
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        return date_fr(day) if day else str(value)
    return str(value)
