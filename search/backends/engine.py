"""The search-engine backend: OpenSearch 2/3 (opensearch-py) or Elasticsearch 8
(`elasticsearch` with its `elasticsearch.dsl`), chosen by SEARCH["CLIENT"].

Only search/backends/engine*.py touch an engine client, and engine_client.py imports
the configured one lazily, so the project runs with one of them (or neither) installed.
The mapping is in engine_index.py.

Indices: documents live in a versioned index `{prefix}-{yyyymmddhhmmss}` behind the
alias `{prefix}`; every read and write goes through the alias. `rebuild` fills a new
versioned index and then moves the alias in one `update_aliases` call, so searches keep
answering from the old index until the new one is complete. The index (and alias) is
created on the first write when missing.

Errors: an engine that cannot be reached, times out, is overloaded or answers 5xx
raises SearchUnavailable (the services fall back to the database backend and keep
writes queued). A 4xx that means our request was wrong is a bug and propagates, except
a missing index on a read, which is an empty index.

User text only reaches the engine as the text of match / multi_match queries, never
query_string syntax. Snippets come from the engine's highlighter with HTML encoding and
are sanitised again (nh3, <mark> only).
"""

import contextlib
import datetime as dt
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from search.backends import engine_query as query
from search.backends.base import BaseSearchBackend, SearchUnavailable
from search.backends.engine_client import Driver, is_unavailable, load_driver
from search.backends.engine_index import INDEX_MAPPINGS, INDEX_SETTINGS, document_source
from search.documents import IndexDocument
from search.types import SearchRequest, SearchResults, Suggestion

logger = logging.getLogger(__name__)

BULK_CHUNK = 1000
REBUILD_TIMEOUT = 120.0  # seconds per bulk request while rebuilding
VERSION_FORMAT = "%Y%m%d%H%M%S"


class EngineError(Exception):
    """The engine refused our request as malformed: a bug, never hidden as an outage."""


class _IndexMissing(Exception):
    """The alias vanished between our check and a bulk write."""


class EngineSearchBackend(BaseSearchBackend):
    name = "engine"
    uses_queue = True

    def __init__(self, options: dict):
        super().__init__(options)
        self.url = options.get("URL") or "http://127.0.0.1:9200"
        self.client_kind = (options.get("CLIENT") or "opensearch").lower()
        self.alias = options.get("INDEX_PREFIX") or "goodword"
        self.timeout = float(options.get("TIMEOUT") or 5)
        self.max_retries = int(options.get("MAX_RETRIES", 1))
        # Writes become searchable at the engine's next refresh (within 1 s). REFRESH:
        # True refreshes after each write (tests), "wait_for" waits for the next one.
        refresh = options.get("REFRESH", False)
        self.refresh_writes = "true" if refresh is True else (refresh or None)
        self._version_re = re.compile(rf"^{re.escape(self.alias)}-\d{{14}}$")
        self._lock = threading.RLock()
        self._ready = False  # the alias is known to exist
        self._driver_cache: Driver | None = None
        self._client_cache = None

    # --- plumbing ------------------------------------------------------------------
    @property
    def driver(self) -> Driver:
        if self._driver_cache is None:
            self._driver_cache = load_driver(self.client_kind)
        return self._driver_cache

    @property
    def client(self):
        with self._lock:
            if self._client_cache is None:
                self._client_cache = self.driver.make_client(
                    self.url, self.timeout, self.max_retries
                )
            return self._client_cache

    def _call(self, function: Callable[[], Any]) -> Any:
        """Run engine requests, turning "cannot serve now" into SearchUnavailable."""
        driver = self.driver
        try:
            return function()
        except driver.unreachable as exc:
            raise SearchUnavailable(f"search engine at {self.url}: {exc}") from exc
        except driver.api_error as exc:
            if is_unavailable(driver.status_of(exc), driver.type_of(exc)):
                raise SearchUnavailable(f"search engine at {self.url}: {exc}") from exc
            raise

    def _read(self, function: Callable[[], Any], default: Any) -> Any:
        """A read through the alias: a missing index is an empty one."""
        try:
            return self._call(function)
        except self.driver.not_found as exc:
            if self.driver.type_of(exc) == "index_not_found_exception":
                return default
            raise

    # --- indices -------------------------------------------------------------------
    def _create_index(self, *, with_alias: bool, for_bulk: bool = False) -> str:
        """Create a new versioned index, named a second later if the name is taken."""
        settings = dict(INDEX_SETTINGS)
        if for_bulk:
            settings["refresh_interval"] = "-1"
        body: dict = {"settings": settings, "mappings": INDEX_MAPPINGS}
        if with_alias:
            # The write index: a second index racing to claim the alias is refused.
            body["aliases"] = {self.alias: {"is_write_index": True}}
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
        for _attempt in range(60):
            name = f"{self.alias}-{stamp.strftime(VERSION_FORMAT)}"
            try:
                self._call(lambda name=name: self.client.indices.create(index=name, body=body))
                return name
            except self.driver.api_error as exc:
                if self.driver.type_of(exc) != "resource_already_exists_exception":
                    raise
            stamp += dt.timedelta(seconds=1)
        raise EngineError(f"no free index name for {self.alias}")

    def _alias_indices(self) -> list[str]:
        """The indices behind the alias (none when it does not exist)."""
        try:
            return sorted(self._call(lambda: self.client.indices.get_alias(name=self.alias)))
        except self.driver.not_found:
            return []

    def _versioned_indices(self) -> list[str]:
        """Every `{prefix}-{timestamp}` index, orphans of failed rebuilds included."""
        found = self._call(
            lambda: self.client.indices.get(
                index=f"{self.alias}-*", ignore_unavailable=True, allow_no_indices=True
            )
        )
        return sorted(name for name in found if self._version_re.match(name))

    def _index_squats_alias(self) -> bool:
        """A plain index named like the alias (made outside this backend)."""
        exists = self._call(lambda: self.client.indices.exists(index=self.alias))
        return bool(exists) and not self._alias_indices()

    def _delete_indices(self, names: Iterable[str]) -> None:
        names = sorted(set(names))
        if names:
            self._call(
                lambda: self.client.indices.delete(index=",".join(names), ignore_unavailable=True)
            )

    def _alias_exists(self) -> bool:
        return bool(self._call(lambda: self.client.indices.exists_alias(name=self.alias)))

    def _ensure_index(self) -> None:
        """Create the first versioned index behind the alias if there is none."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            if not self._alias_exists():
                try:
                    self._create_index(with_alias=True)
                except (self.driver.api_error, SearchUnavailable):
                    # Another process won the race for the alias (answered as 400 or
                    # as 500 "more than one write index"): fine if the alias now exists.
                    if not self._alias_exists():
                        raise
            self._ready = True

    # --- writes --------------------------------------------------------------------
    def _bulk(
        self,
        actions: Iterable[dict],
        *,
        index: str,
        require_alias: bool,
        timeout: float | None = None,
        refresh: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Send `actions` in chunks; returns how many were sent. Deleting an unknown
        document is fine; any other failed item raises (unavailable, or a bug)."""
        driver = self.driver
        client, extra = driver.with_timeout(self.client, timeout or self.timeout)
        if require_alias:
            extra["require_alias"] = True  # never auto-create an index named like the alias
        if refresh:
            extra["refresh"] = refresh
        done = 0
        failures: list[dict] = []

        def send() -> None:
            nonlocal done
            for ok, item in driver.helpers.streaming_bulk(
                client,
                actions,
                chunk_size=BULK_CHUNK,
                raise_on_error=False,
                raise_on_exception=True,
                max_retries=2,  # items rejected with 429, after 1 s and 2 s
                initial_backoff=1,
                max_backoff=4,
                index=index,
                **extra,
            ):
                done += 1
                if not ok:
                    operation, info = next(iter(item.items()))
                    missing = operation == "delete" and info.get("status") == 404
                    if not (missing and "error" not in info):
                        failures.append(info)
                if progress is not None and done % BULK_CHUNK == 0:
                    progress(done)

        self._call(send)
        if progress is not None and done % BULK_CHUNK:
            progress(done)
        if failures:
            error = failures[0].get("error") or {}
            error_type = error.get("type", "") if isinstance(error, dict) else str(error)
            status = failures[0].get("status")
            message = f"{len(failures)} of {done} bulk actions failed, first: {status} {error}"
            if error_type == "index_not_found_exception":
                raise _IndexMissing(message)
            if is_unavailable(status if isinstance(status, int) else None, error_type):
                raise SearchUnavailable(f"search engine at {self.url}: {message}")
            raise EngineError(message)
        return done

    def _write(self, make_actions: Callable[[], Iterable[dict]]) -> None:
        """A write through the alias; creates the index first if needed, and once more
        if the alias vanished under us."""
        for attempt in (1, 2):
            self._ensure_index()
            try:
                self._bulk(
                    make_actions(),
                    index=self.alias,
                    require_alias=True,
                    refresh=self.refresh_writes,
                )
                return
            except _IndexMissing:
                self._ready = False
                if attempt == 2:
                    raise

    def index_documents(self, documents: list[IndexDocument]) -> None:
        if documents:
            self._write(
                lambda: (
                    {"_op_type": "index", "_id": doc.key, "_source": document_source(doc)}
                    for doc in documents
                )
            )

    def delete_documents(self, keys: list[str]) -> None:
        if keys:
            self._write(lambda: ({"_op_type": "delete", "_id": key} for key in keys))

    def rebuild(
        self,
        documents: Iterable[IndexDocument],
        *,
        total: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Fill a new versioned index, point the alias at it in one atomic alias update,
        then drop the old ones. Searches read the old index until the switch."""
        new = self._create_index(with_alias=False, for_bulk=True)
        try:
            self._bulk(
                (
                    {"_op_type": "index", "_id": doc.key, "_source": document_source(doc)}
                    for doc in documents
                ),
                index=new,
                require_alias=False,
                timeout=max(self.timeout, REBUILD_TIMEOUT),
                progress=progress,
            )
            self._call(
                lambda: self.client.indices.put_settings(
                    index=new, body={"index": {"refresh_interval": None}}
                )
            )
            self._call(lambda: self.client.indices.refresh(index=new))
            with self._lock:
                old = self._alias_indices()
                actions: list[dict] = [
                    {"remove": {"index": name, "alias": self.alias}} for name in old
                ]
                actions.append({"add": {"index": new, "alias": self.alias, "is_write_index": True}})
                if not old and self._index_squats_alias():
                    actions.append({"remove_index": {"index": self.alias}})
                self._call(lambda: self.client.indices.update_aliases(body={"actions": actions}))
                self._ready = True
        except BaseException:
            try:
                self._delete_indices([new])
            except Exception:  # the engine went away: the next rebuild drops it
                logger.warning("could not delete the unfinished search index %s", new)
            raise
        # The old generation and orphans of failed rebuilds; never a newer index (another
        # rebuild still filling its own).
        stale = set(old) | {name for name in self._versioned_indices() if name < new}
        self._delete_indices(stale - {new})

    def clear(self) -> None:
        with self._lock:
            names = set(self._alias_indices()) | set(self._versioned_indices())
            if not names and self._index_squats_alias():
                names.add(self.alias)
            self._delete_indices(names)
            self._ready = False
            self._ensure_index()

    def refresh(self) -> None:
        """Make every write so far searchable now (tests; otherwise within 1 s)."""
        with contextlib.suppress(self.driver.not_found):
            self._call(lambda: self.client.indices.refresh(index=self.alias))

    # --- reads -------------------------------------------------------------------
    def _new_search(self):
        return self.driver.Search(using=self.client, index=self.alias)

    def search(self, request: SearchRequest) -> SearchResults:
        if not query.has_positive(request.query):
            return SearchResults(
                hits=[], total=0, page=request.page, page_size=request.page_size, backend=self.name
            )
        search = query.build_search(self._new_search(), self.driver.Q, request)
        answer = self._read(lambda: search.execute().to_dict(), None)
        if answer is None:  # no index yet
            answer = {"hits": {"hits": [], "total": {"value": 0}}}
        return query.results(answer, request, self.name)

    def autocomplete(
        self, prefix: str, *, visibility: tuple[str, ...], types: tuple[str, ...], limit: int
    ) -> list[Suggestion]:
        prefix = " ".join((prefix or "").split())
        if limit <= 0 or not query.searchable([prefix]):
            return []
        search = query.build_autocomplete(
            self._new_search(), self.driver.Q, prefix, visibility, types, limit
        )
        answer = self._read(lambda: search.execute().to_dict(), None)
        return query.suggestions(answer) if answer else []

    def count(self) -> int:
        return int(self._read(lambda: self.client.count(index=self.alias)["count"], 0))
