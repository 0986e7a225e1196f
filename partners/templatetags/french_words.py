"""French wording filters, loaded as a builtin (``config/settings/base.py``) like ``date_fr``.

- ``{{ young_person|de }}`` → « d'Adam » / « de Paul »; also ``|du``, ``|le``, ``|la``, ``|que``,
  and ``{{ word|elide:"De" }}`` for any particle of ``partners.french.ELISIONS`` (a capital kept);
- ``{{ n|number_fr }} jeune{{ n|pluralize_fr }} inscrit{{ n|pluralize_fr }}`` → « 0 jeune inscrit »,
  « 1 000 jeunes inscrits »; ``{{ n|pluralize_fr:"a,ont" }}`` like Django's ``pluralize``, but with
  French's singular for 0 and 1 (Django's ``pluralize`` writes « 0 inscrits »: not for French text);
- ``{{ n|count_fr:"dossier" }}``, ``{{ n|count_fr:"jeune inscrit,jeunes inscrits" }}`` → « 1 dossier »;
- ``{{ label|lowerfirst }}`` for an enum label inside a sentence (« prise en compte par l'E2C »),
  never ``|lower``, which also lowers the proper nouns and acronyms.
The rules are those of ``partners.french``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from partners import french

register = template.Library()


def _elided(value: Any, particle: str, autoescape: bool) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    joined = french.elide(text, particle)
    if not autoescape:
        return joined
    # The particle is ours; only the word is escaped, so « d' » stays an apostrophe in the page.
    prefix = joined[: len(joined) - len(text)]
    word = text if isinstance(value, SafeData) else conditional_escape(text)
    return mark_safe(prefix + word)  # noqa: S308


@register.filter(is_safe=True, needs_autoescape=True)
def elide(value: Any, particle: str = "de", autoescape: bool = True) -> str:
    return _elided(value, particle, autoescape)


@register.filter(is_safe=True, needs_autoescape=True)
def de(value: Any, autoescape: bool = True) -> str:
    return _elided(value, "de", autoescape)


@register.filter(is_safe=True, needs_autoescape=True)
def du(value: Any, autoescape: bool = True) -> str:
    return _elided(value, "du", autoescape)


@register.filter(is_safe=True, needs_autoescape=True)
def le(value: Any, autoescape: bool = True) -> str:
    return _elided(value, "le", autoescape)


@register.filter(is_safe=True, needs_autoescape=True)
def la(value: Any, autoescape: bool = True) -> str:
    return _elided(value, "la", autoescape)


@register.filter(is_safe=True, needs_autoescape=True)
def que(value: Any, autoescape: bool = True) -> str:
    return _elided(value, "que", autoescape)


@register.filter(is_safe=False)
def pluralize_fr(value: Any, arg: str = "s") -> str:
    """Django's ``pluralize`` (``"s"``, ``"x"``, ``"a,ont"``) with 0 and 1 in the singular."""
    if "," in arg:
        singular, plural = arg.split(",", 1)
    else:
        singular, plural = "", arg
    return french.pluralize_fr(value, singular, plural)


@register.filter(is_safe=True)
def number_fr(value: Any, decimals: int = 0) -> str:
    if value in (None, ""):
        return ""
    try:
        return french.number_fr(float(value) if not isinstance(value, int) else value, int(decimals))
    except (TypeError, ValueError):
        return str(value)


@register.filter(is_safe=False)
def count_fr(value: Any, arg: str) -> str:
    singular, _, plural = arg.partition(",")
    return french.count_fr(value, singular, plural or None)


@register.filter(is_safe=True)
def lowerfirst(value: Any) -> str:
    return french.lower_first(value)
