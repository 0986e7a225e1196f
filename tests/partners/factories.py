import factory

from partners.enums import OrganisationKind, Role
from partners.models import Membership, Organisation, User
from partners.text import sort_key

DEFAULT_PASSWORD = "Mot-de-passe-de-test-1"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Mission Locale n°{n} de Saint-Étienne")
    sort_name = factory.LazyAttribute(lambda o: sort_key(o.name))
    kind = OrganisationKind.MISSION_LOCALE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"conseiller{n}@ml.exemple.fr")
    first_name = "Anaïs"
    last_name = factory.Sequence(lambda n: f"Lévêque-{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", DEFAULT_PASSWORD)
        return model_class.objects.create_user(*args, password=password, **kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ADVISER
