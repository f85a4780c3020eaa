"""Search fixtures: `search_backend` runs a test once per configured backend, each time
with that backend configured in settings.SEARCH and an empty index. The database backend
always; the engine when SEARCH_URL is set (its test indices are dropped at session end)."""

import contextlib
import os
import urllib.request

import pytest

from search.backends import DATABASE_BACKEND, get_backend, reset_backends

ENGINE_INDEX_PREFIX = f"goodword-test-{os.getpid()}"

BACKENDS = {"database": {"BACKEND": DATABASE_BACKEND}}
if os.environ.get("SEARCH_URL"):
    BACKENDS["engine"] = {
        "BACKEND": "search.backends.engine.EngineSearchBackend",
        "URL": os.environ["SEARCH_URL"],
        "CLIENT": os.environ.get("SEARCH_CLIENT", "opensearch"),
        "INDEX_PREFIX": ENGINE_INDEX_PREFIX,
        "TIMEOUT": 5,
    }


def _use(settings, config):
    settings.SEARCH = config  # setting_changed resets the search app's cached backends
    reset_backends()
    return get_backend()


@pytest.fixture(params=list(BACKENDS))
def search_backend(request, db, settings):
    backend = _use(settings, BACKENDS[request.param])
    backend.clear()
    yield backend
    backend.clear()
    reset_backends()


@pytest.fixture
def database_search(db, settings):
    """The database backend, whatever the environment configures."""
    backend = _use(settings, BACKENDS["database"])
    yield backend
    reset_backends()


@pytest.fixture(scope="session", autouse=True)
def _drop_engine_test_indices():
    yield
    if "engine" in BACKENDS:
        url = f"{BACKENDS['engine']['URL'].rstrip('/')}/{ENGINE_INDEX_PREFIX}*"
        request = urllib.request.Request(f"{url}?expand_wildcards=all", method="DELETE")
        with contextlib.suppress(OSError):  # the server went away: nothing to clean
            urllib.request.urlopen(request, timeout=10).close()
