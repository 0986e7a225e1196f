"""The cache backend reuses one redis-py client per pool, against the real Redis of the tests."""

from django.core.cache import cache, caches

from common.redis_cache import RedisCache, SharedClientRedisCacheClient


def test_the_cache_is_djangos_redis_backend_with_one_client_per_pool():
    backend = caches["default"]
    assert isinstance(backend, RedisCache)
    client = backend._cache
    assert isinstance(client, SharedClientRedisCacheClient)
    first = client.get_client(write=True)
    assert client.get_client(write=True) is first and client.get_client() is first


def test_operations_through_the_shared_client_reach_redis():
    cache.set("redis-cache-test", {"prénom": "Zoé"}, timeout=30)
    cache.set_many({"redis-cache-a": 1, "redis-cache-b": "Œ"}, timeout=30)
    assert cache.get("redis-cache-test") == {"prénom": "Zoé"}
    assert cache.get_many(["redis-cache-a", "redis-cache-b", "absent"]) == {"redis-cache-a": 1, "redis-cache-b": "Œ"}
    assert cache.add("redis-cache-a", 2) is False and cache.incr("redis-cache-a") == 2
    cache.delete_many(["redis-cache-test", "redis-cache-a", "redis-cache-b"])
    assert cache.get("redis-cache-test") is None
