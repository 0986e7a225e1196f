"""The restriction of processing (RGPD article 18): start and lift."""

from django import forms

from cej.models import Restriction
from partners.forms.widgets import DateInput


class RestrictionStartForm(forms.Form):
    ground = forms.ChoiceField(
        label="Motif de la limitation", choices=Restriction.Ground.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Précision (facultatif)",
        required=False,
        max_length=500,
        help_text=Restriction._meta.get_field("note").help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RestrictionLiftForm(forms.Form):
    lift_reason = forms.CharField(
        label="Motif de la levée",
        max_length=500,
        help_text=Restriction._meta.get_field("lift_reason").help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    person_informed_on = forms.DateField(
        label="Date à laquelle la personne a été informée de la levée",
        help_text="Elle doit être informée avant que la limitation soit levée (RGPD, article 18, paragraphe 3).",
        widget=DateInput(),
    )
