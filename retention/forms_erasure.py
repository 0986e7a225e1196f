"""The right to erasure (RGPD article 17): erase a file, or record a refusal."""

from django import forms

from partners.forms.widgets import DateInput
from retention.erasure import REASON_MAX_LENGTH
from retention.models import ERASURE_REASON_HELP, ErasureRequest


class _ErasureRequestForm(forms.Form):
    requested_on = forms.DateField(
        label="Date à laquelle la demande a été reçue",
        help_text="La structure répond dans un délai d'un mois à compter de cette date.",
        widget=DateInput(),
    )
    ground = forms.ChoiceField(
        label="Motif de la demande", choices=ErasureRequest.Ground.choices, widget=forms.RadioSelect
    )


class ErasureForm(_ErasureRequestForm):
    confirm = forms.BooleanField(
        label="Je confirme l'effacement définitif",
        help_text="L'effacement ne peut pas être annulé.",
        error_messages={"required": "Cochez la case pour confirmer l'effacement définitif."},
    )


class ErasureRefusalForm(_ErasureRequestForm):
    refusal_reason = forms.CharField(
        label="Motif du refus",
        max_length=REASON_MAX_LENGTH,
        help_text=ERASURE_REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
