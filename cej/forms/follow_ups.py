from typing import Any, cast

from django import forms

from partners.forms.widgets import DateInput
from partners.models import User


class ParticipantsMixin(forms.Form):
    participants = forms.MultipleChoiceField(
        label="Participants",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Le conseiller référent et, pendant le parcours E2C, un membre de l'équipe de l'école.",
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(user.public_id): user for user in people}
        cast(forms.MultipleChoiceField, self.fields["participants"]).choices = [
            (key, user.get_full_name()) for key, user in self.people.items()
        ]

    def chosen_participants(self) -> list[User]:
        return [self.people[key] for key in self.cleaned_data["participants"]]


class FollowUpScheduleForm(ParticipantsMixin):
    scheduled_on = forms.DateField(label="Date prévue", widget=DateInput())


class FollowUpRecordForm(ParticipantsMixin):
    held_on = forms.DateField(label="Date du point", widget=DateInput())
    notes = forms.CharField(label="Compte rendu", widget=forms.Textarea(attrs={"rows": 5}))
    next_review_on = forms.DateField(label="Prochain point (facultatif)", required=False, widget=DateInput())
