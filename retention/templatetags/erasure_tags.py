from django import template

from cej.models import YoungPerson
from partners.access import Actor
from retention.access import can_erase
from retention.erasure import is_anonymised

register = template.Library()


@register.filter
def may_erase(actor: Actor | None, young_person: YoungPerson) -> bool:
    """Whether the file page shows « Effacer ce dossier » (the erasure page itself checks again);
    not for a file already anonymised."""
    return can_erase(actor, young_person) and not is_anonymised(young_person)
