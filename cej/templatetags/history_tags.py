from django import template

from partners.access import Actor, Capability

register = template.Library()


@register.filter
def may_read_history(actor: Actor | None) -> bool:
    """Whether the file page links to its "Historique" tab (the tab itself checks again)."""
    return actor is not None and actor.can(Capability.READ_HISTORY)
