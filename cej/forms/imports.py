"""Input of the young people import: the file only; reading it is the job of ``cej.services.imports``."""

from cej.services.imports import LAYOUT, MAX_FILE_SIZE, MAX_ROWS_TEXT
from csvimport.forms import CsvUploadForm, csv_file_field


class YoungPeopleImportForm(CsvUploadForm):
    max_size = MAX_FILE_SIZE
    file = csv_file_field(
        label="Fichier CSV de l'export i-milo",
        help_text=(
            "Séparateur point-virgule ; encodage UTF-8 ou Windows (Latin-1) ; dates jj/mm/aaaa ; 5 Mo et "
            f"{MAX_ROWS_TEXT} jeunes au plus."
        ),
        empty_message=LAYOUT.empty_message,
    )
