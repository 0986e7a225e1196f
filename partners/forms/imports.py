"""Input of the directory import: the file only; reading it is the job of ``partners.services.imports``."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from csvimport.reading import file_size_error
from partners.services.imports import MAX_FILE_SIZE, MAX_ROWS_TEXT


class DirectoryImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier CSV",
        help_text=(
            "Séparateur point-virgule ou virgule ; encodage UTF-8 ou Windows (Latin-1) ; 5 Mo et "
            f"{MAX_ROWS_TEXT} organisations au plus."
        ),
        error_messages={
            "required": "Choisissez le fichier CSV à importer.",
            "empty": (
                "Le fichier est vide : il doit contenir une première ligne avec les noms des colonnes "
                "(siret;nom;type…), puis une ligne par organisation."
            ),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        message = file_size_error(upload.size, max_size=MAX_FILE_SIZE)
        if message:
            raise forms.ValidationError(message, code="too_big")
        return upload
