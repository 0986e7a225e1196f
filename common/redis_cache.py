"""Django's Redis cache backend, with one redis-py client per connection pool (issue 21).

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation, and
each one fills its table of some 300 response callbacks: a signed-in page, which reads its memberships
and unread count from the cache, paid for that on every request. A ``redis.Redis`` is safe to share
between threads (each command takes a connection from the pool), and the pool itself reconnects after
a fork, so one client per pool and process does the same work. Everything else is Django's backend.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # django-stubs leaves out the private members used here
        pool = django_client._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = django_client._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
