"""The site's pages in one table: who reaches each, which appear in the header, how the site map groups them.

The header's main menu, the account links of its user bar and the « Plan du site » page (RGAA 12.1:
a second navigation system) are all read from ``SECTIONS``, so they cannot disagree. Each rule is
the access check the page's own view applies (``can_hold_files``, ``can_use_inbox``, a capability…),
imported from its domain: this module sits beside ``config/urls.py``, above every app.

Menu rules are evaluated on every page, so they must not query the database (the organisation comes
with the membership); a rule that queries belongs to a page shown only in the site map.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse

from audit.access import can_read_access_log
from cej.access import can_hold_files
from common.http_methods import http_methods
from e2c_referrals.access import can_plan_sessions, can_record_immersions, can_refer, can_use_inbox
from partners.access import (
    Actor,
    Capability,
    actor_for,
    can_create_diagnostics,
    can_export_referral_files,
    can_manage_members_of,
)
from partners.models import User
from partners.services.two_factor import TWO_FACTOR_ROLES
from reporting.access import can_view_reporting

# ``None``: a visitor who is not signed in.
Rule = Callable[[Actor | None], bool]


@functools.lru_cache(maxsize=256)
def _address(url_name: str, prefix: str, urlconf: str | None) -> str:
    """A page without arguments has one address per URLconf and script prefix: reversed once per
    process, not on every page (the header links ten of them)."""
    return reverse(url_name, urlconf=urlconf)


class Place(enum.Enum):
    MENU = "menu"  # the header's main menu, and the site map
    ACCOUNT = "account"  # the header's user bar, and the site map
    SITE_MAP = "site_map"  # the site map only


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    allowed: Rule
    place: Place = Place.SITE_MAP
    query: str = ""  # e.g. the « my referrals » filter the menu opens with
    # Views for which the menu marks this link ``aria-current``: view names, or « namespace:* ».
    current: tuple[str, ...] = ()
    # For a page of the actor's own record (their organisation's team).
    url_kwargs: Callable[[Actor], Mapping[str, object]] | None = None
    children: tuple[Page, ...] = ()

    def url(self, actor: Actor | None) -> str:
        if self.url_kwargs is None or actor is None:
            address = _address(self.url_name, get_script_prefix(), get_urlconf())
        else:
            address = reverse(self.url_name, kwargs=dict(self.url_kwargs(actor)))
        return address + (f"?{self.query}" if self.query else "")

    def is_current(self, view_name: str | None, namespace: str | None) -> bool:
        patterns = self.current or (self.url_name,)
        return any(
            pattern == view_name or (pattern.endswith(":*") and pattern[:-2] == namespace) for pattern in patterns
        )


@dataclass(frozen=True)
class Section:
    heading: str
    pages: tuple[Page, ...] = field(default_factory=tuple)


def anonymous(actor: Actor | None) -> bool:
    return actor is None


def everyone(actor: Actor | None) -> bool:
    return True


def signed_in(check: Callable[[Actor], bool] | None = None) -> Rule:
    """Signed in, and ``check`` (the page's own access rule) if given."""
    return lambda actor: actor is not None and (check is None or check(actor))


def capability(wanted: Capability) -> Rule:
    return signed_in(lambda actor: actor.can(wanted))


def _own_organisation(actor: Actor) -> bool:
    return actor.organisation is not None


def _own_team(actor: Actor) -> bool:
    return actor.organisation is not None and can_manage_members_of(actor, actor.organisation)


def _own_organisation_id(actor: Actor) -> Mapping[str, object]:
    assert actor.organisation is not None  # noqa: S101 (checked by _own_team)
    return {"public_id": actor.organisation.public_id}


def _sessions(actor: Actor) -> bool:
    return can_hold_files(actor) or can_use_inbox(actor)


def _two_factor(actor: Actor) -> bool:
    return actor.role in TWO_FACTOR_ROLES


SECTIONS: tuple[Section, ...] = (
    Section("Accueil", (Page("Accueil", "home", signed_in(), Place.MENU),)),
    Section(
        "Jeunes et orientations",
        (
            Page(
                "Jeunes",
                "cej:young_people",
                signed_in(can_hold_files),
                Place.MENU,
                current=("cej:*",),
                children=(
                    Page("Nouveau dossier de jeune", "cej:young_person_create", signed_in(can_hold_files)),
                    Page("Importer une liste de jeunes", "cej:import_upload", signed_in(can_hold_files)),
                    Page("Imports de jeunes", "cej:import_list", signed_in(can_hold_files)),
                ),
            ),
            Page(
                "Mes orientations",
                "e2c_referrals:sent_referrals",
                signed_in(can_refer),
                Place.MENU,
                query="mes-orientations=1",
            ),
            Page("Orientations reçues", "e2c_referrals:inbox", signed_in(can_use_inbox), Place.MENU),
            Page(
                "Séances",
                "e2c_referrals:sessions",
                signed_in(_sessions),
                Place.MENU,
                children=(
                    Page("Programmer une séance", "e2c_referrals:session_create", signed_in(can_plan_sessions)),
                    Page("Calendrier des séances", "e2c_referrals:calendar", signed_in(_sessions)),
                ),
            ),
            Page(
                "Immersions",
                "e2c_referrals:immersions",
                signed_in(can_record_immersions),
                children=(
                    Page(
                        "Enregistrer une immersion", "e2c_referrals:immersion_create", signed_in(can_record_immersions)
                    ),
                ),
            ),
            Page("Information des jeunes sur leurs données", "information_notice", everyone),
        ),
    ),
    Section(
        "Réseau des partenaires",
        (
            Page(
                "Annuaire",
                "partners:directory",
                capability(Capability.VIEW_DIRECTORY),
                Place.MENU,
                children=(
                    Page(
                        "Nouvelle organisation", "partners:organisation_create", capability(Capability.MANAGE_DIRECTORY)
                    ),
                    Page("Importer l'annuaire", "partners:import_upload", capability(Capability.MANAGE_DIRECTORY)),
                    Page("Imports de l'annuaire", "partners:import_list", capability(Capability.MANAGE_DIRECTORY)),
                ),
            ),
            Page(
                "Accords",
                "partners:agreements",
                capability(Capability.VIEW_DIRECTORY),
                Place.MENU,
                children=(
                    Page("Nouvel accord", "partners:agreement_create", capability(Capability.MANAGE_AGREEMENTS)),
                ),
            ),
            Page(
                "Diagnostics",
                "partners:diagnostics",
                capability(Capability.VIEW_DIRECTORY),
                Place.MENU,
                children=(Page("Nouveau diagnostic", "partners:diagnostic_create", signed_in(can_create_diagnostics)),),
            ),
        ),
    ),
    Section(
        "Pilotage",
        (
            Page(
                "Indicateurs",
                "reporting:dashboard",
                signed_in(can_view_reporting),
                Place.MENU,
                current=("reporting:*",),
            ),
        ),
    ),
    Section(
        "Mon organisation",
        (
            Page(
                "Mon organisation",
                "partners:my_organisation",
                signed_in(_own_organisation),
                Place.MENU,
                children=(Page("Équipe", "partners:team", signed_in(_own_team), url_kwargs=_own_organisation_id),),
            ),
            Page(
                "Exports",
                "exports:referral_files",
                signed_in(can_export_referral_files),
                Place.MENU,
                current=("exports:*",),
            ),
        ),
    ),
    Section(
        "Administration",
        (
            Page("Envois et tâches", "outbox:monitoring", capability(Capability.MONITOR_JOBS), Place.MENU),
            Page("Journal des accès", "audit:access_log", signed_in(can_read_access_log), Place.MENU),
            Page(
                "Conservation",
                "retention:overview",
                capability(Capability.MANAGE_RETENTION),
                Place.MENU,
                current=("retention:*",),
            ),
        ),
    ),
    Section(
        "Mon compte",
        (
            Page(
                "Notifications",
                "outbox:notifications",
                signed_in(),
                children=(Page("Préférences de notification", "outbox:preferences", signed_in()),),
            ),
            Page("Adresse e-mail", "email_change", signed_in(), Place.ACCOUNT),
            Page("Mot de passe", "password_change", signed_in(), Place.ACCOUNT),
            Page("Double authentification", "two_factor_setup", signed_in(_two_factor), Place.ACCOUNT),
            Page("Se connecter", "login", anonymous),
            Page("Mot de passe oublié", "password_reset", anonymous),
        ),
    ),
    Section(
        "À propos",
        (
            Page("Déclaration d'accessibilité", "accessibility", everyone),
            Page("Plan du site", "site_map", everyone),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False
    children: tuple[Link, ...] = ()


@dataclass(frozen=True)
class SiteMapSection:
    heading: str
    links: tuple[Link, ...]


def _pages(place: Place) -> tuple[Page, ...]:
    return tuple(page for section in SECTIONS for page in section.pages if page.place == place)


def _actor(request: HttpRequest) -> Actor | None:
    # No user on a page refused before the middleware ran (a bad Host header's 400 page).
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    return actor_for(request)


def header_links(request: HttpRequest, place: Place) -> list[Link]:
    """The links of the header's main menu (``Place.MENU``) or user bar (``Place.ACCOUNT``) for this request."""
    actor = _actor(request)
    match = getattr(request, "resolver_match", None)
    view_name, namespace = (match.view_name, match.namespace) if match is not None else (None, None)
    return [
        Link(page.label, page.url(actor), page.is_current(view_name, namespace))
        for page in _pages(place)
        if page.allowed(actor)
    ]


def site_map_for(actor: Actor | None) -> list[SiteMapSection]:
    """Every page ``actor`` may reach (``None``: a visitor not signed in), grouped by section; a
    section with nothing for them is left out."""

    def links(pages: tuple[Page, ...]) -> tuple[Link, ...]:
        return tuple(
            Link(page.label, page.url(actor), children=links(page.children)) for page in pages if page.allowed(actor)
        )

    sections = [SiteMapSection(section.heading, links(section.pages)) for section in SECTIONS]
    return [section for section in sections if section.links]


def menus(request: HttpRequest) -> dict[str, object]:
    """Context processor: the header's links, from ``SECTIONS``."""
    if _actor(request) is None:
        return {}
    return {"main_menu": header_links(request, Place.MENU), "account_menu": header_links(request, Place.ACCOUNT)}


@http_methods("GET")
def site_map(request: HttpRequest) -> HttpResponse:
    """« Plan du site »: public; signed in, it lists what the acting role reaches."""
    return render(request, "site_map.html", {"sections": site_map_for(_actor(request))})
