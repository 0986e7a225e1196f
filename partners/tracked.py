"""The change history of memberships and accounts (``history``), and how a change names the users
and organisations it points to. Discovered by ``history.models``."""

from collections.abc import Iterable

from history.registry import Named, register_names
from history.tracking import NOISE, SECRETS, track
from partners.models import Membership, Organisation, User

MembershipChange = track(Membership, "MembershipChange")
UserChange = track(User, "UserChange", exclude=[*NOISE, *SECRETS])


def _user_names(ids: Iterable[int]) -> dict[int, str]:
    return {
        user.pk: user.get_full_name() or user.email
        for user in User.objects.filter(pk__in=ids).only("first_name", "last_name", "email")
    }


def _organisation_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


register_names(Named(model="partners.User", names=_user_names, missing="compte supprimé", context_key="user"))
register_names(
    Named(
        model="partners.Organisation",
        names=_organisation_names,
        missing="organisation supprimée",
        context_key="organisation",
    )
)
