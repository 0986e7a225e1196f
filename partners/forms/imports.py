"""Input of the directory import: the file only; reading it is the job of ``partners.services.imports``."""

from csvimport.forms import CsvUploadForm, csv_file_field
from partners.services.imports import LAYOUT, MAX_FILE_SIZE, MAX_ROWS_TEXT


class DirectoryImportForm(CsvUploadForm):
    max_size = MAX_FILE_SIZE
    file = csv_file_field(
        label="Fichier CSV",
        help_text=(
            "Séparateur point-virgule ou virgule ; encodage UTF-8 ou Windows (Latin-1) ; 5 Mo et "
            f"{MAX_ROWS_TEXT} organisations au plus."
        ),
        empty_message=LAYOUT.empty_message,
    )
