"""The young people list's rows (issue 21): their words written once in Python, as the template wrote them."""

import datetime
import uuid

from cej.models import YoungPerson
from cej.selectors.young_people import young_person_rows
from partners.models import User


def test_a_row_names_the_file_its_referent_and_its_age_on_the_day():
    referent = User(first_name="Anaïs", last_name="L'Hôte")
    person = YoungPerson(
        public_id=uuid.uuid4(),
        last_name="N'DIAYE",
        first_name="Cœur",
        birth_date=datetime.date(2008, 12, 9),
        imilo_number="123456",
        referent=referent,
    )
    (row,) = young_person_rows([person], today=datetime.date(2026, 12, 8))
    assert row.name == "N'DIAYE Cœur"
    assert row.born_on == "09/12/2008"
    assert row.age == 17  # 18 tomorrow
    assert row.referent == "Anaïs L'Hôte"
    assert row.imilo_number == "123456"
    assert row.url == f"/jeunes/{person.public_id}/"


def test_a_row_without_referent_or_i_milo_number_says_so_with_a_dash():
    person = YoungPerson(
        public_id=uuid.uuid4(), last_name="MARTIN", first_name="Léa", birth_date=datetime.date(2005, 1, 1)
    )
    (row,) = young_person_rows([person], today=datetime.date(2026, 12, 8))
    assert (row.referent, row.imilo_number, row.age) == ("—", "—", 21)
