"""Input of the directory import: the file only; reading it is the job of ``partners.services.imports``."""

import math
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

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
        if upload.size is not None and upload.size > MAX_FILE_SIZE:
            # Rounded up: a file just over the limit must not read "5,0 Mo".
            size = f"{math.ceil(upload.size * 10 / (1024 * 1024)) / 10:.1f}".replace(".", ",")
            raise forms.ValidationError(
                f"Le fichier pèse {size} Mo : la taille maximale est de 5 Mo. Découpez-le en plusieurs fichiers.",
                code="too_big",
            )
        return upload
