"""Small per-user values kept in the cache between requests, dropped by a version bump (issue 21).

Every signed-in page needs the same few reads: the person's memberships (``partners.access``) and their
unread notifications (``outbox``). Each is stored in the cache (Redis) under a key that names the user, with
the *version tokens* it was read under; a service that changes what the value reflects replaces those tokens
(``bump``) at once and again after its transaction commits. A reader compares the tokens it finds now with
the ones stored beside the value, in the same round trip (one ``MGET``), and reads the database on any
difference:

- a reader that read the tokens before a writer's commit stores its (older) value under tokens the writer's
  commit replaces: that value is never served;
- a missing token (evicted, first use) is created with ``add`` (set if absent), so it never overwrites a
  writer's newer token;
- a cache that fails (Redis down, a timeout) is a cache miss: the value is read from the database, as
  without a cache, and the page is served.

``GLOBAL`` is bumped by changes that touch many people at once (an organisation's or a membership's row, a
purge); ``user_version(pk)`` by changes to one person's values (a notification written, read).

What is left: a value read *inside* a transaction that has bumped its tokens and then rolls back is stored
under the new tokens while the database keeps the old state; ``VALUE_TIMEOUT`` bounds that case (a page
that fails after it re-read the person's own unread count).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

GLOBAL = "vc:all"
VALUE_TIMEOUT = 10 * 60  # seconds: a stored value's life (see the module docstring's last paragraph)
VERSION_TIMEOUT = 24 * 60 * 60  # an evicted or expired token only costs each reader one miss


def user_version(user_id: int) -> str:
    return f"vc:user:{user_id}"


def _token() -> str:
    return secrets.token_hex(8)


def _set_tokens(keys: tuple[str, ...]) -> None:
    try:
        cache.set_many({key: _token() for key in keys}, timeout=VERSION_TIMEOUT)
    except Exception as error:  # redis-py and socket errors alike: the values expire by themselves
        logger.warning("versioned cache: tokens not replaced (%s)", type(error).__name__)


class _AfterCommit:
    """The second bump, once the transaction commits (one per set of keys and transaction)."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys

    def __call__(self) -> None:
        _set_tokens(self.keys)


def bump(*keys: str) -> None:
    """The values read under these version keys are stale: now, and again once the transaction commits."""
    _set_tokens(keys)
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        isinstance(callback, _AfterCommit) and callback.keys == keys for _, callback, _ in connection.run_on_commit
    ):
        transaction.on_commit(_AfterCommit(keys))


def bump_users(user_ids: Iterable[int]) -> None:
    keys = tuple(user_version(pk) for pk in dict.fromkeys(user_ids))
    if keys:
        bump(*keys)


def cached(key: str, *, versions: tuple[str, ...], compute: Callable[[], T]) -> T:
    """The value stored under ``key`` if its version tokens are still current, else ``compute()`` (stored)."""
    try:
        found = cache.get_many([*versions, key])
        tokens = [found.get(version) for version in versions]
        if None in tokens:
            for version, token in zip(versions, tokens, strict=True):
                if token is None:
                    cache.add(version, _token(), timeout=VERSION_TIMEOUT)
            again = cache.get_many(list(versions))
            tokens = [again.get(version) for version in versions]
        else:
            entry = found.get(key)
            if entry is not None and entry[0] == tokens:
                return entry[1]  # type: ignore[no-any-return]
    except Exception as error:
        logger.warning("versioned cache: read failed (%s), reading the database", type(error).__name__)
        return compute()
    value = compute()
    if None not in tokens:
        try:
            cache.set(key, (tokens, value), timeout=VALUE_TIMEOUT)
        except Exception as error:
            logger.warning("versioned cache: value not stored (%s)", type(error).__name__)
    return value


def forget(key: str) -> None:
    """Drop a stored value (a session that ends): tidiness only, its tokens already protect it."""
    try:
        cache.delete(key)
    except Exception as error:
        logger.warning("versioned cache: value not dropped (%s)", type(error).__name__)
