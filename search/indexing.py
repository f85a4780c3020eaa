"""Keeping the index current.

The database backend is written inside the transaction of the change itself (it is the
same database), so it is always exact and is the fallback when the engine is down. A
remote engine is told after commit; each change first leaves a PendingIndexUpdate row
in the same transaction, removed only once the engine confirmed it."""

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from search import registry
from search.backends import get_backend, get_database_backend
from search.backends.base import SearchUnavailable
from search.documents import IndexDocument
from search.models import PendingIndexUpdate, SearchRebuild

logger = logging.getLogger(__name__)
BATCH_SIZE = 500
REBUILD_STALE_AFTER = dt.timedelta(hours=3)


def rebuild_running() -> bool:
    since = timezone.now() - REBUILD_STALE_AFTER
    return SearchRebuild.objects.filter(finished_at__isnull=True, started_at__gte=since).exists()


def split_key(key: str) -> tuple[str, int]:
    doc_type, _sep, doc_id = key.partition(":")
    return doc_type, int(doc_id)


def documents_for_keys(keys: Iterable[str]) -> tuple[list[IndexDocument], list[str]]:
    """Current documents for `keys`, and the keys that should leave the index."""
    by_type: dict[str, set[int]] = {}
    for key in keys:
        doc_type, doc_id = split_key(key)
        by_type.setdefault(doc_type, set()).add(doc_id)
    documents, gone = [], []
    for type_name, ids in by_type.items():
        document_type = registry.document_type(type_name)
        if document_type is None:
            gone.extend(f"{type_name}:{doc_id}" for doc_id in ids)
            continue
        found = {obj.pk: obj for obj in document_type.get_queryset().filter(pk__in=ids)}
        for doc_id in ids:
            obj = found.get(doc_id)
            if obj is not None and document_type.is_indexable(obj):
                documents.append(document_type.to_document(obj))
            else:
                gone.append(f"{type_name}:{doc_id}")
    return documents, gone


def _apply(backend, keys: list[str]) -> None:
    documents, gone = documents_for_keys(keys)
    if documents:
        backend.index_documents(documents)
    if gone:
        backend.delete_documents(gone)


def keys_changed(keys: Iterable[str]) -> None:
    """Called (from signal receivers) when the objects behind `keys` changed."""
    keys = sorted(set(keys))
    if not keys:
        return
    database = get_database_backend()
    for start in range(0, len(keys), BATCH_SIZE):
        _apply(database, keys[start : start + BATCH_SIZE])
    backend = get_backend()
    if not backend.uses_queue:
        return
    for key in keys:
        row, created = PendingIndexUpdate.objects.get_or_create(key=key)
        if not created:  # a newer change: the replay must send this key again
            row.save(update_fields=["updated_at"])
    transaction.on_commit(lambda: _after_commit(keys))


def _after_commit(keys: list[str]) -> None:
    """Send this commit's updates; if older ones still wait (the engine was down and
    is back), send a bounded batch of those too, so an outage heals without waiting
    for process_search_queue."""
    applied, pending = queue_process(keys=keys)
    if applied and pending:
        queue_process(limit=BATCH_SIZE)


def queue_process(*, keys: list[str] | None = None, limit: int = 10_000) -> tuple[int, int]:
    """Send pending updates to the engine; returns (applied, still pending).

    Runs after each commit for that commit's keys, and from process_search_queue for
    everything left over while the engine was down."""
    backend = get_backend()
    if not backend.uses_queue:
        return 0, 0
    pending = PendingIndexUpdate.objects.all()
    if keys is not None:
        pending = pending.filter(key__in=keys)
    rows = list(pending.order_by("created_at", "pk")[:limit])
    keep_rows = rebuild_running()  # replayed into the new index once it is in place
    applied = 0
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        try:
            _apply(backend, [row.key for row in batch])
        except SearchUnavailable as exc:
            # updated_at is left alone: it marks changes, not attempts.
            PendingIndexUpdate.objects.filter(pk__in=[row.pk for row in batch]).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:2000]
            )
            logger.warning("search engine unavailable; %d updates stay queued", len(batch))
            break
        # Only remove rows not touched again since we read them: a newer change to
        # the same key must be sent once more.
        if keep_rows:
            applied += len(batch)
            continue
        for row in batch:
            PendingIndexUpdate.objects.filter(pk=row.pk, updated_at=row.updated_at).delete()
        applied += len(batch)
    return applied, PendingIndexUpdate.objects.count()


def all_documents() -> Iterable[IndexDocument]:
    for document_type in registry.document_types().values():
        queryset = document_type.get_queryset().order_by("pk")
        for obj in queryset.iterator(chunk_size=2000):
            if document_type.is_indexable(obj):
                yield document_type.to_document(obj)


def count_candidates() -> int:
    return sum(t.get_queryset().count() for t in registry.document_types().values())
