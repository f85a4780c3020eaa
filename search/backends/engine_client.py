"""The engine client libraries, imported lazily: opensearch-py for OpenSearch 2/3, the
elasticsearch 8 client (with `elasticsearch.dsl`) for Elasticsearch 8. Only the
configured one has to be installed.

Both accept `body=` on the index APIs used here and share the DSL's shape (Search, Q),
so what differs is construction, per-request timeouts and exception classes, gathered
in one `Driver` per library. `is_unavailable` decides which failures mean "the engine
cannot serve this now" (SearchUnavailable) rather than "our request was wrong" (a bug).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Error types that mean "the cluster cannot serve this now", whatever the status code.
UNAVAILABLE_TYPES = frozenset(
    {
        "cluster_block_exception",
        "no_shard_available_action_exception",
        "unavailable_shards_exception",
        "master_not_discovered_exception",
        "cluster_manager_not_discovered_exception",
        "es_rejected_execution_exception",
        "opensearch_rejected_execution_exception",
        "circuit_breaking_exception",
        "process_cluster_event_timeout_exception",
    }
)
# 401/403: missing or wrong credentials are the deployment's problem, not a code bug;
# 408/429: the engine is slow or overloaded. All of them: "not available now".
UNAVAILABLE_STATUSES = frozenset({401, 403, 408, 429})


def is_unavailable(status: int | None, error_type: str) -> bool:
    """True for no answer at all, 5xx, overload, auth and cluster-state failures."""
    if error_type in UNAVAILABLE_TYPES:
        return True
    return status is None or status >= 500 or status in UNAVAILABLE_STATUSES


@dataclass(frozen=True)
class Driver:
    name: str
    make_client: Callable[[str, float, int], Any]  # (url, timeout, max_retries)
    # (client, timeout) -> (client to use, extra keyword arguments for the API call)
    with_timeout: Callable[[Any, float], tuple[Any, dict]]
    helpers: Any  # bulk helpers module (streaming_bulk)
    Search: Any
    Q: Any
    unreachable: tuple[type[Exception], ...]  # no answer: connection, timeout, TLS
    api_error: type[Exception]  # the server answered with an error status
    not_found: type[Exception]

    def status_of(self, exc: Exception) -> int | None:
        status = getattr(exc, "status_code", None)
        return status if isinstance(status, int) else None

    def type_of(self, exc: Exception) -> str:
        """The engine's error type ("index_not_found_exception"), or ""."""
        body = getattr(exc, "body", None)  # elasticsearch 8
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return str(body["error"].get("type", ""))
        info = getattr(exc, "info", None)  # opensearch-py
        if isinstance(info, dict) and isinstance(info.get("error"), dict):
            return str(info["error"].get("type", ""))
        error = getattr(exc, "error", "")
        return error if isinstance(error, str) else ""


def _opensearch() -> Driver:
    try:
        import opensearchpy
        from opensearchpy import helpers
    except ImportError as exc:  # pragma: no cover - a deployment error
        raise ImproperlyConfigured(
            "SEARCH['CLIENT'] is 'opensearch' but opensearch-py is not installed."
        ) from exc

    def make_client(url: str, timeout: float, retries: int):
        return opensearchpy.OpenSearch(
            hosts=[url], timeout=timeout, max_retries=retries, retry_on_timeout=False
        )

    return Driver(
        name="opensearch",
        make_client=make_client,
        with_timeout=lambda client, timeout: (client, {"request_timeout": timeout}),
        helpers=helpers,
        Search=opensearchpy.Search,
        Q=opensearchpy.Q,
        unreachable=(opensearchpy.ConnectionError,),  # ConnectionTimeout, SSLError too
        api_error=opensearchpy.TransportError,
        not_found=opensearchpy.NotFoundError,
    )


def _elasticsearch() -> Driver:
    try:
        import elastic_transport
        import elasticsearch
        from elasticsearch import dsl, helpers
    except ImportError as exc:  # pragma: no cover - a deployment error
        raise ImproperlyConfigured(
            "SEARCH['CLIENT'] is 'elasticsearch' but the elasticsearch 8 client is not "
            "installed (pip install 'goodword[elasticsearch]')."
        ) from exc

    def make_client(url: str, timeout: float, retries: int):
        return elasticsearch.Elasticsearch(
            url, request_timeout=timeout, max_retries=retries, retry_on_timeout=False
        )

    return Driver(
        name="elasticsearch",
        make_client=make_client,
        with_timeout=lambda client, timeout: (client.options(request_timeout=timeout), {}),
        helpers=helpers,
        Search=dsl.Search,
        Q=dsl.Q,
        # Not SerializationError: that one is a bug.
        unreachable=(
            elastic_transport.ConnectionError,  # TLS errors too
            elastic_transport.ConnectionTimeout,
            elasticsearch.UnsupportedProductError,  # the server is not Elasticsearch
        ),
        api_error=elasticsearch.ApiError,
        not_found=elasticsearch.NotFoundError,
    )


DRIVERS = {"opensearch": _opensearch, "elasticsearch": _elasticsearch}


def load_driver(kind: str) -> Driver:
    try:
        factory = DRIVERS[kind]
    except KeyError:
        raise ImproperlyConfigured(
            f"SEARCH['CLIENT'] must be 'opensearch' or 'elasticsearch', not {kind!r}."
        ) from None
    return factory()
