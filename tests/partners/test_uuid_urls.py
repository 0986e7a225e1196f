"""``{% uuid_url %}`` writes the address ``{% url %}`` writes, reversing each route once."""

import uuid

import pytest
from django.template import engines
from django.urls import get_script_prefix, reverse, set_script_prefix

from partners.templatetags.uuid_urls import uuid_reverse

ROUTES = [
    ("cej:young_person_detail", ("public_id",)),
    ("cej:follow_up_cancel", ("public_id", "follow_up_id")),
    ("cej:consent_form_download", ("public_id", "consent_id")),
    ("cej:pacea_detail", ("public_id", "contract_id")),
    ("e2c_referrals:referral_detail", ("public_id",)),
    ("history:young_person_history", ("public_id",)),
    ("retention:erasure", ("public_id",)),
]


@pytest.mark.parametrize(("viewname", "names"), ROUTES)
def test_a_uuid_url_is_the_reversed_address_for_uuids_and_their_text(viewname, names):
    for _ in range(2):  # the second time from the cached pattern
        kwargs = {name: uuid.uuid4() for name in names}
        expected = reverse(viewname, kwargs=kwargs)

        assert uuid_reverse(viewname, **kwargs) == expected
        assert uuid_reverse(viewname, **{name: str(value) for name, value in kwargs.items()}) == expected


def test_the_tag_writes_the_same_link_as_the_url_tag():
    public_id, follow_up_id = uuid.uuid4(), uuid.uuid4()
    template = engines["django"].from_string(
        "{% load uuid_urls %}{% uuid_url 'cej:follow_up_cancel' public_id=a follow_up_id=b %}|"
        "{% url 'cej:follow_up_cancel' public_id=a follow_up_id=b %}"
    )

    ours, django = template.render({"a": public_id, "b": follow_up_id}).split("|")

    assert ours == django


def test_a_uuid_url_follows_the_script_prefix():
    public_id = uuid.uuid4()
    prefix = get_script_prefix()
    set_script_prefix("/sous-dossier/")
    try:
        assert uuid_reverse("cej:young_person_detail", public_id=public_id) == f"/sous-dossier/jeunes/{public_id}/"
    finally:
        set_script_prefix(prefix)
    assert uuid_reverse("cej:young_person_detail", public_id=public_id) == f"{prefix}jeunes/{public_id}/"


def test_a_uuid_url_refuses_what_is_not_a_uuid():
    with pytest.raises(ValueError):
        uuid_reverse("cej:young_person_detail", public_id="../admin")
