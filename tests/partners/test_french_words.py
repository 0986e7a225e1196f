"""The French wording helpers (``partners.french``) and their template filters."""

from __future__ import annotations

import pytest
from django.template import Context, engines

from partners import french


def render(source: str, autoescape: bool = True, **context: object) -> str:
    template = engines["django"].from_string(source)
    if autoescape:
        return template.render(context)
    return str(template.template.render(Context(context, autoescape=False)))


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Adam", "d'Adam"),  # vowel
        ("E2C", "d'E2C"),  # acronym read from its first letter
        ("Essai", "d'Essai"),
        ("Élodie", "d'Élodie"),  # accented vowel
        ("Île-de-France", "d'Île-de-France"),
        ("Œuvray", "d'Œuvray"),
        ("Hugo", "d'Hugo"),  # h muet
        ("Hélène", "d'Hélène"),
        ("Hérault", "d'Hérault"),
        ("Hollande", "de Hollande"),  # h aspiré
        ("Haute-Garonne", "de Haute-Garonne"),
        ("Hauts-de-France", "de Hauts-de-France"),
        ("hameau", "de hameau"),
        ("héros", "de héros"),
        ("Yvonne", "d'Yvonne"),  # y before a consonant: the vowel i
        ("Yanis", "de Yanis"),  # y before a vowel: a consonant
        ("Paul", "de Paul"),  # consonant
        ("ML Lyon", "de ML Lyon"),
        ("4 jeunes", "de 4 jeunes"),
        ("« Avenir »", "de « Avenir »"),
        ("  Adam  ", "d'Adam"),
    ],
)
def test_de_elides_before_a_vowel_sound_only(word: str, expected: str) -> None:
    assert french.de(word) == expected


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_an_empty_word_gives_nothing_to_elide(empty: str | None) -> None:
    assert french.de(empty) == ""
    assert render("[{{ word|de }}]", word=empty) == "[]"


def test_every_particle_elides_its_own_way() -> None:
    assert french.le("E2C") == "l'E2C"
    assert french.le("site") == "le site"
    assert french.la("Hollande") == "la Hollande"
    assert french.la("ARML") == "l'ARML"
    assert french.que("il") == "qu'il"
    assert french.que("Paul") == "que Paul"
    assert french.ce("atelier") == "cet atelier"
    assert french.ce("hameau") == "ce hameau"
    assert french.du("E2C") == "de l'E2C"
    assert french.du("site") == "du site"
    assert french.elide("Adam", "De") == "D'Adam"
    assert french.elide("E2C", "Du") == "De l'E2C"


def test_filters_elide_and_escape_only_the_word() -> None:
    assert render("Orientation {{ name|de }}", name="Adam") == "Orientation d'Adam"
    assert render("Orientation {{ name|de }}", name="Ève <b>") == "Orientation d'Ève &lt;b&gt;"
    assert render("{{ site|le }}, {{ site|du }}, {{ w|que }}", site="E2C Lyon", w="elle") == (
        "l'E2C Lyon, de l'E2C Lyon, qu'elle"
    )
    assert render('{{ name|elide:"De" }}', name="Hugo") == "D'Hugo"
    # e-mails render without escaping: the word stays as written
    assert render("Dossier {{ name|de }}", autoescape=False, name="O'Neil & Co") == "Dossier d'O'Neil & Co"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 jeune inscrit"), (1, "1 jeune inscrit"), (2, "2 jeunes inscrits"), (1000, "1\u202f000 jeunes inscrits")],
)
def test_zero_and_one_take_the_singular(count: int, expected: str) -> None:
    assert render("{{ n|number_fr }} jeune{{ n|pluralize_fr }} inscrit{{ n|pluralize_fr }}", n=count) == expected


def test_plural_filters_take_lengths_and_irregular_forms() -> None:
    assert render('ser{{ n|pluralize_fr:"a,ont" }}', n=0) == "sera"
    assert render('ser{{ n|pluralize_fr:"a,ont" }}', n=3) == "seront"
    assert render("{{ items|length }} erreur{{ items|pluralize_fr }}", items=[]) == "0 erreur"
    assert render('{{ n|count_fr:"dossier" }}', n=1) == "1 dossier"
    assert render('{{ n|count_fr:"dossier" }}', n=0) == "0 dossier"
    assert render('{{ n|count_fr:"dossier" }}', n=2) == "2 dossiers"
    assert render('{{ n|count_fr:"dossier" }}', n=1000) == "1\u202f000 dossiers"
    assert render('{{ n|count_fr:"travail,travaux" }}', n=2) == "2 travaux"
    assert french.pluralize_fr(1.5, "an") == "an"
    assert french.count_fr([1, 2, 3], "ligne") == "3 lignes"


def test_numbers_are_grouped_by_a_narrow_no_break_space() -> None:
    assert french.number_fr(12345) == "12\u202f345"
    assert french.number_fr(1234.56, 1) == "1\u202f234,6"
    assert french.number_fr(999) == "999"
    assert french.number_fr(None) == ""
    assert render("{{ n|number_fr }}", n=1234567) == "1\u202f234\u202f567"
    assert render("[{{ n|number_fr }}]", n=None) == "[]"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Prise en compte par l'E2C", "prise en compte par l'E2C"),
        ("Reçu(e) en information collective", "reçu(e) en information collective"),
        ("Emploi : CDI", "emploi : CDI"),
        ("Non admis(e) à l'E2C", "non admis(e) à l'E2C"),
        ("CEJ terminé", "CEJ terminé"),
        ("E2C", "E2C"),
        ("", ""),
    ],
)
def test_a_label_inside_a_sentence_keeps_its_proper_nouns_and_acronyms(label: str, expected: str) -> None:
    assert french.lower_first(label) == expected
    assert render("{{ label|lowerfirst }}", label=label) == expected.replace("'", "&#x27;")
