"""Input of the young people import: the file only; reading it is the job of ``cej.services.imports``."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from cej.services.imports import LAYOUT, MAX_FILE_SIZE, MAX_ROWS_TEXT
from csvimport.reading import file_size_error


class YoungPeopleImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier CSV de l'export i-milo",
        help_text=(
            "Séparateur point-virgule ; encodage UTF-8 ou Windows (Latin-1) ; dates jj/mm/aaaa ; 5 Mo et "
            f"{MAX_ROWS_TEXT} jeunes au plus."
        ),
        error_messages={
            "required": "Choisissez le fichier CSV à importer.",
            "empty": LAYOUT.empty_message,
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        message = file_size_error(upload.size, max_size=MAX_FILE_SIZE)
        if message:
            raise forms.ValidationError(message, code="too_big")
        return upload
