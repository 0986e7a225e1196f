"""Reads of export jobs: a job belongs to the user who asked for it, in the organisation they acted for."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from common.actors import Actor
from exports.models import ExportJob

RECENT = 10


def jobs_for_actor(actor: Actor) -> QuerySet[ExportJob]:
    if actor.organisation is None:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requested_by=actor.user, organisation=actor.organisation)


def job_for_actor(*, actor: Actor, public_id: uuid.UUID | str) -> ExportJob:
    """The actor's own job, or 404 (someone else's job, even a colleague's, is not revealed)."""
    try:
        return jobs_for_actor(actor).get(public_id=public_id)
    except (ExportJob.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Export introuvable.") from error


def recent_jobs(actor: Actor, *, kind: str | None = None) -> list[ExportJob]:
    jobs = jobs_for_actor(actor)
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    return list(jobs.order_by("-created_at", "-id")[:RECENT])
