"""The Python name key and its SQL twin (``cej_name_key``, the search's index) agree on any name."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from texthygiene.names import name_key

pytestmark = pytest.mark.django_db

# What names are made of: Latin letters with and without accents, ligatures, the letters unaccent folds,
# Cyrillic, Arabic, CJK, combining marks, and every kind of separator and invisible character.
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "àâäçéèêëîïôöùûüÿñãõáíóúÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÑåÅøØßẞæÆœŒłŁđĐðÐþÞıİħŧŋĸŀ"
    "жукЖУКйЙёЁمَُدح李王"
    "\u0300\u0301\u0308\u0327\u064e"
    " \u00a0\u202f\u2009\t'’‘ʼ`´-‐‑–—−._,·"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2060\u2066\ufeff\u00ad"
    "ﬁＡＢ"
)


def sql_key(text: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cej_name_key(%s)", [text])
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Lefèvre-Œuvray", "lefevre oeuvray"),
        ("Lefevre  Oeuvray", "lefevre oeuvray"),
        ("N’Diaye", "n diaye"),
        ("N'Diaye", "n diaye"),
        ("N Diaye", "n diaye"),
        ("De La Tour-d'Auvergne", "de la tour d auvergne"),
        ("de la Tour d Auvergne", "de la tour d auvergne"),
        ("Mar\u200btin", "martin"),
        ("Strauß Ærø", "strauss aero"),
        ("  Jean--Baptiste . ", "jean baptiste"),
    ],
)
def test_the_examples_give_the_same_key_in_python_and_in_sql(typed, key):
    assert name_key(typed) == sql_key(typed) == key


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_python_and_sql_give_the_same_key_for_any_name(text):
    assert name_key(text) == sql_key(text)
