from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingIndexUpdate(models.Model):
    """An index update not yet confirmed by a remote engine.

    Written in the same transaction as the change it follows, so a committed change is
    never forgotten; deleted once the engine has applied it. While the engine is down
    the rows wait and are replayed (`manage.py process_search_queue`, or the next
    successful write)."""

    key = models.CharField(max_length=80, unique=True)  # "review:12"
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pending search index update")
        verbose_name_plural = _("pending search index updates")

    def __str__(self):
        return self.key


class SearchEntry(models.Model):
    """One document in the database backend's index (search/backends/database.py).

    The raw text columns are for display and snippets. The full-text structures live
    beside this table and are vendor-specific (search/migrations/_fulltext.py): on
    SQLite an FTS5 external-content table kept in sync by triggers, on PostgreSQL a
    generated, weighted tsvector column with a GIN index. Both read `fts_*` when set:
    the text with Chinese runs split into bigrams, stored only when it differs from the
    raw. A migration altering this model must wrap its operations in DropFullText() /
    CreateFullText() from that module."""

    key = models.CharField(max_length=80, unique=True)  # "review:12"
    doc_type = models.CharField(max_length=30)
    doc_id = models.BigIntegerField()
    title = models.TextField()
    context = models.TextField(blank=True)
    body = models.TextField(blank=True)
    fts_title = models.TextField(null=True)
    fts_context = models.TextField(null=True)
    fts_body = models.TextField(null=True)
    url = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, default="en")
    created = models.DateTimeField(null=True)
    # Visible to everyone; other keys (members, clubs) are rows of SearchEntryVisibility.
    public = models.BooleanField(default=True)
    brand = models.CharField(max_length=100, blank=True)  # slug
    brand_name = models.CharField(max_length=200, blank=True)
    product_id = models.BigIntegerField(null=True)
    rating = models.PositiveSmallIntegerField(null=True)
    verified = models.BooleanField(default=False)
    has_photos = models.BooleanField(default=False)
    helpful_count = models.IntegerField(default=0)
    # Lower-cased, with a leading space, so that `LIKE '% prefix%'` finds word starts.
    suggest = models.CharField(max_length=400, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["doc_type", "doc_id"], name="search_entry_type_id"),
            models.Index(fields=["brand", "rating"], name="search_entry_brand_rating"),
            models.Index(fields=["rating"], name="search_entry_rating"),
            models.Index(fields=["-created"], name="search_entry_created"),
            models.Index(fields=["-helpful_count"], name="search_entry_helpful"),
            models.Index(fields=["product_id"], name="search_entry_product"),
        ]
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")

    def __str__(self):
        return self.key


class SearchEntryVisibility(models.Model):
    """A non-public key ("member:5", "club:3") that may see a SearchEntry."""

    # DO_NOTHING: the backend deletes these first, so entries can be deleted in bulk.
    entry = models.ForeignKey(SearchEntry, on_delete=models.DO_NOTHING, related_name="audience")
    key = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "entry"], name="search_visibility_unique")
        ]
        verbose_name = _("search index visibility")
        verbose_name_plural = _("search index visibilities")

    def __str__(self):
        return f"{self.entry_id} {self.key}"


class SearchRebuild(models.Model):
    """A rebuild of the engine's index in progress (or done).

    While one runs, updates are sent to the old index behind the alias and would be lost
    at the switch; so queue rows are kept until the rebuild has finished and replayed
    then. A rebuild that died counts as running for REBUILD_STALE_AFTER only."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"rebuild {self.started_at:%Y-%m-%d %H:%M}"
