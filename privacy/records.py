"""Turning a model's fields into labelled values: the records of a right-of-access section.

One record feeds both outputs, so the PDF (for reading: French labels, dates as dd/mm/yyyy) and the
JSON (for machines: ISO dates, codes not labels) never disagree.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone

# A field: its attribute name, or (attribute name, French label) when the model has no good label.
FieldSpec = str | tuple[str, str]


@dataclasses.dataclass(frozen=True)
class Value:
    key: str
    label: str
    display: str
    data: object  # JSON-ready


@dataclasses.dataclass(frozen=True)
class Record:
    title: str
    values: list[Value]
    # The id the access log names this row by (``AccessLog.object_id``): the export lists its reads.
    logged_as: uuid.UUID | None = None

    def as_json(self) -> dict[str, object]:
        return {value.key: value.data for value in self.values}


def _json(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


def _display(record: models.Model, field: models.Field[object, object], value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d/m/Y")
    choices = dict(
        getattr(field, "flatchoices", None) or getattr(getattr(field, "base_field", None), "flatchoices", [])
    )
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, models.Model):
        return _person(value) if hasattr(value, "get_full_name") else str(value)
    if isinstance(value, Decimal):
        return f"{formats.number_format(value, 2, use_l10n=True)} €"
    return str(value)


def _person(user: models.Model) -> str:
    return str(user.get_full_name())  # type: ignore[attr-defined]


def record(
    title: str,
    instance: models.Model,
    specs: Sequence[FieldSpec],
    *,
    logged_as: uuid.UUID | None = None,
    **extra: tuple[str, object],
) -> Record:
    """``instance``'s fields as labelled values; ``extra`` adds computed ones: key=(label, value)."""
    values = []
    for spec in specs:
        name, label = (spec, "") if isinstance(spec, str) else spec
        field = instance._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{name} is a relation, not a field")
        value = getattr(instance, name)
        if not label:
            label = str(field.verbose_name)
            label = label[:1].upper() + label[1:]
        data = value.name if isinstance(value, models.fields.files.FieldFile) else _json(value)
        shown = ("fichier conservé" if value else "—") if isinstance(value, models.fields.files.FieldFile) else None
        values.append(Value(name, label, shown or _display(instance, field, value), data))
    for key, (label, value) in extra.items():
        values.append(Value(key, label, str(value) if value not in (None, "") else "—", _json(value)))
    return Record(title, values, logged_as)


def names(users: Iterable[models.Model]) -> str:
    return ", ".join(_person(user) for user in users)
