"""Rate limits on costly work, counted in Redis so that every web replica shares them.

- ``throttle.limits``: the limits, in one place, with the reason for each number (docs/security.md).
- ``throttle.guard``: count a request against a limit (django-ratelimit on Django's Redis cache) and,
  over it, the French « Trop de demandes » page with HTTP 429 and ``Retry-After``.
"""
