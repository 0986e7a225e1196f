"""The lists and searches whose rows the access log records (``audit.services.log_listing``): their
``object_type`` key → the French name the administrators read. Each app registers its own from its
``AppConfig.ready()``, so that this shared app names none of their pages."""

from __future__ import annotations

LISTINGS: dict[str, str] = {}


def register_listing(key: str, label: str) -> None:
    known = LISTINGS.get(key)
    if known is not None and known != label:
        raise ValueError(f"The listing {key!r} is already registered as {known!r}.")
    LISTINGS[key] = label
