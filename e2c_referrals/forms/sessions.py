"""Forms of the information-session and immersion pages. Business checks stay in the services."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from cej.validators import validate_no_nir
from e2c_referrals.enums import Attendance, SessionKind, SessionVenue
from e2c_referrals.models import InformationSession, Referral, SessionRegistration
from e2c_referrals.services.immersions import ImmersionData
from e2c_referrals.services.sessions import MAX_CAPACITY, SessionData, co_host_choices, partner_organisations
from partners.forms.widgets import DateInput
from partners.french import count_fr, de, lower_first
from partners.models import Organisation, User


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _person(user: User) -> str:
    return user.get_full_name() or user.email


class SessionForm(forms.Form):
    e2c_site = forms.ChoiceField(label="Site E2C")
    kind = forms.ChoiceField(label="Type de séance", choices=SessionKind.choices, widget=forms.RadioSelect)
    day = forms.DateField(label="Date", widget=DateInput())
    starts = forms.TimeField(label="Heure de début", widget=TimeInput())
    ends = forms.TimeField(label="Heure de fin", widget=TimeInput())
    venue = forms.ChoiceField(label="Lieu", choices=SessionVenue.choices, widget=forms.RadioSelect)
    venue_organisation = forms.ChoiceField(
        label="Partenaire qui accueille", required=False, help_text="Seulement si la séance a lieu chez un partenaire."
    )
    address = forms.CharField(label="Adresse", max_length=300, validators=[validate_no_nir])
    capacity = forms.IntegerField(label="Nombre de places", min_value=1, max_value=MAX_CAPACITY)
    registration_deadline = forms.DateField(label="Date limite d'inscription", widget=DateInput())
    co_hosts = forms.MultipleChoiceField(
        label="Co-animateurs",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Une séance « à quatre mains » est co-animée par l'E2C et un conseiller partenaire.",
    )

    def __init__(
        self, *args: Any, sites: list[Organisation], session: InformationSession | None = None, **kwargs: Any
    ) -> None:
        if session is not None and "initial" not in kwargs:
            local_start = session.starts_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
            local_end = session.ends_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
            kwargs["initial"] = {
                "e2c_site": str(session.e2c_site.public_id),
                "kind": session.kind,
                "day": local_start.date(),
                "starts": local_start.time(),
                "ends": local_end.time(),
                "venue": session.venue,
                "venue_organisation": str(session.venue_organisation.public_id) if session.venue_organisation else "",
                "address": session.address,
                "capacity": session.capacity,
                "registration_deadline": session.registration_deadline,
                "co_hosts": [str(user.public_id) for user in session.co_hosts.all()],
            }
        super().__init__(*args, **kwargs)
        self.sites = {str(site.public_id): site for site in sites}
        site_field = cast(forms.ChoiceField, self.fields["e2c_site"])
        site_field.choices = [(key, site.name) for key, site in self.sites.items()]
        if session is not None or len(sites) == 1:
            # The site of a session does not change; a single site needs no choice.
            del self.fields["e2c_site"]
        site = session.e2c_site if session is not None else (sites[0] if len(sites) == 1 else None)
        self.fixed_site = site
        self._fill_choices(site)

    def _fill_choices(self, site: Organisation | None) -> None:
        if site is None and self.is_bound:
            site = self.sites.get(str(self.data.get("e2c_site", "")))
        partners = list(partner_organisations(site).order_by("sort_name")) if site else []
        self.partners = {str(org.public_id): org for org in partners}
        cast(forms.ChoiceField, self.fields["venue_organisation"]).choices = [("", "—")] + [
            (key, org.name) for key, org in self.partners.items()
        ]
        hosts = list(co_host_choices(site)) if site else []
        self.hosts = {str(user.public_id): user for user in hosts}
        cast(forms.MultipleChoiceField, self.fields["co_hosts"]).choices = [
            (key, _person(user)) for key, user in self.hosts.items()
        ]

    SERVICE_FIELDS = {"starts_at": "starts", "ends_at": "ends"}

    def attach_service_errors(self, error: ValidationError) -> None:
        """The service speaks of ``starts_at``/``ends_at``; the form asks a day and two times."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, texts in error.message_dict.items():
            name = self.SERVICE_FIELDS.get(field, field)
            self.add_error(name if name in self.fields else None, texts)

    def site(self) -> Organisation:
        if self.fixed_site is not None:
            return self.fixed_site
        return self.sites[self.cleaned_data["e2c_site"]]

    def to_data(self) -> SessionData:
        data = self.cleaned_data
        paris = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        day: datetime.date = data["day"]
        return SessionData(
            kind=data["kind"],
            starts_at=datetime.datetime.combine(day, data["starts"], tzinfo=paris),
            ends_at=datetime.datetime.combine(day, data["ends"], tzinfo=paris),
            venue=data["venue"],
            venue_organisation=self.partners.get(data.get("venue_organisation") or ""),
            address=data["address"],
            capacity=data["capacity"],
            registration_deadline=data["registration_deadline"],
            co_hosts=[self.hosts[key] for key in data.get("co_hosts", [])],
        )


class CancelSessionForm(forms.Form):
    reason = forms.CharField(
        label="Motif de l'annulation",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Transmis aux partenaires et aux conseillers des jeunes inscrits.",
        validators=[validate_no_nir],
    )
    confirm = forms.BooleanField(
        label="Je confirme l'annulation : les jeunes inscrits seront désinscrits et leurs conseillers prévenus."
    )


class RegisterForm(forms.Form):
    referral = forms.ChoiceField(label="Jeune orienté(e) vers ce site")

    def __init__(self, *args: Any, referrals: list[Referral], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referrals = {str(referral.public_id): referral for referral in referrals}
        cast(forms.ChoiceField, self.fields["referral"]).choices = [("", "—")] + [
            (
                key,
                f"{referral.young_person} — {lower_first(referral.get_status_display())}",
            )
            for key, referral in self.referrals.items()
        ]

    def chosen(self) -> Referral:
        return self.referrals[self.cleaned_data["referral"]]


class ChooseSessionForm(forms.Form):
    session = forms.ChoiceField(label="Séance", widget=forms.RadioSelect)

    def __init__(self, *args: Any, sessions: list[InformationSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = {str(session.public_id): session for session in sessions}
        choices = []
        for key, session in self.sessions.items():
            registered = int(getattr(session, "registered", 0))
            left = session.capacity - registered
            seats = count_fr(left, "place restante", "places restantes") if left > 0 else "complète : liste d'attente"
            choices.append((key, f"{session} — {session.address} — {seats}"))
        cast(forms.ChoiceField, self.fields["session"]).choices = choices

    def chosen(self) -> InformationSession:
        return self.sessions[self.cleaned_data["session"]]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Motif (facultatif)", max_length=300, required=False, validators=[validate_no_nir])


class AttendanceForm(forms.Form):
    """One radio group per registered young person, all answered at once."""

    def __init__(self, *args: Any, seats: list[SessionRegistration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seats = seats
        for seat in seats:
            self.fields[f"seat-{seat.public_id}"] = forms.ChoiceField(
                label=str(seat.referral.young_person),
                choices=Attendance.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Indiquez la présence {de(seat.referral.young_person)}."},
            )

    def marks(self) -> dict[str, str]:
        return {str(seat.public_id): self.cleaned_data[f"seat-{seat.public_id}"] for seat in self.seats}


class ImmersionForm(forms.Form):
    host_organisation = forms.ChoiceField(label="Structure d'accueil")
    starts_on = forms.DateField(label="Du", widget=DateInput())
    ends_on = forms.DateField(label="Au", widget=DateInput())
    participants = forms.MultipleChoiceField(
        label="Participants de votre structure", widget=forms.CheckboxSelectMultiple
    )
    host_contacts = forms.CharField(
        label="Personnes rencontrées (facultatif)", max_length=300, required=False, validators=[validate_no_nir]
    )
    notes = forms.CharField(
        label="Notes (facultatif)",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce qui a été vu, ce qui change dans vos pratiques. Aucune donnée sur un jeune.",
        validators=[validate_no_nir],
    )

    def __init__(self, *args: Any, hosts: list[Organisation], people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hosts = {str(org.public_id): org for org in hosts}
        self.people = {str(user.public_id): user for user in people}
        cast(forms.ChoiceField, self.fields["host_organisation"]).choices = [("", "—")] + [
            (key, org.name) for key, org in self.hosts.items()
        ]
        cast(forms.MultipleChoiceField, self.fields["participants"]).choices = [
            (key, _person(user)) for key, user in self.people.items()
        ]

    def to_data(self) -> ImmersionData:
        data = self.cleaned_data
        return ImmersionData(
            host_organisation=self.hosts[data["host_organisation"]],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            participants=[self.people[key] for key in data["participants"]],
            host_contacts=data.get("host_contacts") or "",
            notes=data.get("notes") or "",
        )
