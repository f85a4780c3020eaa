"""Backend loading, in the manner of Django's cache framework: settings.SEARCH names a
backend class and its options; `get_backend()` returns the configured instance and
`get_database_backend()` the always-available database one (the fallback)."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from search.backends.base import BaseSearchBackend

DATABASE_BACKEND = "search.backends.database.DatabaseSearchBackend"


def _load(path: str, options: dict) -> BaseSearchBackend:
    return import_string(path)(options)


@cache
def get_backend() -> BaseSearchBackend:
    config = settings.SEARCH
    return _load(config.get("BACKEND", DATABASE_BACKEND), config)


@cache
def get_database_backend() -> BaseSearchBackend:
    config = settings.SEARCH
    if config.get("BACKEND", DATABASE_BACKEND) == DATABASE_BACKEND:
        return get_backend()
    return _load(DATABASE_BACKEND, {})


def reset_backends() -> None:
    """Forget loaded backends (tests that change settings.SEARCH)."""
    get_backend.cache_clear()
    get_database_backend.cache_clear()
