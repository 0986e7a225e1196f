"""What the domains register into the outbox, which names none of them; and the message's states."""

from __future__ import annotations

import pytest

from outbox import registry
from outbox.models import Message
from outbox.workflow import MESSAGE
from states.tables import InvalidMove


def test_the_domains_register_what_their_messages_name():
    assert {key: (loader.model, loader.field) for key, loader in registry.LOADERS.items()} == {
        "referral": ("e2c_referrals.Referral", "public_id"),
        "other_referral": ("e2c_referrals.Referral", "public_id"),
        "hand_back": ("e2c_referrals.HandBack", "public_id"),
        "follow_up": ("cej.FollowUp", "pk"),
        "cej_contract": ("cej.CejContract", "pk"),
        "pacea_contract": ("cej.PaceaContract", "pk"),
        "agreement": ("partners.Agreement", "public_id"),
        "session": ("e2c_referrals.InformationSession", "public_id"),
        "retention_file": ("cej.YoungPerson", "public_id"),
    }
    links = list(registry.LINKS)
    # A hand-back's messages name its referral too: the hand-back's page is the one opened.
    assert links.index("hand_back") < links.index("referral")
    assert set(registry.VARIABLES) == {"status_label", "listed", "young_person_short"}
    assert registry.VARIABLES["status_label"].light  # read by the bell's subject lines: no query
    assert "e2c_referrals.purges.messages_still_due" in registry.PURGE_GUARDS
    for path in [*registry.SENDERS, *registry.PURGE_GUARDS, *registry.DELIVERY_CONTEXT.values()]:
        assert callable(registry.function(path)), path
    for variable in registry.VARIABLES.values():
        assert callable(registry.function(variable.function)), variable.function


def test_a_key_registered_twice_differently_is_refused():
    registry.register_loader("agreement", model="partners.Agreement")  # the same again: fine
    with pytest.raises(ValueError, match="agreement"):
        registry.register_loader("agreement", model="partners.Organisation")
    with pytest.raises(ValueError, match="referral"):
        registry.register_link("referral", "e2c_referrals:referral_list")
    with pytest.raises(ValueError, match="access"):
        registry.register_access(actor_for="tests.nobody", monitor="nothing")


def test_a_message_moves_only_as_its_table_says():
    assert MESSAGE.model == "outbox.Message" and MESSAGE.writers == ("outbox.services",)
    assert MESSAGE.check(Message.Status.FAILED, Message.Status.PENDING)  # an administrator's retry
    for origin, to in [("sent", "pending"), ("sent", "failed"), ("failed", "sent")]:
        with pytest.raises(InvalidMove):
            MESSAGE.check(origin, to)
