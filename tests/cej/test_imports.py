"""An adviser imports young people from an i-milo export: preview, per-line errors, all-or-nothing apply,
and a second import of the same export updates the files, never duplicates them."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cej.models import YoungPeopleImport, YoungPerson, YoungPersonEvent
from cej.services.imports import (
    parse_imilo_csv,
    young_people_import_apply,
    young_people_import_cancel,
    young_people_import_create,
)
from partners.access import Actor
from partners.enums import Role
from partners.models import Membership
from tests.cej.factories import YoungPersonFactory
from tests.partners.factories import MembershipFactory, UserFactory
from tests.world import ROLES, build_world

pytestmark = pytest.mark.django_db


def born(years: int, days: int = 0) -> str:
    """The birth date, jj/mm/aaaa, of someone who turned ``years`` ``days`` days ago."""
    today = timezone.localdate()
    day = today.replace(year=today.year - years, day=1) - datetime.timedelta(days=days)
    return day.strftime("%d/%m/%Y")


HEADER = [
    "numero_imilo", "nom", "prenom", "date_naissance", "email", "telephone", "adresse", "code_postal", "commune",
    "departement", "qpv", "zrr", "niveau", "derniere_classe", "date_sortie_scolaire", "rqth",
    "identifiant_france_travail", "email_referent",
]  # fmt: skip
ELOISE = ["10000001", "N'Diaye-Lefèvre", "Éloïse", born(19), "Eloise@Exemple.fr", "06 12 34 56 78",
          "12 rue de la Résistance", "69003", "Lyon", "69", "oui", "non", "V bis", "3e", "05/07/2023", "non", "",
          ""]  # fmt: skip
LEO = ["10000002", "Garçon", "Léo", born(17), "", "07 00 00 00 02", "", "42000", "Saint-Étienne", "42", "non",
       "Oui", "IV", "Terminale", "", "", "1234567a", ""]  # fmt: skip
# 27 years old: opened thanks to her RQTH.
INES = ["10000003", "Benali", "Inès", born(27), "", "", "", "20090", "Ajaccio", "2a", "", "", "5+", "", "", "oui",
        "", ""]  # fmt: skip
GOOD_ROWS = [ELOISE, LEO, INES]  # fmt: skip


def csv_file(rows, *, header=HEADER, delimiter=";", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def with_cells(row, **cells):
    changed = list(row)
    for column, value in cells.items():
        changed[HEADER.index(column)] = value
    return changed


@pytest.fixture
def world():
    return build_world()


def actor_of(world, role: str = "adviser_ml") -> Actor:
    return Actor(user=world.users[role], membership=world.memberships[role])


def preview(actor: Actor, content: bytes, filename: str = "export-imilo.csv") -> YoungPeopleImport:
    return young_people_import_create(actor=actor, filename=filename, content=content)


def imported(actor: Actor, content: bytes) -> YoungPeopleImport:
    young_people_import = preview(actor, content)
    assert young_people_import.errors == []
    return young_people_import_apply(actor=actor, young_people_import=young_people_import)


def upload(client, content: bytes, name: str = "export-imilo.csv"):
    return client.post(
        reverse("cej:import_upload"), {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def actions(young_people_import: YoungPeopleImport) -> dict[str, str]:
    return {row["imilo"]: row["action"] for row in young_people_import.rows}


def texts(young_people_import: YoungPeopleImport) -> list[str]:
    return [error["text"] for error in young_people_import.errors]


def snapshot():
    return sorted(
        YoungPerson.objects.values_list(
            "imilo_number", "organisation_id", "last_name", "first_name", "birth_date", "email", "phone", "address",
            "postcode", "commune", "departement_id", "lives_in_qpv", "lives_in_zrr", "qualification_level",
            "last_class", "left_school_on", "has_rqth", "france_travail_id", "referent_id",
        )
    )  # fmt: skip


# --- The happy path ---------------------------------------------------------------------------------


def test_an_adviser_uploads_an_export_checks_the_preview_then_applies_it(client, world):
    client.force_login(world.user("adviser_ml"))

    response = upload(client, csv_file(GOOD_ROWS), name="export-imilo-novembre.csv")

    young_people_import = YoungPeopleImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cej:import_preview", kwargs={"public_id": young_people_import.public_id})
    assert young_people_import.organisation == world.ml_a
    assert not YoungPerson.objects.exists(), "the preview writes nothing"
    page = client.get(response["Location"]).content.decode()
    assert "Aperçu de l'import « export-imilo-novembre.csv »" in page
    assert page.count("Ouverture du dossier") == 3
    assert "Éloïse N&#x27;Diaye-Lefèvre" in page
    assert "Appliquer l'import" in page
    assert "%(invalid)s" not in page

    applied = client.post(reverse("cej:import_apply", kwargs={"public_id": young_people_import.public_id}))

    assert applied.status_code == 302
    young_people_import.refresh_from_db()
    assert young_people_import.status == YoungPeopleImport.Status.APPLIED
    assert (young_people_import.created_count, young_people_import.updated_count) == (3, 0)
    eloise = YoungPerson.objects.get(imilo_number="10000001")
    assert (eloise.last_name, eloise.first_name) == ("N'Diaye-Lefèvre", "Éloïse")
    assert eloise.organisation == world.ml_a
    assert eloise.referent == world.users["adviser_ml"], "the importing adviser becomes the referent"
    assert eloise.birth_date.strftime("%d/%m/%Y") == born(19)
    assert (eloise.email, eloise.phone) == ("eloise@exemple.fr", "+33612345678")
    assert (eloise.departement_id, eloise.lives_in_qpv, eloise.lives_in_zrr) == ("69", True, False)
    assert (eloise.qualification_level, eloise.left_school_on) == ("infra_3", datetime.date(2023, 7, 5))
    leo = YoungPerson.objects.get(imilo_number="10000002")
    assert (leo.qualification_level, leo.lives_in_zrr, leo.france_travail_id) == ("4", True, "1234567A")
    ines = YoungPerson.objects.get(imilo_number="10000003")
    assert (ines.departement_id, ines.qualification_level, ines.has_rqth) == ("2A", "5_plus", True)
    assert YoungPersonEvent.objects.filter(action="Dossier ouvert", actor=world.users["adviser_ml"]).count() == 3
    page = client.get(applied["Location"]).content.decode()
    assert "L&#x27;import est appliqué : 3 dossiers ouverts, 0 mis à jour, 0 inchangé." in page
    assert "Appliquer l'import" not in page
    assert "%(invalid)s" not in page


def test_the_same_export_in_utf8_with_bom_or_in_latin1_gives_the_same_files_with_their_accents(world):
    actor = actor_of(world)
    snapshots = []
    for encoding, recorded in [("utf-8-sig", "utf-8"), ("latin-1", "windows-1252"), ("cp1252", "windows-1252")]:
        young_people_import = imported(actor, csv_file(GOOD_ROWS, encoding=encoding))

        assert young_people_import.encoding == recorded
        assert YoungPerson.objects.get(imilo_number="10000001").first_name == "Éloïse"
        assert YoungPerson.objects.get(imilo_number="10000002").last_name == "Garçon"
        snapshots.append(snapshot())
        YoungPerson.objects.all().delete()

    assert len(snapshots[0]) == 3
    assert snapshots[0] == snapshots[1] == snapshots[2]


def test_importing_the_same_export_again_changes_nothing_and_writes_nothing(world):
    actor = actor_of(world)
    imported(actor, csv_file(GOOD_ROWS))
    written = dict(YoungPerson.objects.values_list("imilo_number", "updated_at"))
    events = YoungPersonEvent.objects.count()

    again = preview(actor, csv_file(GOOD_ROWS))

    assert set(actions(again).values()) == {"unchanged"}
    applied = young_people_import_apply(actor=actor, young_people_import=again)
    assert (applied.created_count, applied.updated_count, applied.unchanged_count) == (0, 0, 3)
    assert dict(YoungPerson.objects.values_list("imilo_number", "updated_at")) == written
    assert YoungPersonEvent.objects.count() == events


def test_a_second_export_with_a_new_phone_updates_the_file_and_never_duplicates_it(client, world):
    actor = actor_of(world)
    imported(actor, csv_file(GOOD_ROWS))
    rows = [with_cells(ELOISE, telephone="07 11 22 33 44", departement="42"), LEO, INES]

    young_people_import = preview(actor, csv_file(rows))

    assert actions(young_people_import) == {"10000001": "update", "10000002": "unchanged", "10000003": "unchanged"}
    assert young_people_import.rows[0]["changes"] == ["téléphone", "département"]
    client.force_login(world.user("adviser_ml"))
    page = client.get(reverse("cej:import_preview", kwargs={"public_id": young_people_import.public_id}))
    assert "Mise à jour : téléphone, département" in page.content.decode()
    young_people_import_apply(actor=actor, young_people_import=young_people_import)
    assert YoungPerson.objects.count() == 3
    eloise = YoungPerson.objects.get(imilo_number="10000001")
    assert (eloise.phone, eloise.departement_id) == ("+33711223344", "42")
    assert YoungPersonEvent.objects.get(young_person=eloise, action="Dossier modifié").changed_fields == [
        "phone",
        "departement",
    ]


def test_a_column_left_out_keeps_the_file_and_the_age_rule_does_not_apply_to_a_known_file(world):
    actor = actor_of(world)
    # Opened when she was 25; she is 27 now, without RQTH: an update is still allowed.
    known = YoungPersonFactory(
        organisation=world.ml_a, imilo_number="10000009", last_name="Hoarau", first_name="Maëlys",
        birth_date=datetime.date.today().replace(year=datetime.date.today().year - 27, day=1), email="m@exemple.fr",
        referent=world.users["adviser_ml"],
    )  # fmt: skip

    young_people_import = imported(
        actor, csv_file([["10000009", "06 92 00 00 05"]], header=["Numéro i-milo", "Téléphone"])
    )

    assert young_people_import.updated_count == 1
    known.refresh_from_db()
    assert (known.phone, known.email, known.last_name) == ("+33692000005", "m@exemple.fr", "Hoarau")
    assert known.referent == world.users["adviser_ml"]


def test_headers_are_recognised_whatever_their_case_accents_order_and_usual_spellings(world):
    header = ["Téléphone", "NOM", "Prénom", "Date de naissance", "N° i-milo", "Niveau de qualification", "CP"]
    row = ["06 12 34 56 78", "Martin", "Zoé", born(18), "10000004", "Niveau III", "69001"]

    young_people_import = imported(actor_of(world), csv_file([row], header=header))

    assert young_people_import.created_count == 1
    zoe = YoungPerson.objects.get(imilo_number="10000004")
    assert (zoe.first_name, zoe.phone, zoe.qualification_level, zoe.postcode) == (
        "Zoé", "+33612345678", "5_plus", "69001",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("label", "level"),
    [
        ("infra 3", "infra_3"), ("Infra 3", "infra_3"), ("VI", "infra_3"), ("V bis", "infra_3"), ("Vbis", "infra_3"),
        ("3", "3"), ("V", "3"), ("niveau V", "3"), ("4", "4"), ("IV", "4"), ("5", "5_plus"), ("5+", "5_plus"),
        ("III", "5_plus"),
    ],
)  # fmt: skip
def test_the_level_is_read_on_the_current_scale_or_with_its_old_name(label, level):
    parsed = parse_imilo_csv(csv_file([["10000001", label]], header=["numero_imilo", "niveau"]))

    assert parsed.rows[0].values["qualification_level"] == level
    assert parsed.rows[0].errors == []


def test_a_referent_is_named_by_the_e_mail_of_an_adviser_of_the_organisation(world):
    actor = actor_of(world, "manager_ml")
    colleague = MembershipFactory(organisation=world.ml_a, role=Role.ADVISER, user__email="claire.roux@ml-lyon.fr")
    rows = [
        with_cells(ELOISE, email_referent="Claire.Roux@ML-Lyon.fr"),
        with_cells(LEO, email_referent=world.users["adviser_ft"].email),
        with_cells(INES, email_referent="personne@ml-lyon.fr"),
    ]

    young_people_import = preview(actor, csv_file(rows))

    assert texts(young_people_import) == [
        f"Ligne 3, colonne email_referent : aucun conseiller de votre structure n'a l'adresse "
        f"« {world.users['adviser_ft'].email} » : indiquez l'adresse e-mail de connexion d'un conseiller ou d'un "
        "responsable, ou laissez la case vide.",
        "Ligne 4, colonne email_referent : aucun conseiller de votre structure n'a l'adresse « personne@ml-lyon.fr » "
        ": indiquez l'adresse e-mail de connexion d'un conseiller ou d'un responsable, ou laissez la case vide.",
    ]
    imported(actor, csv_file([rows[0]]))
    assert YoungPerson.objects.get().referent == colleague.user


def test_the_example_export_is_downloadable_documented_and_imports_without_errors(client, world, monkeypatch):
    client.force_login(world.user("adviser_ml"))
    # The example's birth dates are fixed: checked on a day when they are all within the age rules.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: datetime.date(2026, 11, 30))

    response = client.get(reverse("cej:import_example"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="exemple-export-imilo.csv"'
    assert response.content.startswith(b"\xef\xbb\xbfnumero_imilo;")
    young_people_import = preview(actor_of(world), response.content)
    assert young_people_import.errors == []
    assert set(actions(young_people_import).values()) == {"create"}
    upload_page = client.get(reverse("cej:import_upload")).content.decode()
    assert reverse("cej:import_example") in upload_page
    assert "%(invalid)s" not in upload_page
    for column in HEADER:
        assert f"<code>{column}</code>" in upload_page, column
        assert column in response.content.decode("utf-8-sig").splitlines()[0]


# --- Errors in the lines ------------------------------------------------------------------------------


def test_each_bad_line_is_explained_in_french_with_its_line_and_column_and_nothing_is_written(client, world):
    actor = actor_of(world)
    rows = [
        ELOISE,  # line 2: fine
        with_cells(LEO, numero_imilo="12AB"),
        with_cells(LEO, numero_imilo="10000012", commune="Lyon 1 85 05 78 006 084 36"),
        with_cells(LEO, numero_imilo="10000013", departement="99"),
        with_cells(LEO, numero_imilo="10000014", date_naissance=born(15)),
        with_cells(LEO, numero_imilo="10000015", date_naissance=born(26, days=1)),
        with_cells(LEO, numero_imilo="10000016", telephone="06 12", email="leo@"),
        with_cells(LEO, numero_imilo="10000017", date_naissance="31/02/2007", date_sortie_scolaire="2007-02-01"),
        with_cells(LEO, numero_imilo="10000018", qpv="peut-être", niveau="bac pro"),
    ]

    young_people_import = preview(actor, csv_file(rows))

    assert texts(young_people_import) == [
        "Ligne 3, colonne numero_imilo : le numéro i-milo ne contient que des chiffres (4 à 12).",
        "Ligne 4, colonne commune : ce champ ressemble à un numéro de sécurité sociale (NIR) : l'application ne "
        "doit jamais en contenir. Retirez-le.",
        "Ligne 5, colonne departement : département inconnu : « 99 ».",
        "Ligne 6, colonne date_naissance : ce jeune a 15 ans : un dossier s'ouvre à partir de 16 ans.",
        "Ligne 7, colonne date_naissance : ce jeune a 26 ans : un dossier s'ouvre jusqu'à 25 ans révolus (29 ans "
        "avec une RQTH).",
        "Ligne 8, colonne email : adresse e-mail invalide, par exemple prenom.nom@exemple.fr.",
        "Ligne 8, colonne telephone : numéro de téléphone invalide : saisissez 10 chiffres, par exemple "
        "04 72 00 00 00.",
        "Ligne 9, colonne date_naissance : la date « 31/02/2007 » n'existe pas.",
        "Ligne 9, colonne date_sortie_scolaire : date « 2007-02-01 » non reconnue : écrivez-la jj/mm/aaaa, par "
        "exemple 05/03/2007.",
        "Ligne 10, colonne qpv : valeur « peut-être » non reconnue : indiquez oui ou non.",
        "Ligne 10, colonne niveau : niveau « bac pro » inconnu : indiquez infra 3, 3, 4, 5 ou 5+ (ou les anciens "
        "niveaux VI, V bis, V, IV, III).",
    ]
    assert [row["action"] for row in young_people_import.rows] == ["create", *["error"] * 8]
    assert "185057800608436" not in str(young_people_import.rows) + str(young_people_import.errors)
    assert all(row["values"] == {} for row in young_people_import.rows), "values are kept only to apply"
    with pytest.raises(ValidationError, match="comporte des erreurs"):
        young_people_import_apply(actor=actor, young_people_import=young_people_import)
    assert not YoungPerson.objects.exists()

    client.force_login(world.user("adviser_ml"))
    html = client.get(reverse("cej:import_preview", kwargs={"public_id": young_people_import.public_id})).content
    html = html.decode()
    assert '<div class="alert alert-danger" role="alert">' in html
    assert "11 erreurs sur 8 lignes : l'import ne peut pas être appliqué." in html
    assert 'href="#ligne-9"' in html and 'id="ligne-9"' in html
    assert "Appliquer l'import" not in html
    assert "%(invalid)s" not in html
    refused = client.post(reverse("cej:import_apply", kwargs={"public_id": young_people_import.public_id}))
    assert "comporte des erreurs" in client.get(refused["Location"]).content.decode()
    assert not YoungPerson.objects.exists()


def test_a_nir_in_the_i_milo_column_is_refused_and_never_stored(world):
    young_people_import = preview(actor_of(world), csv_file([with_cells(ELOISE, numero_imilo="185057800608436")]))

    assert texts(young_people_import) == [
        "Ligne 2, colonne numero_imilo : ce champ ressemble à un numéro de sécurité sociale (NIR) : l'application "
        "ne doit jamais en contenir. Retirez-le."
    ]
    assert "185057800608436" not in str(young_people_import.rows)


def test_a_new_file_needs_a_name_a_first_name_and_a_birth_date(world):
    young_people_import = preview(
        actor_of(world), csv_file([["10000001", "06 12 34 56 78"], ["10000002", ""]], header=["numero_imilo", "tel"])
    )

    assert texts(young_people_import) == [
        "Ligne 2, colonne nom : le nom est obligatoire pour un nouveau dossier (ce numéro i-milo n'est pas encore "
        "connu).",
        "Ligne 2, colonne prenom : le prénom est obligatoire pour un nouveau dossier (ce numéro i-milo n'est pas "
        "encore connu).",
        "Ligne 2, colonne date_naissance : la date de naissance est obligatoire pour un nouveau dossier (ce numéro "
        "i-milo n'est pas encore connu).",
        "Ligne 3, colonne nom : le nom est obligatoire pour un nouveau dossier (ce numéro i-milo n'est pas encore "
        "connu).",
        "Ligne 3, colonne prenom : le prénom est obligatoire pour un nouveau dossier (ce numéro i-milo n'est pas "
        "encore connu).",
        "Ligne 3, colonne date_naissance : la date de naissance est obligatoire pour un nouveau dossier (ce numéro "
        "i-milo n'est pas encore connu).",
    ]


def test_a_line_without_i_milo_number_twice_the_same_number_or_with_extra_cells_is_explained(world):
    content = csv_file([with_cells(ELOISE, numero_imilo=""), LEO, with_cells(LEO, prenom="Léon")])
    content += b"10000005;Martin;Zo\xc3\xa9;01/01/2008;en;trop\r\n"

    young_people_import = preview(actor_of(world), content)

    assert texts(young_people_import) == [
        "Ligne 2, colonne numero_imilo : le numéro i-milo est obligatoire : il identifie le dossier d'un import à "
        "l'autre.",
        "Ligne 4, colonne numero_imilo : ce numéro i-milo figure déjà ligne 3 : un jeune n'apparaît qu'une fois par "
        "fichier.",
        "Ligne 5 : 6 valeurs pour 18 colonnes : vérifiez les séparateurs, et mettez entre guillemets une valeur qui "
        "contient le séparateur.",
    ]


def test_an_i_milo_number_followed_by_another_structure_is_refused_without_saying_which(client, world):
    actor = actor_of(world)
    YoungPersonFactory(organisation=world.ml_b, imilo_number="10000002", last_name="Secret", first_name="Lille")

    young_people_import = preview(actor, csv_file(GOOD_ROWS))

    assert texts(young_people_import) == [
        "Ligne 3, colonne numero_imilo : ce numéro i-milo est suivi par une autre structure."
    ]
    client.force_login(world.user("adviser_ml"))
    html = client.get(reverse("cej:import_preview", kwargs={"public_id": young_people_import.public_id}))
    assert "Lille" not in html.content.decode() and "Secret" not in html.content.decode()
    assert YoungPerson.objects.filter(organisation=world.ml_a).count() == 0


def test_a_possible_duplicate_with_another_i_milo_number_is_a_warning_not_an_error(client, world):
    actor = actor_of(world)
    YoungPersonFactory(
        organisation=world.ml_a, last_name="N'DIAYE-LEFEVRE", first_name="eloise",
        birth_date=datetime.datetime.strptime(born(19), "%d/%m/%Y").date(),
    )  # fmt: skip
    twin = with_cells(LEO, numero_imilo="10000008", nom="Garcon", prenom="Leo")

    young_people_import = preview(actor, csv_file([ELOISE, LEO, twin]))

    assert young_people_import.errors == []
    assert young_people_import.rows[0]["warnings"] == [
        "Un dossier au même nom et à la même date de naissance existe déjà, sans numéro i-milo : s'il s'agit de la "
        "même personne, ajoutez-lui le numéro i-milo 10000001 avant d'appliquer l'import, pour ne pas créer de "
        "doublon."
    ]
    assert young_people_import.rows[1]["warnings"] == []
    assert young_people_import.rows[2]["warnings"] == [
        "Un dossier au même nom et à la même date de naissance existe déjà, avec le numéro i-milo 10000002 : "
        "vérifiez qu'il ne s'agit pas de la même personne."
    ]
    client.force_login(world.user("adviser_ml"))
    html = client.get(reverse("cej:import_preview", kwargs={"public_id": young_people_import.public_id}))
    assert "2 lignes pourraient créer un doublon" in html.content.decode()
    assert 'href="#avertissements"' in html.content.decode()
    assert "%(invalid)s" not in html.content.decode()
    assert "Appliquer l'import" in html.content.decode()
    young_people_import_apply(actor=actor, young_people_import=young_people_import)
    assert YoungPerson.objects.count() == 4


# --- Files that cannot be read ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide"),
        (b"  \r\n\r\n", "Le fichier est vide"),
        (bytes(range(256)) * 4, "n&#x27;est pas un fichier CSV"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "n&#x27;est pas un fichier CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "n&#x27;est pas un fichier CSV"),
        # UTF-16 without its BOM cannot be told from a binary file; with it, it is read (here: no line)
        ("numero_imilo;nom\r\n".encode("utf-16-le"), "n&#x27;est pas un fichier CSV"),
        ("numero_imilo;nom\r\n".encode("utf-16"), "seule la ligne des noms de colonnes est remplie"),
        (b"numero_imilo;nom\r\n10000001;Caf\x81\r\n", "ni UTF-8 ni Windows-1252"),
        (b"nom;prenom\r\nMartin;Zo\xc3\xa9\r\n", "Colonne obligatoire absente : numero_imilo."),
        (b"numero_imilo;nom;NIR\r\n1;2;3\r\n", "Colonne inconnue : « NIR »."),
        (b"numero_imilo;nom;Nom\r\n1;2;3\r\n", "La colonne « nom » figure deux fois."),
        (b"numero_imilo;nom\r\n", "seule la ligne des noms de colonnes est remplie"),
        (b"numero_imilo,nom,prenom\r\n10000001,Martin,Zoe\r\n", "Séparateur non reconnu"),
        (b"numero_imilo\tnom\r\n1\t2\r\n", "Séparateur non reconnu"),
        (b'numero_imilo;nom\r\n1;"non ferm\xc3\xa9\r\n', "mal formé"),
    ],
    ids=["empty", "blank", "binary", "zip", "pdf", "utf16_without_bom", "utf16_header_only", "undecodable",
         "no_imilo", "unknown_column", "twice", "header_only", "commas", "tabs", "open_quote"],
)  # fmt: skip
def test_a_file_that_cannot_be_read_gets_one_clear_french_message_and_records_nothing(client, world, content, message):
    client.force_login(world.user("adviser_ml"))

    response = upload(client, content)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert html.count(message) == 2  # the same words in the error summary (a link to the field) and under it
    assert not YoungPeopleImport.objects.exists()
    assert not YoungPerson.objects.exists()


def test_a_utf8_export_with_one_latin1_line_is_refused_naming_that_line_instead_of_garbling_every_accent(client, world):
    # Given: an export in UTF-8 where one line was pasted from a Latin-1 file (« Léa » in one byte é)
    lea = with_cells(LEO, numero_imilo="10000004", prenom="Léa", nom="Martin")
    content = (
        csv_file([ELOISE, LEO]) + ";".join(lea).encode("latin-1") + b"\r\n" + csv_file([INES]).split(b"\r\n", 1)[1]
    )
    client.force_login(world.user("adviser_ml"))

    # When
    response = upload(client, content)

    # Then: the form again, the line named, nothing recorded (before: read as Windows-1252, « LÃ©a »)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ce fichier mêle deux encodages" in html
    assert "Ligne 4 : caractère illisible dans « L\ufffda »." in html
    assert "enregistrez le fichier en UTF-8" in html
    assert "Ligne 2" not in html and "Ligne 3" not in html and "Ligne 5" not in html
    assert not YoungPeopleImport.objects.exists()


def test_an_export_converted_to_utf8_twice_is_refused_showing_the_garbled_and_the_right_word(world):
    content = csv_file(GOOD_ROWS).decode("utf-8").encode("utf-8").decode("cp1252").encode("utf-8")

    with pytest.raises(ValidationError) as refused:
        preview(actor_of(world), content)

    assert "converti deux fois" in refused.value.messages[0]
    assert "Ligne 2 : « N'Diaye-LefÃ¨vre » au lieu de « N'Diaye-Lefèvre »." in refused.value.messages[0]
    assert not YoungPeopleImport.objects.exists()


def test_a_file_over_5_mb_is_refused_before_being_read(client, world):
    client.force_login(world.user("adviser_ml"))

    response = upload(client, csv_file([]) + b"x" * (5 * 1024 * 1024))

    assert "Le fichier pèse 5,1 Mo : la taille maximale est de 5 Mo." in response.content.decode()
    assert not YoungPeopleImport.objects.exists()


def test_a_file_with_too_many_young_people_is_refused(monkeypatch):
    monkeypatch.setattr("cej.services.imports.MAX_ROWS", 2)

    with pytest.raises(ValidationError, match="plus de 2 jeunes : découpez-le en plusieurs fichiers"):
        parse_imilo_csv(csv_file(GOOD_ROWS))
    assert len(parse_imilo_csv(csv_file(GOOD_ROWS[:2])).rows) == 2


def test_an_empty_form_asks_for_the_file(client, world):
    client.force_login(world.user("adviser_ml"))

    response = client.post(reverse("cej:import_upload"), {})

    assert "Choisissez le fichier CSV à importer." in response.content.decode()
    assert not YoungPeopleImport.objects.exists()


def test_a_value_too_long_for_a_file_is_a_line_error_not_a_server_error(world):
    young_people_import = preview(actor_of(world), csv_file([with_cells(ELOISE, nom="N" * 151)]))

    assert texts(young_people_import) == ["Ligne 2, colonne nom : trop long : 150 caractères au plus."]


# --- All or nothing -------------------------------------------------------------------------------------------


def test_a_line_that_fails_in_the_middle_of_the_apply_leaves_every_file_untouched(world):
    actor = actor_of(world)
    young_people_import = preview(actor, csv_file(GOOD_ROWS))
    assert young_people_import.errors == []
    # Meanwhile, Mission Locale B opens Léo's file (line 3) under his i-milo number.
    YoungPersonFactory(organisation=world.ml_b, imilo_number="10000002")

    with pytest.raises(ValidationError, match="Rien n'a été écrit"):
        young_people_import_apply(actor=actor, young_people_import=young_people_import)

    assert not YoungPerson.objects.filter(organisation=world.ml_a).exists(), "line 2 was rolled back"
    young_people_import.refresh_from_db()
    assert young_people_import.status == YoungPeopleImport.Status.PREVIEW
    assert texts(young_people_import) == [
        "Ligne 3, colonne numero_imilo : ce numéro i-milo est suivi par une autre structure."
    ]
    with pytest.raises(ValidationError, match="comporte des erreurs"):
        young_people_import_apply(actor=actor, young_people_import=young_people_import)


def test_when_the_files_changed_since_the_preview_nothing_is_written_and_the_preview_is_refreshed(world):
    actor = actor_of(world)
    young_people_import = preview(actor, csv_file(GOOD_ROWS))
    # Meanwhile, a colleague opens Éloïse's file by hand with her i-milo number.
    YoungPersonFactory(organisation=world.ml_a, imilo_number="10000001", last_name="N'Diaye", first_name="Éloïse")

    with pytest.raises(ValidationError, match="l'aperçu est mis à jour"):
        young_people_import_apply(actor=actor, young_people_import=young_people_import)

    assert YoungPerson.objects.count() == 1
    young_people_import.refresh_from_db()
    assert actions(young_people_import)["10000001"] == "update"
    applied = young_people_import_apply(actor=actor, young_people_import=young_people_import)
    assert (applied.created_count, applied.updated_count) == (2, 1)
    assert YoungPerson.objects.get(imilo_number="10000001").last_name == "N'Diaye-Lefèvre"


def test_an_import_is_applied_once_a_cancelled_one_never_and_neither_keeps_the_values(client, world):
    actor = actor_of(world)
    young_people_import = imported(actor, csv_file(GOOD_ROWS))
    cancelled = preview(actor, csv_file([with_cells(ELOISE, numero_imilo="10000070")]))
    assert cancelled.rows[0]["values"]["last_name"] == "N'Diaye-Lefèvre", "kept while it may be applied"
    client.force_login(world.user("adviser_ml"))

    response = client.post(reverse("cej:import_cancel", kwargs={"public_id": cancelled.public_id}))

    assert response["Location"] == reverse("cej:import_list")
    cancelled.refresh_from_db()
    assert cancelled.status == YoungPeopleImport.Status.CANCELLED
    assert all(row["values"] == {} for row in cancelled.rows + young_people_import.rows)
    with pytest.raises(ValidationError, match="déjà été appliqué"):
        young_people_import_apply(actor=actor, young_people_import=young_people_import)
    with pytest.raises(ValidationError, match="déjà été appliqué"):
        young_people_import_cancel(actor=actor, young_people_import=young_people_import)
    with pytest.raises(ValidationError, match="a été annulé"):
        young_people_import_apply(actor=actor, young_people_import=cancelled)
    assert not YoungPerson.objects.filter(imilo_number="10000070").exists()
    page = client.get(reverse("cej:import_preview", kwargs={"public_id": cancelled.public_id})).content.decode()
    assert "Annulé : aucun dossier n'a été modifié." in page
    assert "Appliquer l'import" not in page


# --- History ------------------------------------------------------------------------------------------------


def test_the_history_lists_the_organisation_s_imports_with_a_constant_number_of_queries(
    client, world, django_assert_num_queries
):
    client.force_login(world.user("adviser_ml"))
    colleague = MembershipFactory(
        organisation=world.ml_a, role=Role.ADVISER, user=UserFactory(first_name="Hélène", last_name="Garçon")
    ).user

    def make(count, organisation=world.ml_a):
        YoungPeopleImport.objects.bulk_create(
            YoungPeopleImport(organisation=organisation, created_by=colleague if i % 2 else world.users["adviser_ml"],
                              filename=f"export-{organisation.pk}-{i}.csv", encoding="utf-8",
                              rows=[{"line": 2}] * 3, errors=[{"line": 2}])
            for i in range(count)
        )  # fmt: skip

    make(3)
    make(2, organisation=world.ft)
    with django_assert_num_queries(
        5
    ):  # session, user, memberships, the bell's unread count, imports with their authors
        few = client.get(reverse("cej:import_list"))
    make(30)
    with django_assert_num_queries(3):
        many = client.get(reverse("cej:import_list"))

    assert len(few.context["page"].items) == 3
    assert len(many.context["page"].items) == 25
    html = many.content.decode()
    assert "Hélène Garçon" in html
    assert "%(invalid)s" not in html
    assert f"export-{world.ml_a.pk}-29.csv" in html, "the newest first"
    assert f"export-{world.ft.pk}-" not in html, "another organisation's imports are not listed"
    second = client.get(reverse("cej:import_list") + f"?apres={many.context['page'].next_cursor}")
    assert len(second.context["page"].items) == 8


# --- Who may import ---------------------------------------------------------------------------------------------

NOT_FILE_HOLDERS = [
    role for role in ROLES if role not in ("anonymous", "adviser_ml", "adviser_ft", "manager_ml")
]  # fmt: skip


@pytest.mark.parametrize("role", NOT_FILE_HOLDERS)
def test_only_ml_and_france_travail_advisers_and_managers_may_import(client, world, role):
    young_people_import = preview(actor_of(world), csv_file(GOOD_ROWS))
    client.force_login(world.user(role))
    kwargs = {"public_id": young_people_import.public_id}

    uploaded = upload(client, csv_file(GOOD_ROWS))
    applied = client.post(reverse("cej:import_apply", kwargs=kwargs))
    cancelled = client.post(reverse("cej:import_cancel", kwargs=kwargs))
    listed = client.get(reverse("cej:import_list"))

    assert (uploaded.status_code, applied.status_code, cancelled.status_code, listed.status_code) == (
        403, 403, 403, 403,
    )  # fmt: skip
    assert YoungPeopleImport.objects.count() == 1
    young_people_import.refresh_from_db()
    assert young_people_import.status == YoungPeopleImport.Status.PREVIEW
    assert not YoungPerson.objects.exists()


@pytest.mark.parametrize("role", ["e2c_staff", "manager_e2c", "regional_coordinator", "administrator"])
def test_the_services_refuse_anyone_who_does_not_hold_files(world, role):
    with pytest.raises(PermissionDenied):
        preview(actor_of(world, role), csv_file(GOOD_ROWS))

    assert not YoungPeopleImport.objects.exists()


def test_another_organisation_s_import_is_not_found_and_cannot_be_applied(client, world):
    young_people_import = preview(actor_of(world), csv_file(GOOD_ROWS))
    client.force_login(world.user("adviser_ft"))
    kwargs = {"public_id": young_people_import.public_id}

    assert client.get(reverse("cej:import_preview", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("cej:import_apply", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("cej:import_cancel", kwargs=kwargs)).status_code == 404
    with pytest.raises(PermissionDenied):
        young_people_import_apply(actor=actor_of(world, "adviser_ft"), young_people_import=young_people_import)
    young_people_import.refresh_from_db()
    assert young_people_import.status == YoungPeopleImport.Status.PREVIEW
    assert not YoungPerson.objects.exists()


def test_a_france_travail_adviser_imports_into_the_agency_only(world):
    actor = actor_of(world, "adviser_ft")

    young_people_import = imported(actor, csv_file(GOOD_ROWS))

    assert young_people_import.organisation == world.ft
    assert set(YoungPerson.objects.values_list("organisation", flat=True)) == {world.ft.pk}


def test_a_manager_imports_and_the_files_have_no_referent_unless_named(world):
    imported(actor_of(world, "manager_ml"), csv_file(GOOD_ROWS))

    assert set(YoungPerson.objects.values_list("referent", flat=True)) == {None}
    assert Membership.objects.get(user=world.users["manager_ml"]).role == Role.MANAGER


def test_an_unknown_import_is_not_found(client, world):
    client.force_login(world.user("adviser_ml"))
    unknown = reverse("cej:import_preview", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"})

    assert client.get(unknown).status_code == 404
    assert client.post(unknown + "appliquer/").status_code == 404
    assert client.get(reverse("cej:import_upload") + "pas-un-uuid/").status_code == 404


def test_a_restricted_file_unchanged_in_the_export_does_not_block_the_import_a_changed_one_is_an_error(world):
    # Given: the export imported, then one file's processing restricted (RGPD article 18)
    from cej.models import Restriction
    from cej.services.restrictions import restriction_start

    actor = actor_of(world)
    imported(actor, csv_file(GOOD_ROWS))
    eloise = YoungPerson.objects.get(imilo_number="10000001")
    restriction_start(actor=actor, young_person=eloise, ground=Restriction.Ground.ACCURACY_CONTESTED)

    # When: the same export again, Then nothing to do and no error
    again = preview(actor, csv_file(GOOD_ROWS))
    assert again.errors == [] and set(actions(again).values()) == {"unchanged"}

    # When: an export that changes the restricted file, Then its line is refused, in French
    changed = preview(actor, csv_file([with_cells(ELOISE, telephone="07 11 22 33 44"), LEO, INES]))
    assert any("traitement limité" in text for text in texts(changed))
