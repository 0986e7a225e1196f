"""The versioned cache (common.versioned_cache): a value read before a writer's bump is never served."""

import pytest
from django.core.cache import cache

from common import versioned_cache

VERSIONS = (versioned_cache.GLOBAL, versioned_cache.user_version(7))


def test_a_value_read_while_a_writer_bumps_its_version_is_not_served_afterwards():
    reads: list[str] = []

    def read() -> str:
        # The reader's database read, during which a writer commits and bumps: the reader saw the old state.
        reads.append("read")
        if len(reads) == 1:
            versioned_cache.bump_users([7])
            return "before"
        return "after"

    assert versioned_cache.cached("test:value:7", versions=VERSIONS, compute=read) == "before"
    assert versioned_cache.cached("test:value:7", versions=VERSIONS, compute=read) == "after"
    assert versioned_cache.cached("test:value:7", versions=VERSIONS, compute=read) == "after"
    assert len(reads) == 2  # the third read came from the cache


def test_a_missing_version_is_created_without_overwriting_a_writers_newer_one():
    cache.set(versioned_cache.GLOBAL, "writer", timeout=None)
    assert versioned_cache.cached("test:value:8", versions=VERSIONS, compute=lambda: 1) == 1
    assert cache.get(versioned_cache.GLOBAL) == "writer"
    assert cache.get(VERSIONS[1]) is not None


def test_a_global_bump_reads_every_value_again():
    values = iter([1, 2])
    assert versioned_cache.cached("test:value:9", versions=VERSIONS, compute=lambda: next(values)) == 1
    versioned_cache.bump(versioned_cache.GLOBAL)
    assert versioned_cache.cached("test:value:9", versions=VERSIONS, compute=lambda: next(values)) == 2


@pytest.mark.django_db
def test_a_bump_inside_a_transaction_is_made_again_after_its_commit(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        versioned_cache.bump_users([7])
        during = cache.get(VERSIONS[1])
        versioned_cache.bump_users([7])  # one second bump per transaction, however many writes
    assert len(callbacks) == 1
    assert cache.get(VERSIONS[1]) not in (None, during)
