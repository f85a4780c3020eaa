"""The one interface every search backend implements.

Backends receive IndexDocuments and SearchRequests (search/documents.py, search/types.py)
and never import models or read request objects; services.py does that. A backend that
cannot reach its server raises SearchUnavailable, and the service falls back."""

from collections.abc import Callable, Iterable

from search.documents import IndexDocument
from search.types import SearchRequest, SearchResults, Suggestion


class SearchUnavailable(Exception):
    """The backend's server cannot be reached or answered with an error."""


class BaseSearchBackend:
    name = "base"
    #: True when index updates must be queued and replayed (a remote engine); the
    #: database backend writes inside the caller's transaction instead.
    uses_queue = False

    def __init__(self, options: dict):
        self.options = options

    # --- writes --------------------------------------------------------------------
    def index_documents(self, documents: list[IndexDocument]) -> None:
        """Add or replace these documents (by key)."""
        raise NotImplementedError

    def delete_documents(self, keys: list[str]) -> None:
        """Remove documents by key ("review:12"); unknown keys are ignored."""
        raise NotImplementedError

    def rebuild(
        self,
        documents: Iterable[IndexDocument],
        *,
        total: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Build a complete new index from `documents` and switch to it at once, so
        that searches never see a half-built index."""
        raise NotImplementedError

    def optimize(self) -> None:
        """Housekeeping after a rebuild (statistics, vacuum); nothing by default."""

    def clear(self) -> None:
        """Drop everything (tests, and rebuild on the database backend)."""
        raise NotImplementedError

    # --- reads ---------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResults:
        raise NotImplementedError

    def autocomplete(
        self, prefix: str, *, visibility: tuple[str, ...], types: tuple[str, ...], limit: int
    ) -> list[Suggestion]:
        """Products and brands whose names start with (a word starting with) prefix."""
        raise NotImplementedError

    def count(self) -> int:
        """Number of documents in the index (health checks, tests)."""
        raise NotImplementedError
