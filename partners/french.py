"""French wording shared by pages, e-mails and PDFs: elision, plurals, numbers, labels mid-sentence.

The same functions are template filters (``partners/templatetags/french_words.py``, loaded as a
builtin with ``date_fr``): ``{{ young_person|de }}``, ``{{ n|number_fr }} jeune{{ n|pluralize_fr }}``,
``{{ status|lowerfirst }}``.

**Elision** (« de » → « d' », « le »/« la » → « l' », « que » → « qu' », « ce » → « cet »,
« du » → « de l' »), decided on the first letter of the word as it is written, accents folded:
- a vowel (a e i o u, œ, æ, with or without accent) elides: « d'Adam », « d'Élodie »,
  « d'Île-de-France »;
- an h elides (h muet: « d'Hugo », « d'Hélène », « l'Hérault ») unless the first word is in
  ``H_ASPIRE`` (« de Hollande », « de Haute-Garonne », « des Hauts-de-France »);
- a y elides when a consonant follows it (it is then read as the vowel i: « d'Yvonne »,
  « d'Yves »), not when a vowel follows (a consonant sound: « de Yanis », « de Yann »);
- acronyms follow the same rule on their first letter as written: « d'E2C », « l'ARML »,
  but « de ML », « de FT » (written French gives these an article: « de la ML »);
- anything else (consonant, digit, quotation mark, empty or ``None``) does not elide.

**Role labels** (« Conseiller », « Administrateur ») stay as ``partners.enums.Role`` writes them:
an account holds no civility nor « how to address me » field to make them agree, so the label names
the role, not the person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sized
from decimal import Decimal

from django.utils import formats

APOSTROPHE = "'"  # the typewriter apostrophe the templates already write (« l'orientation »)
NARROW_NO_BREAK_SPACE = "\u202f"  # French thousands separator (« 12 345 »)

# First words (lower case, accents folded) whose h is aspirated: no elision before them.
H_ASPIRE = frozenset(
    {
        "hache",
        "haie",
        "haine",
        "hall",
        "halle",
        "halles",
        "halte",
        "hamac",
        "hambourg",
        "hameau",
        "hamster",
        "hanche",
        "handball",
        "handicap",
        "hangar",
        "harcelement",
        "hareng",
        "haricot",
        "harpe",
        "hasard",
        "hate",
        "haut",
        "haute",
        "hautes",
        "hauts",
        "havre",
        "hernie",
        "heros",
        "herisson",
        "hetre",
        "hibou",
        "hierarchie",
        "hockey",
        "hollandais",
        "hollandaise",
        "hollande",
        "homard",
        "hongrie",
        "honte",
        "hors",
        "hotte",
        "housse",
        "houx",
        "hublot",
        "huit",
        "huitieme",
        "hutte",
    }
)
VOWELS = frozenset("aeiou")
_FIRST_WORD = re.compile(r"[^\s\-'’]+")
# particle → (form before a vowel sound, form otherwise); the elided form ends without a space
ELISIONS: dict[str, tuple[str, str]] = {
    "de": ("d" + APOSTROPHE, "de "),
    "du": ("de l" + APOSTROPHE, "du "),
    "le": ("l" + APOSTROPHE, "le "),
    "la": ("l" + APOSTROPHE, "la "),
    "que": ("qu" + APOSTROPHE, "que "),
    "ce": ("cet ", "ce "),
}


def _fold(text: str) -> str:
    """Lower case without accents (« Élodie » → « elodie », « Œuvray » → « oeuvray »)."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(letter for letter in unicodedata.normalize("NFD", text) if not unicodedata.combining(letter))


def starts_with_vowel_sound(word: object) -> bool:
    """Whether « de », « le », « la », « que » elide before ``word`` (the rule in the module's docstring)."""
    match = _FIRST_WORD.match(str(word or "").strip())
    if match is None:
        return False
    first = _fold(match.group())
    if not first:
        return False
    if first[0] in VOWELS:
        return True
    if first[0] == "h":
        return first not in H_ASPIRE
    if first[0] == "y":
        return len(first) > 1 and first[1].isalpha() and first[1] not in VOWELS and first[1] != "y"
    return False


def elide(word: object, particle: str = "de") -> str:
    """« de » + ``word``, elided when it should be: ``elide("Adam")`` → « d'Adam »,
    ``elide("Paul")`` → « de Paul ». ``particle`` is one of ``ELISIONS``; a capital on it is kept
    (``elide("E2C", "Du")`` → « De l'E2C »). An empty word gives an empty string."""
    text = "" if word is None else str(word).strip()
    if not text:
        return ""
    elided, plain = ELISIONS[particle.lower()]
    prefix = elided if starts_with_vowel_sound(text) else plain
    if particle[:1].isupper():
        prefix = prefix[:1].upper() + prefix[1:]
    return prefix + text


def de(word: object) -> str:
    return elide(word, "de")


def du(word: object) -> str:
    return elide(word, "du")


def le(word: object) -> str:
    return elide(word, "le")


def la(word: object) -> str:
    return elide(word, "la")


def que(word: object) -> str:
    return elide(word, "que")


def ce(word: object) -> str:
    return elide(word, "ce")


def _quantity(value: object) -> float:
    """A count given as a number, a numeric string or a sized collection (its length)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ".").replace(NARROW_NO_BREAK_SPACE, "").replace("\u00a0", ""))
        except ValueError:
            return 0.0
    if isinstance(value, Sized):
        return float(len(value))
    return 0.0


def is_plural(count: object) -> bool:
    """French takes the singular below 2: « 0 inscrit », « 1 inscrit », « 1,5 an », « 2 inscrits »."""
    return abs(_quantity(count)) >= 2


def pluralize_fr(count: object, singular: str = "", plural: str | None = None) -> str:
    """``singular`` or ``plural`` (``singular`` + « s » when not given) after ``count``."""
    if not is_plural(count):
        return singular
    return singular + "s" if plural is None else plural


def number_fr(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """« 12 345 », « 66,7 »: thousands grouped by a narrow no-break space, a decimal comma, rounded
    to ``decimals``; ``None`` gives an empty string."""
    if value is None:
        return ""
    return f"{value:,.{decimals}f}".replace(",", NARROW_NO_BREAK_SPACE).replace(".", ",")


def localized_integer(value: int) -> str:
    """An integer as the templates print it (``USE_THOUSAND_SEPARATOR``, Django's French format:
    « 1 250 » with a no-break space from 1 000 on), for labels written in Python."""
    return str(value) if -1000 < value < 1000 else formats.localize(value)


def count_fr(count: int | float | Sized, singular: str, plural: str | None = None) -> str:
    """The number and its noun: « 0 jeune », « 1 000 dossiers »."""
    quantity = count if isinstance(count, int | float) else len(count)
    decimals = 0 if float(quantity).is_integer() else 1
    return f"{number_fr(quantity, decimals)} {pluralize_fr(quantity, singular, plural)}"


def lower_first(label: object) -> str:
    """A label set inside a sentence: its first letter in lower case, the rest as written, so that
    proper nouns and acronyms keep their capitals (« Prise en compte par l'E2C » → « prise en compte
    par l'E2C »); a label opening with an acronym stays as it is (« CEJ terminé », « E2C »)."""
    text = "" if label is None else str(label)
    match = _FIRST_WORD.match(text)
    if not match:
        return text
    first = match.group()
    letters = [letter for letter in first if letter.isalpha()]
    if len(first) > 1 and (sum(letter.isupper() for letter in letters) > 1 or any(c.isdigit() for c in first)):
        return text
    return text[:1].lower() + text[1:]
