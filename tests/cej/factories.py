import datetime

import factory

from cej.models import YoungPerson
from tests.partners.factories import OrganisationFactory


class YoungPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YoungPerson

    organisation = factory.SubFactory(OrganisationFactory)
    last_name = factory.Sequence(lambda n: f"Lefèvre-{n}")
    first_name = "Zoé"
    birth_date = factory.LazyFunction(
        lambda: datetime.date.today().replace(year=datetime.date.today().year - 19, day=1)
    )
