"""Export kind ``referral_files``: every referral file of an E2C site (received) or of a referring
organisation (sent) for a period, in one ZIP. Runs in a Celery worker (``exports.tasks.build_export``)."""

from __future__ import annotations

import datetime
import zipfile
from typing import IO

from django.db.models import QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from audit.models import AccessLog
from e2c_referrals.models import Referral
from e2c_referrals.pdf.base import render_pdf
from e2c_referrals.pdf.referral_file import TEMPLATE, prefetch_referral_files, referral_file_context
from e2c_referrals.selectors.referrals import referrals_for_actor
from exports.models import ExportJob
from exports.registry import ExportRefused, Progress
from exports.services import job_actor
from partners.access import Actor
from partners.french import count_fr, number_fr
from partners.models import Organisation

CHUNK = 50  # referrals prefetched together: bounded memory, one query per relation per chunk
MOST_FILES = 2000


def referrals_for_export(
    *, actor: Actor, organisation: Organisation, start: datetime.date, end: datetime.date
) -> QuerySet[Referral]:
    """The actor's referrals of ``organisation`` (received by a site, sent by anyone else) sent in the period."""
    scoped = referrals_for_actor(actor)
    if organisation.is_e2c:
        scoped = scoped.filter(e2c_site=organisation)
    else:
        scoped = scoped.filter(referring_organisation=organisation)
    return (
        scoped.annotate(day=TruncDate(Coalesce("sent_at", "created_at")))
        .filter(day__gte=start, day__lte=end)
        .select_related("young_person", "referring_organisation", "referring_adviser", "e2c_site", "cej_contract")
        .order_by("day", "id")
    )


def build_referral_files_zip(job: ExportJob, output: IO[bytes], progress: Progress) -> None:
    """Write the ZIP of the job's referral files to ``output``; log one export per referral and file."""
    actor = job_actor(job)
    parameters = job.parameters
    organisation = Organisation.objects.filter(public_id=parameters.get("organisation")).first()
    if organisation is None or organisation.pk not in actor.family_ids:
        raise ExportRefused("Cette organisation n'est plus dans votre périmètre.")
    start = datetime.date.fromisoformat(parameters["start"])
    end = datetime.date.fromisoformat(parameters["end"])
    referrals = list(referrals_for_export(actor=actor, organisation=organisation, start=start, end=end))
    if len(referrals) > MOST_FILES:
        raise ExportRefused(
            f"Plus de {number_fr(MOST_FILES)} orientations sur cette période : choisissez une période plus courte."
        )
    total = len(referrals)
    progress(0, total)
    # PDFs are already compressed: stored as they are, the ZIP costs nothing to build.
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as archive:
        for first in range(0, total, CHUNK):
            chunk = referrals[first : first + CHUNK]
            prefetch_referral_files(chunk)
            for offset, referral in enumerate(chunk, start=1):
                content = render_pdf(TEMPLATE, referral_file_context(referral, actor=actor))
                archive.writestr(f"fiche-de-liaison-{referral.public_id}.pdf", content)
                progress(first + offset, total)
        archive.writestr(
            "LISEZMOI.txt",
            (
                f"Fiches de liaison — {organisation}\n"
                f"Orientations {'reçues' if organisation.is_e2c else 'envoyées'} "
                f"du {start:%d/%m/%Y} au {end:%d/%m/%Y} : {count_fr(total, 'fiche')}.\n"
                f"Établi le {timezone.localtime():%d/%m/%Y à %H:%M} (export {job.public_id}).\n"
                "Document confidentiel — données personnelles. À supprimer dès qu'il n'est plus utile.\n"
            ),
        )
    now = timezone.now()
    AccessLog.objects.bulk_create(
        AccessLog(
            created_at=now,
            user=actor.user,
            organisation=actor.organisation,
            object_type=type(record).__name__,
            object_id=record.public_id,
            purpose=AccessLog.Purpose.EXPORT,
        )
        for referral in referrals
        for record in (referral, referral.young_person)
    )
