"""The shared import pipeline: both imports' states in declared tables, each move logged, the retention
job's cancel going through the same table, and the pieces the pages share (messages, upload form)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cej.models import YoungPeopleImport
from cej.services.imports import (
    young_people_import_cancel,
    young_people_import_create,
    young_people_imports_forget,
)
from csvimport.forms import CsvUploadForm, csv_file_field
from csvimport.views import Outcome
from csvimport.workflow import (
    APPLIED,
    CANCELLED,
    DIRECTORY_IMPORT_TABLE,
    PREVIEW,
    YOUNG_PEOPLE_IMPORT_TABLE,
    import_close,
)
from partners.models import DirectoryImport
from partners.services.imports import directory_import_apply, directory_import_create
from states.models import StateChange
from states.tables import tables
from tests.cej.test_imports import GOOD_ROWS as YOUNG_PEOPLE_ROWS
from tests.cej.test_imports import actor_of
from tests.cej.test_imports import csv_file as imilo_file
from tests.partners.test_imports import GOOD_ROWS as ORGANISATION_ROWS
from tests.partners.test_imports import administrator
from tests.partners.test_imports import csv_file as directory_file
from tests.world import build_world

pytestmark = pytest.mark.django_db


def changes_of(record) -> list[tuple[str, str, int | None, str]]:
    rows = StateChange.objects.filter(object_id=str(record.pk)).order_by("pk")
    return [(change.table, f"{change.from_state}→{change.to_state}", change.actor_id, change.reason) for change in rows]


def test_both_imports_have_a_registered_table_with_the_same_states_and_one_writer():
    registered = {table.name: table for table in tables()}

    assert registered["directory_import"] is DIRECTORY_IMPORT_TABLE
    assert registered["young_people_import"] is YOUNG_PEOPLE_IMPORT_TABLE
    for table in (DIRECTORY_IMPORT_TABLE, YOUNG_PEOPLE_IMPORT_TABLE):
        assert table.states == {PREVIEW, APPLIED, CANCELLED}
        assert table.initial == {PREVIEW}
        assert set(table.moves_from(PREVIEW)) == {APPLIED, CANCELLED}
        assert table.moves_from(APPLIED) == {} and table.moves_from(CANCELLED) == {}
        assert table.writers == ("csvimport.workflow",)


def test_applying_a_directory_import_logs_the_move_with_who_applied_it():
    actor = administrator()
    directory_import = directory_import_create(
        actor=actor, filename="annuaire.csv", content=directory_file(ORGANISATION_ROWS)
    )
    assert changes_of(directory_import) == []

    applied = directory_import_apply(actor=actor, directory_import=directory_import)

    applied.refresh_from_db()
    assert applied.status == DirectoryImport.Status.APPLIED
    assert applied.applied_at is not None
    assert changes_of(applied) == [("directory_import", "preview→applied", actor.user.pk, "")]
    assert StateChange.objects.get(object_id=str(applied.pk)).created_at == applied.applied_at


def test_a_cancelled_import_logs_the_move_once_and_a_second_cancel_gets_the_pages_message():
    world = build_world()
    actor = actor_of(world)
    record = young_people_import_create(actor=actor, filename="export.csv", content=imilo_file(YOUNG_PEOPLE_ROWS))

    young_people_import_cancel(actor=actor, young_people_import=record)
    with pytest.raises(ValidationError) as refused:
        young_people_import_cancel(actor=actor, young_people_import=record)

    assert refused.value.messages == ["Cet import a été annulé : importez de nouveau le fichier."]
    assert changes_of(record) == [("young_people_import", "preview→cancelled", actor.user.pk, "")]


def test_the_retention_job_cancels_and_empties_the_previews_naming_the_young_person_through_the_table():
    world = build_world()
    adviser = actor_of(world)
    line = {
        "line": 2,
        "imilo": "7654321",
        "name": "Léa Martin",
        "values": {"email": "lea@exemple.fr"},
        "action": "update",
        "changes": ["e-mail"],
    }
    naming = YoungPeopleImport.objects.create(
        organisation=adviser.organisation, created_by=adviser.user, filename="a.csv", encoding="utf-8",
        rows=[line], errors=[{"line": 2, "column": "email", "message": "x", "text": "Ligne 2 : x"}],
    )  # fmt: skip
    other_person = YoungPeopleImport.objects.create(
        organisation=adviser.organisation, created_by=adviser.user, filename="b.csv", encoding="utf-8",
        rows=[{**line, "imilo": "1111111"}],
    )  # fmt: skip

    young_people_imports_forget(organisation_id=adviser.organisation.pk, imilo="7654321")

    naming.refresh_from_db()
    other_person.refresh_from_db()
    assert naming.status == YoungPeopleImport.Status.CANCELLED
    assert naming.rows == [{"line": 2, "action": "update", "changes": [], "values": {}}]
    assert naming.errors == []
    assert changes_of(naming) == [("young_people_import", "preview→cancelled", None, "anonymisation du dossier")]
    assert other_person.status == YoungPeopleImport.Status.PREVIEW
    assert changes_of(other_person) == []


def test_closing_an_applied_import_is_refused_with_the_pages_message_and_changes_nothing():
    actor = administrator()
    record = DirectoryImport.objects.create(
        created_by=actor.user, filename="a.csv", encoding="utf-8", delimiter=";", status=DirectoryImport.Status.APPLIED
    )

    with pytest.raises(ValidationError) as refused:
        import_close(DIRECTORY_IMPORT_TABLE, record, CANCELLED, actor_id=actor.user.pk, locked=False)

    assert refused.value.messages == ["Cet import a déjà été appliqué."]
    record.refresh_from_db()
    assert record.status == DirectoryImport.Status.APPLIED
    assert changes_of(record) == []


def test_the_outcome_messages_count_in_french():
    outcome = Outcome(
        created=("organisation créée", "organisations créées"),
        updated=("mise à jour", "mises à jour"),
        unchanged=("inchangée", "inchangées"),
        untouched="l'annuaire est inchangé",
    )
    record = DirectoryImport(filename="annuaire.csv", created_count=1, updated_count=2, unchanged_count=0)

    assert outcome.applied(record) == "L'import est appliqué : 1 organisation créée, 2 mises à jour, 0 inchangée."
    assert outcome.cancelled(record) == "L'import du fichier « annuaire.csv » est annulé : l'annuaire est inchangé."


class SmallForm(CsvUploadForm):
    max_size = 1024 * 1024
    file = csv_file_field(label="Fichier", help_text="", empty_message="Le fichier est vide.")


@pytest.mark.parametrize(
    ("size", "error"),
    [
        (1024 * 1024, None),
        (
            1024 * 1024 + 1,
            "Le fichier pèse 1,1 Mo : la taille maximale est de 1 Mo. Découpez-le en plusieurs fichiers.",
        ),
        (0, "Le fichier est vide."),
    ],
)
def test_the_upload_form_refuses_a_file_over_its_size_or_empty(size, error):
    form = SmallForm(data={}, files={"file": SimpleUploadedFile("a.csv", b"x" * size, content_type="text/csv")})

    assert form.is_valid() is (error is None)
    assert form.errors.get("file", [None]) == [error]
