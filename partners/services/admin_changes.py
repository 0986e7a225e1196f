"""Changes made in Django's admin, written to the account history (AccountEvent).

The account concerned is the object itself (a user) or the account it belongs to (a membership, an
authenticator device); its organisations' team histories then show the change. A change concerning no
account (an allowance rate, a scheduled task) is recorded without organisation. ``detail`` names the
model, the row's id and the fields changed, never their values (no personal data).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model

from partners.models import AccountEvent, Membership, User

ACTIONS = {"add": "ajout", "change": "modification", "delete": "suppression"}
INLINE_VERBS = {"added": "ajout", "changed": "modification", "deleted": "suppression"}
DETAIL_MAX_LENGTH = 250


def account_of(obj: Model) -> User | None:
    """The account a row of the admin belongs to, if any."""
    if isinstance(obj, User):
        return obj
    owner = getattr(obj, "user", None)
    return owner if isinstance(owner, User) else None


def changed_fields(message: Any) -> list[str]:
    """The field labels of the admin's change message (``construct_change_message``), inlines included."""
    if not isinstance(message, list):
        return []
    labels: list[str] = []
    for part in message:
        for verb, content in part.items():
            if verb == "changed":
                labels += [str(label) for label in content.get("fields", [])]
            if "name" in content:
                labels.append(f"{content['name']} ({INLINE_VERBS.get(verb, verb)})")
    return labels


def _detail(obj: Model, action: str, fields: list[str]) -> str:
    what = f"Administration technique : {ACTIONS[action]} ({obj._meta.verbose_name} n° {obj.pk})"
    if fields:
        what += " — " + ", ".join(fields)
    return what if len(what) <= DETAIL_MAX_LENGTH else what[: DETAIL_MAX_LENGTH - 1] + "…"


@transaction.atomic
def admin_change_log(*, actor: Any, obj: Model, action: str, message: Any) -> list[AccountEvent]:
    """Record that ``actor`` (the signed-in operator) made ``action`` (add, change, delete) on ``obj``.

    Side effects: one AccountEvent ADMIN_CHANGE per organisation of the account concerned (any
    membership, active or not), or one without organisation when there is none. A deleted account's
    events name no account (they would go with it).
    """
    account = account_of(obj)
    deleted_account = action == "delete" and isinstance(obj, User)
    organisation_ids: list[int | None] = []
    if account is not None:
        organisation_ids = list(
            Membership.objects.filter(user=account)
            .order_by("organisation_id")
            .values_list("organisation_id", flat=True)
        )
    detail = _detail(obj, action, changed_fields(message))
    return AccountEvent.objects.bulk_create(
        [
            AccountEvent(
                actor=actor if isinstance(actor, User) else None,
                user=None if deleted_account else account,
                organisation_id=organisation_id,
                action=AccountEvent.Action.ADMIN_CHANGE,
                detail=detail,
            )
            for organisation_id in organisation_ids or [None]
        ]
    )
