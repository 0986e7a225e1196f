"""The right-of-access registry: sections registered by the apps, assembled in order for one person."""

import uuid

import pytest

from partners.models import Region
from privacy.records import Record, record
from privacy.registry import Registry, Subject, section_kinds

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


def region_section(subject: Subject) -> list[Record]:
    """A loader named by its dotted path, as the apps register theirs."""
    CALLS.append("region")
    region = subject.once("region", lambda: Region.objects.get(pk=subject.person.pk))
    return [record(region.name, region, ["code", ("name", "Nom")], logged_as=subject.public_id)]


def test_sections_are_assembled_in_their_order_and_each_loader_is_imported_only_when_used():
    # Given: two sections registered out of order, the first by a dotted path
    registry = Registry()
    CALLS.clear()
    from privacy.registry import SectionKind

    registry.register(SectionKind("region", "Région", 20, "tests.privacy.test_registry.region_section"))
    registry.register(SectionKind("intro", "Présentation", 10, lambda subject: []))
    assert CALLS == []

    # When
    region = Region.objects.get(code="84")
    public_id = uuid.uuid4()
    sections = registry.assemble(region, public_id=public_id)

    # Then: in order, each with its title and its records as labelled values
    assert [(s.key, s.title) for s in sections] == [("intro", "Présentation"), ("region", "Région")]
    (item,) = sections[1].records
    assert item.as_json() == {"code": "84", "name": region.name}
    assert [(v.label, v.display) for v in item.values] == [("Code INSEE", "84"), ("Nom", region.name)]
    assert item.logged_as == public_id
    assert CALLS == ["region"]


def test_a_later_section_reads_what_the_earlier_ones_exported_and_a_shared_fetch_runs_once():
    registry = Registry()
    fetched: list[int] = []
    seen: list[list[uuid.UUID]] = []
    first, second = uuid.uuid4(), uuid.uuid4()

    def fetch() -> list[int]:
        fetched.append(1)
        return [1, 2]

    def one(subject):
        subject.once("shared", fetch)
        return [Record("Un", [], logged_as=first), Record("Sans identifiant", [])]

    def two(subject):
        subject.once("shared", fetch)
        return [Record("Deux", [], logged_as=second)]

    def log(subject):
        seen.append(subject.logged_ids())
        return []

    from privacy.registry import SectionKind

    registry.register(SectionKind("log", "Journal", 1000, log))
    registry.register(SectionKind("two", "Deux", 20, two))
    registry.register(SectionKind("one", "Un", 10, one))

    registry.assemble(Region.objects.first(), public_id=uuid.uuid4())

    assert fetched == [1]
    assert seen == [[first, second]]


def test_a_key_or_a_place_is_registered_once():
    from privacy.registry import SectionKind

    registry = Registry()
    kind = SectionKind("consents", "Accords", 30, "cej.privacy.consents")
    registry.register(kind)
    registry.register(kind)  # AppConfig.ready() may run twice: the same registration is accepted
    with pytest.raises(ValueError, match="already registered differently"):
        registry.register(SectionKind("consents", "Autre titre", 30, "cej.privacy.consents"))
    with pytest.raises(ValueError, match="order 30 is already 'consents'"):
        registry.register(SectionKind("other", "Autre", 30, "cej.privacy.consents"))


def test_the_apps_register_every_section_of_the_export_in_its_place():
    kinds = section_kinds()
    assert [kind.key for kind in kinds] == [
        "file",
        "file_events",
        "consents",
        "cej_contracts",
        "cej_events",
        "pacea_contracts",
        "follow_ups",
        "referrals",
        "referral_transitions",
        "session_registrations",
        "hand_backs",
        "post_exit_news",
        "attachments",
        "restrictions",
        "access_log",
    ]
    # each app contributes what it holds, by a dotted path into its own privacy module
    owners = {kind.key: str(kind.loader).split(".", 1)[0] for kind in kinds}
    assert owners["consents"] == owners["restrictions"] == "cej"
    assert owners["referrals"] == owners["attachments"] == "e2c_referrals"
    assert owners["access_log"] == "audit"
    for kind in kinds:
        assert kind.loader == f"{owners[kind.key]}.privacy.{kind.key}"
