"""The upload form of the imports: one CSV file, refused over the import's size before it is read."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from csvimport.reading import file_size_error


def csv_file_field(*, label: str, help_text: str, empty_message: str) -> forms.FileField:
    """The "file" field of an import's form; ``empty_message`` is the layout's (a file of no bytes)."""
    return forms.FileField(
        label=label,
        help_text=help_text,
        error_messages={"required": "Choisissez le fichier CSV à importer.", "empty": empty_message},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class CsvUploadForm(forms.Form):
    """A subclass declares ``file = csv_file_field(…)`` and the largest size it accepts, in bytes."""

    max_size: int

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        message = file_size_error(upload.size, max_size=self.max_size)
        if message:
            raise forms.ValidationError(message, code="too_big")
        return upload
