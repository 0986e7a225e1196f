"""What a typed or imported text may hold, with French messages.

A single-line value (a name, a label, an address, an e-mail…) is normalised to NFC, stripped, and
refused when it holds a control character (tabulation, line break, NUL…) or an invisible format
character (zero-width space, bidirectional overrides such as U+202E that make « exe.pdf » read as
« fdp.exe », byte-order mark…). A multi-line value keeps its line breaks and tabulations but is
refused the other control characters and every invisible format character.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

# Kept in a multi-line text (a note, a comment): the line breaks and the tabulation people type.
MULTILINE_ALLOWED = frozenset("\t\n\r\u2028\u2029")
# Unicode categories never accepted: controls, format (invisible) characters, lone surrogates;
# line and paragraph separators only in multi-line text.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

CHARACTER_NAMES = {
    "\t": "tabulation",
    "\n": "saut de ligne",
    "\r": "retour chariot",
    "\x00": "caractère nul",
    "\u00ad": "trait d’union conditionnel",
    "\u200b": "espace de largeur nulle",
    "\u200c": "antiliant de largeur nulle",
    "\u200d": "liant de largeur nulle",
    "\u200e": "marque gauche-à-droite",
    "\u200f": "marque droite-à-gauche",
    "\u202a": "enchâssement gauche-à-droite",
    "\u202b": "enchâssement droite-à-gauche",
    "\u202c": "fin d’enchâssement",
    "\u202d": "forçage gauche-à-droite",
    "\u202e": "forçage droite-à-gauche",
    "\u2028": "séparateur de lignes",
    "\u2029": "séparateur de paragraphes",
    "\u2060": "gluon de mots",
    "\ufeff": "indicateur d’ordre des octets",
}
# Invisible characters a word processor or a web page leaves in pasted text (soft hyphen, zero-width
# space, word joiner, byte-order mark): in a multi-line text — a note, a motivation pasted from a
# document — they are silently dropped, as the person cannot see what to remove; they change
# nothing of what is read. Bidirectional controls, which do change what is read, are still refused.
PASTED_INVISIBLE = {ord(char): None for char in "\u00ad\u200b\u2060\ufeff"}
INVISIBLE_CODE = "invisible_character"
NO_LETTER_CODE = "no_letter"


def character_message(char: str) -> str:
    """« Ce champ contient un caractère invisible ou de contrôle (U+202E, forçage droite-à-gauche) : retirez-le. »"""
    name = CHARACTER_NAMES.get(char)
    described = f"U+{ord(char):04X}, {name}" if name else f"U+{ord(char):04X}"
    return f"Ce champ contient un caractère invisible ou de contrôle ({described}) : retirez-le."


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character ``value`` may not hold, or None."""
    for char in value:
        if unicodedata.category(char) in REFUSED_CATEGORIES and not (multiline and char in MULTILINE_ALLOWED):
            return char
    return None


def clean_text(value: str, *, multiline: bool = False, strip: bool = True) -> str:
    """``value`` in NFC and stripped; ValidationError (French, code ``invisible_character``) if it
    holds a control or invisible format character (line breaks and tabulations allowed when
    ``multiline``, and the invisible characters of pasted text dropped there)."""
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = value.translate(PASTED_INVISIBLE)
    if strip:
        value = value.strip()
    char = forbidden_character(value, multiline=multiline)
    if char is not None:
        raise ValidationError(character_message(char), code=INVISIBLE_CODE, params={"character": f"U+{ord(char):04X}"})
    return value


def search_words(value: str, *, max_length: int) -> tuple[str, str]:
    """A search box's words (not a Django form): ``(words, "")`` cleaned like a form field, or
    ``("", message)`` when they hold a refused character, for the page to show."""
    try:
        return clean_text(value)[:max_length], ""
    except ValidationError as error:
        return "", error.messages[0]


def without_forbidden(value: str, *, multiline: bool = False) -> str:
    """``value`` with its control and invisible characters removed: what a refused import line keeps
    in its preview (the line is refused; the character is not stored)."""
    return "".join(
        char
        for char in value
        if unicodedata.category(char) not in REFUSED_CATEGORIES or (multiline and char in MULTILINE_ALLOWED)
    )


def has_letter(value: str) -> bool:
    return any(unicodedata.category(char).startswith("L") for char in value)


def validate_has_letter(value: str, *, noun: str = "Le nom") -> None:
    """A name made only of accents, digits or punctuation is a typing accident, not a name."""
    if value and not has_letter(value):
        raise ValidationError(f"{noun} doit contenir au moins une lettre.", code=NO_LETTER_CODE)


def validate_name(value: str) -> None:
    validate_has_letter(value, noun="Le nom")


def validate_first_name(value: str) -> None:
    validate_has_letter(value, noun="Le prénom")


def clip(text: str, size: int) -> str:
    """``text`` cut to ``size`` characters at most, ending with « … » when it was cut: a long label
    or site name put into a column of fixed length (a history line, a reason) never fails the save."""
    return text if len(text) <= size else text[: size - 1] + "…"
