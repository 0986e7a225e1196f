"""Who sees which figures: the national committee everything, a regional coordinator their région only.

Everyone else is refused (403), even managers: their own figures are in their lists. An area outside
the actor's région answers 404, like any record outside a scope.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from partners.access import Actor
from partners.geography import geography
from partners.models import Organisation
from reporting.access import can_view_reporting, sees_the_nation
from reporting.indicators import Area, Level, Period

SEMESTERS_OFFERED = 10


def root_area(actor: Actor) -> Area:
    """The widest area the actor may see (403 for roles without the dashboard)."""
    if not can_view_reporting(actor):
        raise PermissionDenied("Les indicateurs sont réservés au comité national et aux coordinations régionales.")
    if sees_the_nation(actor):
        return Area(Level.NATIONAL)
    region_code = actor.organisation.region_id if actor.organisation else None
    region_name = geography().region_name(region_code)
    if region_code is None or region_name is None:
        raise PermissionDenied("Votre organisation n'est rattachée à aucune région.")
    return Area(Level.REGION, region_code, region_name)


def area_for(actor: Actor, level: Level, code: str) -> tuple[Area, list[Area]]:
    """The area asked for and its parents (for the breadcrumbs), 404 outside the actor's scope."""
    root = root_area(actor)
    if level == Level.NATIONAL:
        if root.level != Level.NATIONAL:
            raise Http404
        return root, []
    places = geography()
    if level == Level.REGION:
        region_name = places.region_name(code)
        if region_name is None:
            raise Http404
        area, parents, region_code = Area(Level.REGION, code, region_name), [], code
    elif level == Level.DEPARTEMENT:
        label = places.departement_label(code)
        if label is None:
            raise Http404
        region_code = places.region_of(code) or ""
        area = Area(Level.DEPARTEMENT, code, label)
        parents = [Area(Level.REGION, region_code, places.region_name(region_code) or region_code)]
    else:
        pk, name, region, departement_code = _organisation(code)
        region_code = region or ""
        area = Area(Level.ORGANISATION, str(pk), name)
        parents = []
        if region_code:
            parents.append(Area(Level.REGION, region_code, places.region_name(region_code) or region_code))
        if departement_code:
            label = places.departement_label(departement_code) or departement_code
            parents.append(Area(Level.DEPARTEMENT, departement_code, label))
    if root.level == Level.REGION and region_code != root.code:
        raise Http404
    national = [Area(Level.NATIONAL)] if root.level == Level.NATIONAL else []
    return area, national + parents


def _organisation(public_id: str) -> tuple[int, str, str | None, str | None]:
    """The organisation's id, name, région and département codes (their names come from ``geography``)."""
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        raise Http404 from None
    found = Organisation.objects.filter(public_id=key).values_list("pk", "name", "region_id", "departement_id")
    organisation = next(iter(found), None)
    if organisation is None:
        raise Http404
    return organisation


def organisation_public_ids(ids: list[str]) -> dict[str, str]:
    """Organisation id → public id, for the drill-down links of a breakdown (ids never in URLs)."""
    return {
        str(pk): str(public_id)
        for pk, public_id in Organisation.objects.filter(pk__in=[int(i) for i in ids]).values_list("pk", "public_id")
    }


def semesters(today: datetime.date) -> list[Period]:
    """The current semester and the previous ones, most recent first."""
    year, half = today.year, 1 if today.month <= 6 else 2
    offered = []
    for _ in range(SEMESTERS_OFFERED):
        offered.append(Period.semester(year, half))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return offered


def period_from_query(query: dict[str, str], today: datetime.date) -> tuple[Period, str]:
    """The period asked for (``semestre=2026-S1``, or ``du`` and ``au`` dates), else the last complete
    semester; with an error message when what was asked could not be read."""
    default = Period.last_complete_semester(today)
    if query.get("du") or query.get("au"):
        try:
            start = datetime.date.fromisoformat(query.get("du", ""))
            end = datetime.date.fromisoformat(query.get("au", ""))
        except ValueError:
            return default, "Les dates de la période sont invalides : le dernier semestre complet est affiché."
        if end < start or (end - start).days > 366 * 6:
            return default, "La fin de la période doit suivre son début (6 ans au plus)."
        return Period(start, end), ""
    code = query.get("semestre", "")
    if code:
        year, _, half = code.partition("-S")
        if year.isdigit() and half in ("1", "2") and 2000 <= int(year) <= 2100:
            return Period.semester(int(year), int(half)), ""
        return default, "Semestre inconnu : le dernier semestre complet est affiché."
    return default, ""
