"""The rate-limit counters' cache: the project's Redis, on a database of its own, never the broker's."""

from __future__ import annotations

import os

from django.conf import settings

from config.settings.base import redis_cache_url, redis_database


def test_the_cache_is_the_brokers_redis_on_another_database_number():
    # docker-compose.yml's URL, a TLS one with options, and the embedded server's socket (kombu's form)
    assert redis_cache_url("redis://:secret@redis:6379/0", database=1) == "redis://:secret@redis:6379/1"
    assert redis_cache_url("rediss://:p@h:6380/3?ssl_cert_reqs=none", database=4) == (
        "rediss://:p@h:6380/4?ssl_cert_reqs=none"
    )
    assert redis_cache_url("redis+socket:///srv/.data/redis/redis.sock", database=1) == (
        "unix:///srv/.data/redis/redis.sock?db=1"
    )
    urls = ("redis://r:6379/1", "redis://r:6379", "redis+socket:///x.sock")
    assert [redis_database(url) for url in urls] == [1, 0, 0]


def test_each_test_process_counts_in_its_own_database_never_the_brokers():
    assert settings.CACHES["default"]["BACKEND"] == "common.redis_cache.RedisCache"
    broker = redis_database(settings.REDIS_URL)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    assert settings.CACHE_REDIS_DATABASE == (broker + 2 + worker) % 16 != broker
    location = settings.CACHES["default"]["LOCATION"]
    assert location.endswith((f"?db={settings.CACHE_REDIS_DATABASE}", f"/{settings.CACHE_REDIS_DATABASE}"))
