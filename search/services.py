"""The only module callers use: search, autocomplete, rebuild, queue replay.

Visibility is decided here from the user and passed to the backend with every query, so
no backend can forget it. When the configured engine is down, searches are answered by
the database backend and marked `degraded` so that pages can say so."""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from search import indexing
from search.backends import get_backend, get_database_backend
from search.backends.base import SearchUnavailable
from search.documents import PUBLIC, visibility_club, visibility_member
from search.models import PendingIndexUpdate, SearchRebuild
from search.query import parse_query
from search.types import MAX_PAGE, PAGE_SIZE, SORTS, SearchFilters, SearchRequest, SearchResults

logger = logging.getLogger(__name__)
AUTOCOMPLETE_LIMIT = 8
AUTOCOMPLETE_TYPES = ("product", "brand")


def visibility_for(user) -> tuple[str, ...]:
    """Every key whose documents `user` may see: public, their own, and "club:<id>" for
    each club where they are an active member or staff of its brand (one query, read
    per search, so a removed member loses access at once)."""
    keys = [PUBLIC]
    if user is not None and user.is_authenticated:
        keys.append(visibility_member(user.pk))
        if user.is_active:
            keys.extend(visibility_club(club_id) for club_id in _insider_club_ids(user))
    return tuple(keys)


def _insider_club_ids(user) -> list[int]:
    from brand_clubs.models import Club, ClubMembership

    return list(
        Club.objects.filter(
            Q(memberships__member=user, memberships__status=ClubMembership.Status.ACTIVE)
            | Q(brand__staff_links__member=user)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _clamp_page(page) -> int:
    try:
        page = int(page)
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), MAX_PAGE)


def search(
    query: str,
    *,
    user,
    filters: SearchFilters | None = None,
    page=1,
    sort: str = "relevance",
    page_size: int = PAGE_SIZE,
) -> SearchResults:
    parsed = parse_query(query)
    request = SearchRequest(
        query=parsed,
        visibility=visibility_for(user),
        filters=filters or SearchFilters(),
        sort=sort if sort in SORTS else "relevance",
        page=_clamp_page(page),
        page_size=page_size,
    )
    if parsed.is_empty:
        return SearchResults(hits=[], total=0, page=1, page_size=page_size, backend="none")
    backend = get_backend()
    try:
        results = backend.search(request)
    except SearchUnavailable:
        logger.warning("search engine unavailable; answering from the database")
        results = get_database_backend().search(request)
        results.degraded = True
    return results


def autocomplete(prefix: str, *, user, limit: int = AUTOCOMPLETE_LIMIT) -> list:
    prefix = (prefix or "").strip()[:60]
    if len(prefix) < 2 and not any("\u3400" <= ch <= "\u9fff" for ch in prefix):
        return []
    visibility = visibility_for(user)
    try:
        return get_backend().autocomplete(
            prefix, visibility=visibility, types=AUTOCOMPLETE_TYPES, limit=limit
        )
    except SearchUnavailable:
        return get_database_backend().autocomplete(
            prefix, visibility=visibility, types=AUTOCOMPLETE_TYPES, limit=limit
        )


def index_rebuild(*, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the database index, then the engine's (a new index behind its alias),
    and clear the queue the rebuild made redundant. Returns the document count."""
    total = indexing.count_candidates()
    database = get_database_backend()
    with transaction.atomic():
        database.rebuild(indexing.all_documents(), total=total, progress=progress)
    database.optimize()
    backend = get_backend()
    if backend is not database:
        # Updates queued before now are covered by the rebuild; those made while it
        # runs reach only the old index, so they stay queued and are replayed after
        # the switch (indexing.queue_process keeps rows while a rebuild runs).
        rebuild = SearchRebuild.objects.create()
        PendingIndexUpdate.objects.filter(updated_at__lte=rebuild.started_at).delete()
        try:
            backend.rebuild(indexing.all_documents(), total=total, progress=progress)
        finally:
            rebuild.finished_at = timezone.now()
            rebuild.save(update_fields=["finished_at"])
        indexing.queue_process()
    return backend.count()


def index_queue_process() -> tuple[int, int]:
    """Replay updates the engine missed; returns (applied, still pending)."""
    return indexing.queue_process()
