from django import forms

from outbox.models import Preference


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Réception des e-mails",
        choices=Preference.Frequency.choices,
        widget=forms.RadioSelect,
        help_text="Les notifications restent toujours visibles ici, sous la cloche.",
    )
