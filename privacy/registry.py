"""The sections of the right-of-access export: key → title, place and loader. Any app registers its own.

A loader is ``loader(subject) -> list[Record]``: the records the app holds on ``subject.person`` (built
with ``privacy.records.record``), oldest first. It may share a query with its app's other sections
through ``subject.once(key, fetch)``, and read the sections assembled before it (``subject.earlier``:
the access log lists the reads of every record exported above it). It only reads: the caller logs
the export.

Register in your app's ``AppConfig.ready()`` (a dotted path keeps the import lazy)::

    register_section("consents", title="Accords de partage", order=30, loader="cej.privacy.consents")

The order places the section in the PDF and the JSON (ascending); the key names it in the JSON.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.utils.module_loading import import_string

from privacy.records import Record

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Section:
    key: str
    title: str
    records: list[Record]


@dataclasses.dataclass
class Subject:
    """The person the export is about, and what the loaders already gathered on them."""

    person: models.Model
    public_id: uuid.UUID
    earlier: list[Section] = dataclasses.field(default_factory=list)
    _fetched: dict[str, Any] = dataclasses.field(default_factory=dict)

    def once(self, key: str, fetch: Callable[[], T]) -> T:
        """``fetch()`` the first time ``key`` is asked for, its result afterwards (one query for
        several sections of an app)."""
        if key not in self._fetched:
            self._fetched[key] = fetch()
        result: T = self._fetched[key]
        return result

    def logged_ids(self) -> list[uuid.UUID]:
        """The access-log ids of every record exported so far."""
        return [item.logged_as for section in self.earlier for item in section.records if item.logged_as]


Loader = Callable[[Subject], list[Record]]


@dataclasses.dataclass(frozen=True)
class SectionKind:
    key: str  # the section's key in the JSON export
    title: str  # French, its heading in the PDF
    order: int  # its place among the sections (ascending)
    loader: str | Loader  # a callable or its dotted path

    def load(self, subject: Subject) -> Section:
        loader: Loader = import_string(self.loader) if isinstance(self.loader, str) else self.loader
        return Section(self.key, self.title, loader(subject))


class Registry:
    def __init__(self) -> None:
        self._kinds: dict[str, SectionKind] = {}

    def register(self, kind: SectionKind) -> None:
        existing = self._kinds.get(kind.key)
        if existing is not None and existing != kind:
            raise ValueError(f"Right-of-access section {kind.key!r} is already registered differently.")
        taken = [other.key for other in self._kinds.values() if other.order == kind.order and other.key != kind.key]
        if taken:
            raise ValueError(f"Section {kind.key!r}: order {kind.order} is already {taken[0]!r}'s.")
        self._kinds[kind.key] = kind

    def kinds(self) -> list[SectionKind]:
        return sorted(self._kinds.values(), key=lambda kind: kind.order)

    def assemble(self, person: models.Model, *, public_id: uuid.UUID) -> list[Section]:
        """Every registered section on ``person``, in order."""
        subject = Subject(person=person, public_id=public_id)
        for kind in self.kinds():
            subject.earlier.append(kind.load(subject))
        return subject.earlier


_REGISTRY = Registry()


def register_section(key: str, *, title: str, order: int, loader: str | Loader) -> None:
    _REGISTRY.register(SectionKind(key=key, title=title, order=order, loader=loader))


def section_kinds() -> list[SectionKind]:
    return _REGISTRY.kinds()


def sections_for(person: models.Model, *, public_id: uuid.UUID) -> list[Section]:
    """The right-of-access export of ``person``: every app's section, in order."""
    return _REGISTRY.assemble(person, public_id=public_id)
