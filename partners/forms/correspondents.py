"""Forms of the correspondents pages: choose the other organisation, then the people."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from partners.models import Organisation, User

NOT_NAMED = "— non désigné —"


class CounterpartForm(forms.Form):
    """Step 1 of adding a pair: which organisation (sent by GET, so the next step can list its people)."""

    avec = forms.ChoiceField(
        label="Organisation", error_messages={"invalid_choice": "Choisissez une organisation dans la liste."}
    )

    def __init__(self, *args: Any, counterparts: Iterable[Organisation], label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["avec"])
        field.label = label
        field.choices = [("", "—")] + [(str(o.public_id), str(o)) for o in counterparts]


class CorrespondentForm(forms.Form):
    """Step 2: the people. Choices are the active members of each side; the service checks again."""

    partner_correspondent = forms.ChoiceField(label="Correspondant ML / France Travail", required=False)
    e2c_contact = forms.ChoiceField(label="Contact E2C", required=False)

    def __init__(
        self,
        *args: Any,
        partner: Organisation,
        e2c_site: Organisation,
        partner_people: list[User],
        e2c_people: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(u.public_id): u for u in [*partner_people, *e2c_people]}
        partner_field = cast(forms.ChoiceField, self.fields["partner_correspondent"])
        e2c_field = cast(forms.ChoiceField, self.fields["e2c_contact"])
        partner_field.choices = [("", NOT_NAMED)] + [(str(u.public_id), _label(u)) for u in partner_people]
        partner_field.help_text = f"Une personne rattachée à {partner}."
        e2c_field.choices = [("", NOT_NAMED)] + [(str(u.public_id), _label(u)) for u in e2c_people]
        e2c_field.help_text = f"Une personne rattachée à {e2c_site} ou à son école."

    def person(self, field: str) -> User | None:
        return self.people.get(self.cleaned_data[field])


def _label(user: User) -> str:
    return f"{user.get_full_name()} ({user.email})"
