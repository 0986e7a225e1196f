from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """A native date picker; the value travels as ISO 8601, the browser shows it in French."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
