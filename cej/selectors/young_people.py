"""Reads of young people's files, always through the actor's scope (partners.access)."""

from __future__ import annotations

import dataclasses
import datetime
import re
import uuid

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import BooleanField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from cej.models import YoungPerson, normalised_name
from common.uuid_urls import uuid_reverse
from pagination.keyset import KeysetPage, paginate
from partners.access import Actor, scope_personal_records

LIST_PAGE_SIZE = 50
# What cej/_young_people_table.html shows of a file (with the keyset's sort key).
LIST_COLUMNS = (
    "public_id",
    "search_name",
    "last_name",
    "first_name",
    "birth_date",
    "imilo_number",
    "referent__first_name",
    "referent__last_name",
)
# What the file page reads: the whole file, the names of its organisation (Organisation.__str__),
# referent and département; ``.only()`` of these costs less to compile than ``.defer()`` of the rest.
PAGE_COLUMNS = (
    *(field.name for field in YoungPerson._meta.concrete_fields),
    "organisation__name",
    "organisation__kind",
    "referent__first_name",
    "referent__last_name",
    "departement__name",
)
# Whether the file's processing is restricted (RGPD article 18), read with the file: the page reads
# the restriction itself only then. Raw SQL: an ``Exists`` costs about 0.5 ms more to compile.
HAS_OPEN_RESTRICTION = RawSQL(
    'EXISTS (SELECT 1 FROM "cej_restriction" r'
    ' WHERE r."young_person_id" = "cej_youngperson"."id" AND r."lifted_at" IS NULL)',
    (),
    output_field=BooleanField(),
)
SEARCH_RESULTS = 50
# Word similarity from which a name counts as "close enough" (pg_trgm's operator uses 0.6).
WORD_SIMILARITY_THRESHOLD = 0.5
DATE_PATTERN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
IDENTIFIER_PATTERN = re.compile(r"^[0-9A-Za-z]{4,12}$")


def young_people_for_actor(actor: Actor) -> QuerySet[YoungPerson]:
    """Every file the actor may open: their organisation's (and its sites' for a manager)."""
    return scope_personal_records(actor, YoungPerson.objects.all(), organisation_field="organisation")


def young_person_for_actor(*, actor: Actor, public_id: uuid.UUID | str, page: bool = False) -> YoungPerson:
    """One file, or 404 if it is outside the actor's scope (its existence is not revealed). ``page``:
    for the file's page, which names the organisation, the referent and the département (the rest of
    their rows is not read) and asks ``has_open_restriction``."""
    files = young_people_for_actor(actor).select_related("organisation", "referent", "departement")
    if page:
        files = files.only(*PAGE_COLUMNS).annotate(has_open_restriction=HAS_OPEN_RESTRICTION)
    try:
        return files.get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("Dossier introuvable.") from error


def young_people_list(
    *, actor: Actor, mine_only: bool = False, after: str | None = None, before: str | None = None
) -> KeysetPage[YoungPerson]:
    """The organisation's files in alphabetical order (accent-free), one keyset page: only the columns
    the list shows (its referent's name, never the whole account)."""
    queryset = young_people_for_actor(actor).select_related("referent").only(*LIST_COLUMNS)
    if mine_only:
        queryset = queryset.filter(referent=actor.user)
    return paginate(queryset, keys=("search_name", "id"), after=after, before=before, size=LIST_PAGE_SIZE)


@dataclasses.dataclass(frozen=True)
class YoungPersonRow:
    """One file as the list and the search results show it, its words written once here (issue 21:
    a page of 50 rows runs no filter, ``{% url %}`` or property per cell)."""

    public_id: uuid.UUID
    url: str
    name: str  # « NOM Prénom »
    born_on: str  # « 04/05/2007 »
    age: int
    referent: str  # full name, « — » without a referent
    imilo_number: str  # « — » when unknown


def young_person_rows(people: list[YoungPerson], *, today: datetime.date | None = None) -> list[YoungPersonRow]:
    today = today or timezone.localdate()
    return [
        YoungPersonRow(
            public_id=person.public_id,
            url=uuid_reverse("cej:young_person_detail", public_id=person.public_id),
            name=f"{person.last_name} {person.first_name}",
            born_on=f"{person.birth_date:%d/%m/%Y}",
            age=person.age_on(today),
            referent=person.referent.get_full_name() if person.referent else "—",
            imilo_number=person.imilo_number or "—",
        )
        for person in people
    ]


def parse_french_date(text: str) -> datetime.date | None:
    match = DATE_PATTERN.match(text.strip())
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def search_young_people(*, actor: Actor, query: str) -> list[YoungPerson]:
    """The best matches for ``query`` among the actor's files, best first (at most 50).

    ``jj/mm/aaaa`` searches birth dates; digits and letters alone search the i-milo number and the
    France Travail identifier; anything else searches names, ignoring accents and case and
    tolerating typos (pg_trgm similarity on the ``search_name`` column, GIN-indexed).
    """
    query = query.strip()[:100]
    scoped = young_people_for_actor(actor).select_related("referent")
    if not query:
        return []
    birth_date = parse_french_date(query)
    if birth_date is not None:
        return list(scoped.filter(birth_date=birth_date).order_by("search_name", "id")[:SEARCH_RESULTS])
    if IDENTIFIER_PATTERN.match(query) and any(c.isdigit() for c in query):
        return list(
            scoped.filter(Q(imilo_number=query) | Q(france_travail_id__iexact=query)).order_by("search_name", "id")[
                :SEARCH_RESULTS
            ]
        )
    term = normalised_name(Value(query))
    with transaction.atomic(), connection.cursor() as cursor:
        # For this transaction only: pg_trgm's ``%>`` (word_similarity >= threshold, the form the
        # (organisation, search_name) GIN index answers) at our threshold instead of its 0.6; and no
        # index-only scan, which the planner would otherwise prefer (it prices word_similarity like an
        # addition) to compare the query with every file of the organisation through the keyset index.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
            "set_config('enable_indexonlyscan', 'off', true)",
            [str(WORD_SIMILARITY_THRESHOLD)],
        )
        return list(
            # django-stubs types the second argument as str; an expression is what PostgreSQL gets.
            scoped.annotate(similarity=TrigramWordSimilarity(term, "search_name"))  # type: ignore[arg-type]
            .filter(Q(search_name__trigram_word_similar=term) | Q(search_name__contains=term))
            .order_by("-similarity", "search_name", "id")[:SEARCH_RESULTS]
        )


def young_person_for_rights_request(*, actor: Actor, public_id: uuid.UUID | str) -> YoungPerson:
    """A file for a data-protection request (restriction, erasure): administrators (the DPO answers
    requests for any file) reach any file; everyone else through their scope (404 outside it).
    The role checks are the caller's (``can_restrict``, ``can_lift``, ``can_erase``)."""
    if actor.is_administrator:
        found = YoungPerson.objects.select_related("organisation").filter(public_id=public_id).first()
        if found is None:
            raise Http404("Dossier introuvable.")
        return found
    return young_person_for_actor(actor=actor, public_id=public_id)
