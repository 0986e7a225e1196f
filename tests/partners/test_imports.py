"""An administrator imports the directory from a CSV file: preview, per-line errors, all-or-nothing apply."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.access import Actor
from partners.enums import OrganisationKind, Role
from partners.models import Departement, DirectoryImport, Organisation
from partners.services.imports import (
    directory_import_apply,
    directory_import_cancel,
    directory_import_create,
    parse_directory_csv,
)
from partners.validators import luhn_is_valid
from tests.partners.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.world import ROLES, build_world

pytestmark = pytest.mark.django_db


def siret(index: int) -> str:
    """A fictitious SIRET with a valid Luhn key (prefix 997, apart from the demo's and the example's)."""
    base = f"997{index:010d}"
    return next(base + str(key) for key in range(10) if luhn_is_valid(base + str(key)))


ARML, ML, REGIONAL, SCHOOL, SITE, FT = (siret(i) for i in range(1, 7))
HEADER = [
    "siret",
    "nom",
    "type",
    "adresse",
    "code_postal",
    "commune",
    "departement",
    "telephone",
    "email",
    "siret_parent",
    "active",
]
# Children come before their parents on purpose: the import creates parents first.
GOOD_ROWS = [
    [ML, "Mission Locale de Saint-Étienne", "Mission Locale", "12 rue de la Résistance", "42000", "Saint-Étienne",
     "42", "04 77 00 00 02", "Contact@ML-Saint-Etienne.exemple.fr", ARML, "oui"],
    [ARML, "ARML Auvergne-Rhône-Alpes", "arml", "5 place Bellecour", "69002", "Lyon", "69", "04 78 00 00 01",
     "contact@arml-aura.exemple.fr", "", "oui"],
    [SITE, "E2C Loire — site de Roanne", "Site E2C", "20 rue Mulsant", "42300", "Roanne", "42", "",
     "roanne@e2c-loire.exemple.fr", SCHOOL, "Oui"],
    [SCHOOL, "École de la 2e Chance Loire", "École de la 2e Chance", "3 rue Balay", "42000", "Saint-Étienne", "42",
     "+33 4 77 00 00 04", "", REGIONAL, ""],
    [REGIONAL, "Coordination régionale E2C Auvergne-Rhône-Alpes", "Coordination régionale E2C", "8 quai Perrache",
     "69002", "Lyon", "69", "04.78.00.00.03", "", "", "oui"],
    [FT, "Agence France Travail Saint-Étienne Centre", "Agence France Travail", "1 cours Fauriel", "42100",
     "Saint-Étienne", "42", "", "", "", "non"],
]  # fmt: skip


def csv_file(rows, *, header=HEADER, delimiter=";", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def administrator() -> Actor:
    national = OrganisationFactory(name="Réseau E2C France", kind=OrganisationKind.NATIONAL)
    membership = MembershipFactory(organisation=national, role=Role.ADMINISTRATOR)
    return Actor(user=membership.user, membership=membership)


def directory_snapshot():
    return sorted(
        Organisation.objects.filter(siret__startswith="997").values_list(
            "siret", "name", "kind", "address", "postcode", "commune", "departement_id", "region_id", "phone",
            "email", "parent__siret", "is_active",
        )
    )  # fmt: skip


def upload(client, content: bytes, name: str = "annuaire.csv"):
    return client.post(
        reverse("partners:import_upload"), {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def preview(actor: Actor, content: bytes) -> DirectoryImport:
    return directory_import_create(actor=actor, filename="annuaire.csv", content=content)


def actions(directory_import: DirectoryImport) -> dict[str, str]:
    return {row["siret"]: row["action"] for row in directory_import.rows}


# --- The happy path ---------------------------------------------------------------------------


def test_an_administrator_uploads_a_file_checks_the_preview_then_applies_it(client):
    actor = administrator()
    client.force_login(actor.user)

    response = upload(client, csv_file(GOOD_ROWS), name="annuaire-loire.csv")

    directory_import = DirectoryImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:import_preview", kwargs={"public_id": directory_import.public_id})
    assert directory_snapshot() == [], "the preview writes nothing"
    page = client.get(response["Location"]).content.decode()
    assert "Aperçu de l'import « annuaire-loire.csv »" in page
    assert page.count("Création") == 6
    assert "Appliquer l'import" in page
    assert "%(invalid)s" not in page

    applied = client.post(reverse("partners:import_apply", kwargs={"public_id": directory_import.public_id}))

    assert applied.status_code == 302
    directory_import.refresh_from_db()
    assert directory_import.status == DirectoryImport.Status.APPLIED
    assert directory_import.applied_at is not None
    assert (directory_import.created_count, directory_import.updated_count, directory_import.unchanged_count) == (
        6, 0, 0,
    )  # fmt: skip
    ml = Organisation.objects.get(siret=ML)
    assert ml.name == "Mission Locale de Saint-Étienne"
    assert ml.kind == OrganisationKind.MISSION_LOCALE
    assert (ml.departement_id, ml.region_id) == ("42", "84")
    assert ml.phone == "+33477000002"
    assert ml.email == "contact@ml-saint-etienne.exemple.fr"
    assert ml.parent == Organisation.objects.get(siret=ARML)
    assert Organisation.objects.get(siret=SITE).parent.siret == SCHOOL
    assert Organisation.objects.get(siret=SCHOOL).parent.siret == REGIONAL
    assert Organisation.objects.get(siret=FT).is_active is False
    assert Organisation.objects.get(siret=SCHOOL).is_active is True, "an empty 'active' means active for a new one"
    page = client.get(applied["Location"]).content.decode()
    assert "L&#x27;import est appliqué : 6 organisations créées, 0 mise à jour, 0 inchangée." in page
    assert "<li>0 mise à jour</li>" in page and "<li>6 créations</li>" in page
    assert "Appliquer l'import" not in page


def test_the_same_file_in_utf8_or_latin1_with_semicolons_or_commas_gives_the_same_directory():
    actor = administrator()
    # Latin-1 has no em dash: that name is written with a hyphen in every variant.
    rows = [[cell.replace("—", "-") for cell in row] for row in GOOD_ROWS]
    variants = [(";", "utf-8", "utf-8"), (";", "utf-8-sig", "utf-8"), (",", "latin-1", "windows-1252"),
                (",", "cp1252", "windows-1252")]  # fmt: skip
    snapshots = []
    for delimiter, encoding, recorded in variants:
        directory_import = preview(actor, csv_file(rows, delimiter=delimiter, encoding=encoding))
        directory_import_apply(actor=actor, directory_import=directory_import)

        assert (directory_import.encoding, directory_import.delimiter) == (recorded, delimiter)
        assert Organisation.objects.get(siret=ML).name == "Mission Locale de Saint-Étienne"
        assert Organisation.objects.get(siret=SCHOOL).name == "École de la 2e Chance Loire"
        snapshots.append(directory_snapshot())
        Organisation.objects.filter(siret__startswith="997").update(parent=None)
        Organisation.objects.filter(siret__startswith="997").delete()

    assert len(snapshots[0]) == 6
    assert all(snapshot == snapshots[0] for snapshot in snapshots)


def test_importing_the_same_file_again_changes_nothing_and_writes_nothing():
    actor = administrator()
    directory_import_apply(actor=actor, directory_import=preview(actor, csv_file(GOOD_ROWS)))
    written = dict(Organisation.objects.filter(siret__startswith="997").values_list("siret", "updated_at"))

    again = preview(actor, csv_file(GOOD_ROWS))

    assert set(actions(again).values()) == {"unchanged"}
    applied = directory_import_apply(actor=actor, directory_import=again)
    assert (applied.created_count, applied.updated_count, applied.unchanged_count) == (0, 0, 6)
    assert dict(Organisation.objects.filter(siret__startswith="997").values_list("siret", "updated_at")) == written


def test_a_line_for_an_organisation_already_in_the_directory_updates_it_and_names_the_changed_fields(client):
    actor = administrator()
    directory_import_apply(actor=actor, directory_import=preview(actor, csv_file(GOOD_ROWS)))
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][7] = "04 77 99 99 99"
    rows[0][6] = "43"  # Haute-Loire, still in Auvergne-Rhône-Alpes

    directory_import = preview(actor, csv_file(rows))

    line = next(row for row in directory_import.rows if row["siret"] == ML)
    assert line["action"] == "update"
    assert line["changes"] == ["département", "téléphone"]
    client.force_login(actor.user)
    page = client.get(reverse("partners:import_preview", kwargs={"public_id": directory_import.public_id}))
    assert "Mise à jour : département, téléphone" in page.content.decode()
    directory_import_apply(actor=actor, directory_import=directory_import)
    ml = Organisation.objects.get(siret=ML)
    assert (ml.phone, ml.departement_id) == ("+33477999999", "43")


def test_a_column_left_out_of_the_file_keeps_the_current_values_of_existing_organisations():
    actor = administrator()
    existing = OrganisationFactory(
        siret=ML, name="Mission Locale de Saint-Étienne", kind=OrganisationKind.MISSION_LOCALE,
        phone="+33477000002", opened_on="2001-09-01", departement=Departement.objects.get(code="42"),
    )  # fmt: skip

    directory_import = preview(actor, csv_file([[ML, "Mission Locale de Saint-Étienne"]], header=["siret", "nom"]))

    assert directory_import.errors == []
    assert actions(directory_import) == {ML: "update"}, "only the sort name and région were missing"
    directory_import_apply(actor=actor, directory_import=directory_import)
    existing.refresh_from_db()
    assert (existing.phone, existing.departement_id, str(existing.opened_on)) == ("+33477000002", "42", "2001-09-01")
    assert existing.kind == OrganisationKind.MISSION_LOCALE


def test_headers_are_recognised_whatever_their_case_accents_and_order():
    actor = administrator()
    header = ["Téléphone", "NOM", "Département", "SIRET", "Type", "Code postal", "Siret parent", "E-mail", "Actif"]
    row = ["04 95 00 00 07", "Mission Locale d'Ajaccio", "mission locale", ML, "Mission Locale", "20090", "", "", "OUI"]
    row[2] = "2a"

    directory_import = preview(actor, csv_file([row], header=header))

    assert directory_import.errors == []
    directory_import_apply(actor=actor, directory_import=directory_import)
    ajaccio = Organisation.objects.get(siret=ML)
    assert (ajaccio.departement_id, ajaccio.region_id, ajaccio.phone) == ("2A", "94", "+33495000007")


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Mission Locale", OrganisationKind.MISSION_LOCALE),
        ("agence france travail", OrganisationKind.FRANCE_TRAVAIL),
        ("Site E2C", OrganisationKind.E2C_SITE),
        ("Ecole de la 2e chance", OrganisationKind.E2C_SCHOOL),
        ("ARML", OrganisationKind.ARML),
        ("Coordination régionale E2C", OrganisationKind.E2C_REGIONAL),
        ("Instance nationale", OrganisationKind.NATIONAL),
        ("e2c_site", OrganisationKind.E2C_SITE),
    ],
)
def test_the_type_is_read_from_its_french_label_or_its_code(label, kind):
    parsed = parse_directory_csv(csv_file([[ML, "Structure", label]], header=["siret", "nom", "type"]))

    assert parsed.rows[0].values["kind"] == kind
    assert parsed.rows[0].errors == []


def test_the_example_file_is_downloadable_and_imports_without_errors(client):
    actor = administrator()
    client.force_login(actor.user)

    response = client.get(reverse("partners:import_example"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="exemple-import-annuaire.csv"'
    directory_import = preview(actor, response.content)
    assert directory_import.errors == []
    assert set(actions(directory_import).values()) == {"create"}
    upload_page = client.get(reverse("partners:import_upload")).content.decode()
    assert reverse("partners:import_example") in upload_page
    assert "siret_parent" in upload_page


# --- Errors in the lines ----------------------------------------------------------------------


def test_each_bad_line_is_explained_in_french_with_its_line_and_column_and_the_import_cannot_be_applied(client):
    actor = administrator()
    wrong_key = siret(40)[:-1] + str((int(siret(40)[-1]) + 1) % 10)
    rows = [
        GOOD_ROWS[1],  # line 2: fine
        [ML, "Mission Locale de Saint-Étienne", "Mission Locale", "", "", "", "42", "", "", "", ""],
        [wrong_key, "ML à la clé fausse", "Mission Locale", "", "", "", "42", "", "", "", ""],
        [siret(41), "ML du département 99", "Mission Locale", "", "", "", "99", "", "", "", ""],
        [siret(42), "Structure inconnue", "Maison de l'emploi", "", "", "", "42", "", "", "", ""],
        [ML, "Mission Locale de Saint-Étienne (doublon)", "Mission Locale", "", "", "", "42", "", "", "", ""],
        [siret(43), "ML au mauvais téléphone", "Mission Locale", "", "", "", "1", "06 12", "", "", "peut-être"],
    ]  # fmt: skip

    directory_import = preview(actor, csv_file(rows))

    texts = [error["text"] for error in directory_import.errors]
    assert texts == [
        "Ligne 4, colonne siret : ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez-le sur l'avis de "
        "situation Sirene.",
        "Ligne 5, colonne departement : département inconnu : « 99 » (code INSEE attendu, ex. 69, 2A, 974).",
        "Ligne 6, colonne type : type inconnu : « Maison de l'emploi » (types acceptés : Mission Locale, Agence "
        "France Travail, École de la 2e Chance, Site E2C, Association régionale des Missions Locales, Coordination "
        "régionale E2C, Instance nationale).",
        "Ligne 7, colonne siret : ce SIRET figure déjà ligne 3 : une organisation n'apparaît qu'une fois par fichier.",
        "Ligne 8, colonne departement : département inconnu : « 1 » (code INSEE attendu, ex. 69, 2A, 974).",
        "Ligne 8, colonne telephone : numéro de téléphone invalide : saisissez 10 chiffres, par exemple "
        "04 72 00 00 00.",
        "Ligne 8, colonne active : valeur « peut-être » non reconnue : indiquez oui ou non.",
    ]
    assert directory_import.errors[1]["message"].startswith("Département inconnu")
    assert [row["action"] for row in directory_import.rows] == [
        "create", "create", "error", "error", "error", "error", "error",
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="comporte des erreurs"):
        directory_import_apply(actor=actor, directory_import=directory_import)
    assert directory_snapshot() == []

    client.force_login(actor.user)
    page = client.get(reverse("partners:import_preview", kwargs={"public_id": directory_import.public_id}))
    html = page.content.decode()
    assert '<div class="alert alert-danger" role="alert">' in html
    assert "7 erreurs sur 5 lignes : l'import ne peut pas être appliqué." in html
    assert 'href="#erreurs"' in html
    assert 'href="#ligne-8"' in html and 'id="ligne-8"' in html
    assert "Appliquer l'import" not in html
    assert "%(invalid)s" not in html
    refused = client.post(reverse("partners:import_apply", kwargs={"public_id": directory_import.public_id}))
    assert "comporte des erreurs" in client.get(refused["Location"]).content.decode()
    assert directory_snapshot() == []


def test_a_new_organisation_needs_a_name_and_a_type():
    actor = administrator()

    directory_import = preview(actor, csv_file([[ML, "", ""]], header=["siret", "nom", "type"]))

    assert [error["text"] for error in directory_import.errors] == [
        "Ligne 2, colonne nom : le nom est obligatoire.",
        "Ligne 2, colonne type : le type est obligatoire pour une nouvelle organisation (ex. Site E2C).",
    ]


def test_a_line_with_a_missing_siret_or_too_many_cells_is_explained():
    actor = administrator()
    content = csv_file([["", "Sans SIRET", "Mission Locale"]], header=["siret", "nom", "type"])
    content += f"{ML};Mission Locale de Lyon, Villeurbanne;Mission Locale;en trop\r\n".encode()

    directory_import = preview(actor, content)

    assert [error["text"] for error in directory_import.errors] == [
        "Ligne 2, colonne siret : le SIRET est obligatoire : il identifie l'organisation d'un import à l'autre.",
        "Ligne 3 : 4 valeurs pour 3 colonnes : vérifiez les séparateurs, et mettez entre guillemets une valeur qui "
        "contient le séparateur.",
    ]


def test_a_parent_must_be_in_the_directory_or_in_the_file_and_of_the_right_kind():
    actor = administrator()
    france_travail = OrganisationFactory(siret=FT, kind=OrganisationKind.FRANCE_TRAVAIL)
    header = ["siret", "nom", "type", "siret_parent"]
    rows = [
        [ML, "ML sous une agence", "Mission Locale", france_travail.siret],
        [SITE, "Site sans école", "Site E2C", siret(50)],
        [SCHOOL, "École au type inconnu", "Lycée", ""],
        [siret(51), "Site d'une école en erreur", "Site E2C", SCHOOL],
        [siret(52), "Site sous un site", "Site E2C", SITE],
    ]

    directory_import = preview(actor, csv_file(rows, header=header))

    texts = [error["text"] for error in directory_import.errors]
    assert texts[0] == (
        "Ligne 2, colonne siret_parent : cette structure ne peut pas être rattachée à une organisation de ce type."
    )
    assert texts[1] == (
        f"Ligne 3, colonne siret_parent : aucune organisation n'a le SIRET « {siret(50)} », ni dans l'annuaire ni "
        "dans ce fichier."
    )
    assert texts[2].startswith("Ligne 4, colonne type : type inconnu : « Lycée »")
    assert texts[3:] == [
        "Ligne 5, colonne siret_parent : la structure de rattachement (ligne 4 du fichier) comporte des erreurs : "
        "corrigez d'abord cette ligne.",
        "Ligne 6, colonne siret_parent : cette structure ne peut pas être rattachée à une organisation de ce type.",
    ]


def test_a_circular_chain_of_parents_is_refused():
    actor = administrator()
    header = ["siret", "nom", "type", "siret_parent"]
    rows = [
        [SCHOOL, "École A", "École de la 2e Chance", REGIONAL],
        [REGIONAL, "Coordination", "Coordination régionale E2C", SCHOOL],
        [SITE, "Site", "Site E2C", SITE],
        [siret(53), "Site d'une école de la boucle", "Site E2C", SCHOOL],
    ]

    directory_import = preview(actor, csv_file(rows, header=header))

    assert [(error["line"], error["column"]) for error in directory_import.errors] == [
        (2, "siret_parent"), (3, "siret_parent"), (4, "siret_parent"), (5, "siret_parent"),
    ]  # fmt: skip
    assert "(ligne 2 du fichier) comporte des erreurs" in directory_import.errors[3]["message"]
    assert "Rattachement circulaire" in directory_import.errors[0]["message"]


# --- Files that cannot be read --------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide"),
        (b"  \r\n\r\n", "Le fichier est vide"),
        (bytes(range(256)) * 4, "n&#x27;est pas un fichier CSV"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "n&#x27;est pas un fichier CSV"),
        # UTF-16 without its BOM cannot be told from a binary file; with it, it is read (here: no line)
        ("siret;nom\r\n".encode("utf-16-le"), "n&#x27;est pas un fichier CSV"),
        ("siret;nom\r\n".encode("utf-16"), "seule la ligne des noms de colonnes est remplie"),
        (b"siret;nom\r\n73282932000074;Caf\x81\r\n", "ni UTF-8 ni Windows-1252"),
        (b"nom;type\r\nMission Locale;Mission Locale\r\n", "Colonne obligatoire absente : siret."),
        (b"code;libelle\r\n1;2\r\n", "Colonnes obligatoires absentes : siret, nom."),
        (b"siret;nom;telephon\r\n1;2;3\r\n", "Colonne inconnue : « telephon »."),
        (b"siret;nom;Nom\r\n1;2;3\r\n", "La colonne « nom » figure deux fois."),
        (b"siret;nom\r\n", "seule la ligne des noms de colonnes est remplie"),
        (b"siret\tnom\r\n1\t2\r\n", "Séparateur non reconnu"),
        (b'siret;nom\r\n1;"non ferm\xc3\xa9\r\n', "mal formé"),
    ],
    ids=["empty", "blank", "binary", "zip", "utf16_without_bom", "utf16_header_only", "undecodable", "no_siret",
         "no_columns", "unknown_column", "twice", "header_only", "tabs", "open_quote"],
)  # fmt: skip
def test_a_file_that_cannot_be_read_gets_one_clear_french_message_and_records_nothing(client, content, message):
    client.force_login(administrator().user)

    response = upload(client, content)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert html.count(message) == 2  # the same words in the error summary (a link to the field) and under it
    assert DirectoryImport.objects.count() == 0


def test_a_file_over_5_mb_is_refused_before_being_read(client):
    client.force_login(administrator().user)
    content = csv_file([]) + b"x" * (5 * 1024 * 1024)

    response = upload(client, content)

    assert "Le fichier pèse 5,1 Mo : la taille maximale est de 5 Mo." in response.content.decode()
    assert DirectoryImport.objects.count() == 0


def test_a_file_with_too_many_organisations_is_refused(monkeypatch):
    monkeypatch.setattr("partners.services.imports.MAX_ROWS", 3)

    with pytest.raises(ValidationError, match="découpez-le en plusieurs fichiers"):
        parse_directory_csv(csv_file(GOOD_ROWS[:4]))
    assert len(parse_directory_csv(csv_file(GOOD_ROWS[:3])).rows) == 3


def test_an_empty_form_asks_for_the_file(client):
    client.force_login(administrator().user)

    response = client.post(reverse("partners:import_upload"), {})

    assert "Choisissez le fichier CSV à importer." in response.content.decode()
    assert DirectoryImport.objects.count() == 0


# --- All or nothing ---------------------------------------------------------------------------


def test_a_line_that_fails_in_the_middle_of_the_apply_leaves_the_directory_untouched():
    actor = administrator()
    arml = OrganisationFactory(siret=ARML, kind=OrganisationKind.ARML, name="ARML Auvergne-Rhône-Alpes")
    header = ["siret", "nom", "type", "siret_parent"]
    rows = [
        [siret(60), "Mission Locale de Roanne", "Mission Locale", ""],
        [siret(61), "Mission Locale de Montbrison", "Mission Locale", ""],
        [ML, "Mission Locale de Saint-Étienne", "Mission Locale", ARML],
        [siret(62), "Mission Locale de Firminy", "Mission Locale", ""],
    ]
    directory_import = preview(actor, csv_file(rows, header=header))
    assert directory_import.errors == []
    # Meanwhile, the ARML is recorded as a France Travail agency: line 4 can no longer be attached to it.
    Organisation.objects.filter(pk=arml.pk).update(kind=OrganisationKind.FRANCE_TRAVAIL)

    with pytest.raises(ValidationError, match="Rien n'a été écrit"):
        directory_import_apply(actor=actor, directory_import=directory_import)

    assert not Organisation.objects.filter(siret__in=[siret(60), siret(61), ML, siret(62)]).exists()
    directory_import.refresh_from_db()
    assert directory_import.status == DirectoryImport.Status.PREVIEW
    assert [error["text"] for error in directory_import.errors] == [
        "Ligne 4, colonne siret_parent : cette structure ne peut pas être rattachée à une organisation de ce type."
    ]
    with pytest.raises(ValidationError, match="comporte des erreurs"):
        directory_import_apply(actor=actor, directory_import=directory_import)


def test_when_the_directory_changed_since_the_preview_nothing_is_written_and_the_preview_is_refreshed():
    actor = administrator()
    directory_import = preview(actor, csv_file(GOOD_ROWS))
    # Meanwhile, someone adds the Mission Locale by hand with another phone number.
    OrganisationFactory(siret=ML, name="Mission Locale de Saint-Étienne", kind=OrganisationKind.MISSION_LOCALE)

    with pytest.raises(ValidationError, match="l'aperçu est mis à jour"):
        directory_import_apply(actor=actor, directory_import=directory_import)

    assert Organisation.objects.filter(siret__startswith="997").count() == 1
    directory_import.refresh_from_db()
    assert directory_import.status == DirectoryImport.Status.PREVIEW
    assert actions(directory_import)[ML] == "update"
    applied = directory_import_apply(actor=actor, directory_import=directory_import)
    assert (applied.created_count, applied.updated_count) == (5, 1)


def test_an_import_is_applied_once_and_a_cancelled_one_never():
    actor = administrator()
    directory_import = preview(actor, csv_file(GOOD_ROWS))
    directory_import_apply(actor=actor, directory_import=directory_import)
    cancelled = preview(actor, csv_file([[siret(70), "ML", "Mission Locale"]], header=["siret", "nom", "type"]))
    directory_import_cancel(actor=actor, directory_import=cancelled)

    with pytest.raises(ValidationError, match="déjà été appliqué"):
        directory_import_apply(actor=actor, directory_import=directory_import)
    with pytest.raises(ValidationError, match="déjà été appliqué"):
        directory_import_cancel(actor=actor, directory_import=directory_import)
    with pytest.raises(ValidationError, match="a été annulé"):
        directory_import_apply(actor=actor, directory_import=cancelled)
    assert not Organisation.objects.filter(siret=siret(70)).exists()


def test_an_administrator_cancels_a_preview_and_the_directory_is_unchanged(client):
    actor = administrator()
    client.force_login(actor.user)
    directory_import = preview(actor, csv_file(GOOD_ROWS))

    response = client.post(reverse("partners:import_cancel", kwargs={"public_id": directory_import.public_id}))

    assert response["Location"] == reverse("partners:import_list")
    directory_import.refresh_from_db()
    assert directory_import.status == DirectoryImport.Status.CANCELLED
    assert directory_snapshot() == []
    page = client.get(reverse("partners:import_preview", kwargs={"public_id": directory_import.public_id}))
    assert "Annulé : l'annuaire n'a pas été modifié." in page.content.decode()
    assert "Appliquer l'import" not in page.content.decode()


# --- History --------------------------------------------------------------------------------


def test_the_history_lists_who_imported_what_with_a_constant_number_of_queries(client, django_assert_num_queries):
    actor = administrator()
    client.force_login(actor.user)
    other = UserFactory(first_name="Hélène", last_name="Garçon")

    def make(count):
        DirectoryImport.objects.bulk_create(
            DirectoryImport(created_by=other if i % 2 else actor.user, filename=f"annuaire-{i}.csv",
                            encoding="utf-8", delimiter=";", rows=[{"line": 2}] * 3, errors=[{"line": 2}])
            for i in range(count)
        )  # fmt: skip

    make(3)
    # session, user, imports with their authors (memberships and the bell's count are cached from the sign-in)
    with django_assert_num_queries(3):
        few = client.get(reverse("partners:import_list"))
    make(30)
    with django_assert_num_queries(3):
        many = client.get(reverse("partners:import_list"))

    assert len(few.context["page"].items) == 3
    assert len(many.context["page"].items) == 25
    html = many.content.decode()
    assert "Hélène Garçon" in html
    assert "annuaire-29.csv" in html, "the newest first"
    assert "%(invalid)s" not in html
    second = client.get(reverse("partners:import_list") + f"?apres={many.context['page'].next_cursor}")
    assert len(second.context["page"].items) == 8
    assert "annuaire-0.csv" in second.content.decode()


# --- Who may import ----------------------------------------------------------------------------

NOT_ADMINISTRATORS = [role for role in ROLES if role not in ("anonymous", "administrator")]


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_an_administrator_may_upload_apply_or_cancel_an_import(client, role):
    world = build_world()
    actor = Actor(user=world.users["administrator"], membership=world.memberships["administrator"])
    directory_import = preview(actor, csv_file(GOOD_ROWS))
    client.force_login(world.user(role))
    kwargs = {"public_id": directory_import.public_id}

    uploaded = upload(client, csv_file(GOOD_ROWS))
    applied = client.post(reverse("partners:import_apply", kwargs=kwargs))
    cancelled = client.post(reverse("partners:import_cancel", kwargs=kwargs))

    assert (uploaded.status_code, applied.status_code, cancelled.status_code) == (403, 403, 403)
    assert DirectoryImport.objects.count() == 1
    directory_import.refresh_from_db()
    assert directory_import.status == DirectoryImport.Status.PREVIEW
    assert directory_snapshot() == []


def test_the_services_refuse_a_non_administrator():
    world = build_world()
    adviser = Actor(user=world.users["manager_ml"], membership=world.memberships["manager_ml"])

    with pytest.raises(PermissionDenied):
        preview(adviser, csv_file(GOOD_ROWS))

    assert DirectoryImport.objects.count() == 0


def test_an_unknown_import_is_not_found(client):
    client.force_login(administrator().user)

    unknown = reverse("partners:import_preview", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"})

    assert client.get(unknown).status_code == 404
    assert client.post(unknown + "appliquer/").status_code == 404
    assert client.get(reverse("partners:import_upload") + "pas-un-uuid/").status_code == 404
