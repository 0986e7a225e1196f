"""The one normalisation of people's names, shared by the search and the duplicate checks.

``name_key`` (Python) and ``cej_name_key(text)`` (SQL, IMMUTABLE, migration
``cej/0009_name_key``) apply the same rule, in the same order; the young people's ``search_name``
column is ``cej_name_key(last_name || ' ' || first_name)``, GIN-indexed for the search, and the
duplicate checks compare the same column. ``tests/texthygiene/test_name_key.py`` checks the two
agree on thousands of generated names.

1. NFKD (compatibility decomposition: « ﬁ » → « fi », full-width letters → ASCII, accents split off);
2. invisible characters removed (zero-width spaces and joiners, bidirectional marks, soft hyphen,
   byte-order mark…): pasted from a word processor, they are not part of the name;
3. lower case, then the Latin letters NFKD keeps whole folded as ``unaccent`` does: œ → oe,
   æ → ae, ß → ss, ø → o, ł → l, đ/ð → d, þ → th…;
4. combining marks removed (the accents split off in step 1);
5. every run of separators — spaces of any width, apostrophes (' ’ ‘ ʼ `), hyphens and dashes,
   dots, commas, underscores — becomes one space, and the ends are trimmed.

« Lefèvre-Œuvray », « LEFEVRE  oeuvray » → ``lefevre oeuvray``; « N’Diaye », « N'Diaye », « N Diaye »
→ ``n diaye``; « NDiaye » → ``ndiaye``. The words are kept (the search's trigram similarity works
word by word). The duplicate checks go one step further and ignore the separators altogether
(``duplicate_key``): « N Diaye » = « N'Diaye » = « NDiaye », « De La Tour-d'Auvergne » =
« Delatour d Auvergne ». A check only warns — the adviser confirms it is another person — so a
rare false alarm costs a click, a missed duplicate costs a second file for the same young person.
"""

from __future__ import annotations

import re
import unicodedata

# Removed: the invisible format characters people paste without seeing them. Same class in SQL.
INVISIBLE_CLASS = "\u00ad\u034f\u061c\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff"
# Removed after the lower case: combining marks (accents, diacritics) split off by NFKD.
COMBINING_CLASS = "\u0300-\u036f\u0483-\u0489\u064b-\u065f\u0670\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Folded to one space: spaces, apostrophes, hyphens and dashes, dots, commas, underscores.
SEPARATOR_CLASS = (
    " \t\n\r\f\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    "'`\u00b4\u2018\u2019\u201b\u2032\u02b9\u02bb\u02bc\u02bd\u02c8"
    "\u2010-\u2015\u2212\u02d7\ufe58\ufe31\ufe32"
    ".,_\u00b7\u2022\u2027\u3001\u3002\uff61\uff64"
    "-"
)
# The Latin letters NFKD leaves whole, folded like PostgreSQL's unaccent dictionary does.
LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "ŋ": "n",
        "ĸ": "q",
        "ŀ": "l",
    }
)

_INVISIBLE = re.compile(f"[{INVISIBLE_CLASS}]")
_COMBINING = re.compile(f"[{COMBINING_CLASS}]")
_SEPARATORS = re.compile(f"[{SEPARATOR_CLASS}]+")


def name_key(text: str) -> str:
    """« Lefèvre-Œuvray » → « lefevre oeuvray »: the form of a name the search indexes (see the module)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKD", text))
    text = _COMBINING.sub("", text.lower().translate(LETTERS))
    return _SEPARATORS.sub(" ", text).strip(" ")


def duplicate_key(text: str) -> str:
    """« N'Diaye », « N Diaye », « NDiaye » → « ndiaye »: what the duplicate checks compare."""
    return name_key(text).replace(" ", "")


def full_name_key(*, last_name: str, first_name: str) -> str:
    """The key of « last first », as the ``search_name`` column holds it."""
    return name_key(f"{last_name} {first_name}")
