"""The database backend: full-text search in the site's own database, always available.

SQLite uses an FTS5 table (bm25 ranking), PostgreSQL a weighted tsvector column with a
GIN index (ts_rank ranking); both are created by search/migrations/_fulltext.py and
kept current by the database itself. Title ranks over context (product and brand
names), context over body, 3 : 2 : 1. Chinese runs are stored and searched as
overlapping bigrams (search.query.cjk_bigrams), so "抓地" matches inside "湿地抓地力很好";
English words are stemmed (porter / 'english'), so "running" finds "run".

Every query starts from the full-text index (FTS5 MATCH / GIN) and only then joins the
entries for filters, visibility and sorting, so a query matching nothing reads nothing.
A search is at most three statements: one groups the matches by (brand, rating) under
every filter except brand and rating, which gives the total and both facets (and ends a
search with no match); one ranks and sorts ids for the page; one reads those rows.
Facet counts follow the usual convention: each reflects the other filters but not its
own, so picking a brand still shows the other brands' counts.

A single Chinese character is found where it starts a bigram or stands alone (a prefix
query), not at the end of a run: "滑" finds "滑雪" but not "很滑".

User text only ever reaches SQL as bound parameters. FTS5's MATCH has a syntax of its
own: every token is sent as a quoted string with quotes doubled, so no operator, column
filter or NEAR() can be formed. On PostgreSQL each term is its own phraseto_tsquery()
call on a parameter, combined with && and !! in SQL."""

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet, ImproperlyConfigured
from django.db import connections, router
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from search.backends.base import BaseSearchBackend
from search.documents import PUBLIC, IndexDocument
from search.highlight import highlight
from search.models import SearchEntry, SearchEntryVisibility
from search.query import CJK_RUN_RE, ParsedQuery, cjk_bigrams, has_cjk
from search.types import FacetValue, SearchHit, SearchRequest, SearchResults, Suggestion

BATCH_SIZE = 500
TOP_BRANDS = 10
TABLE = SearchEntry._meta.db_table
# What a hit needs; the fts_* copies and suggest stay on disk.
HIT_FIELDS = (
    "doc_type", "doc_id", "title", "url", "body", "context", "brand_name", "rating",
    "verified", "has_photos", "helpful_count", "created", "language",
)  # fmt: skip
UPDATE_FIELDS = [
    field.name
    for field in SearchEntry._meta.concrete_fields
    if not field.primary_key and field.name != "key"
]


# --- documents to rows --------------------------------------------------------------


def _clean(text: str | None, limit: int | None = None) -> str:
    text = (text or "").replace("\x00", "")  # PostgreSQL text cannot hold NUL
    return text[:limit] if limit else text


def _cjk_index_tokens(match) -> str:
    run = match.group(0)
    return cjk_bigrams(run) + (f" {run[-1]} " if len(run) > 1 else "")


def fts_text(text: str) -> str | None:
    """What the full-text index reads instead of `text`, when that differs: NFKC
    (full-width letters become plain), Chinese runs split into bigrams."""
    folded = unicodedata.normalize("NFKC", text)
    if has_cjk(folded):
        # Each run also indexes its last character alone: a one-character query is a
        # prefix query, which finds every other character as the start of a bigram.
        folded = CJK_RUN_RE.sub(_cjk_index_tokens, folded)
    return folded if folded != text else None


def suggest_text(text: str) -> str:
    """Lower-cased words, each after one space: `LIKE '% prefix%'` finds word starts."""
    words = _split_words(unicodedata.normalize("NFKC", text).lower())
    return (" " + " ".join(words)) if words else ""


def _split_words(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in text).split()


def _entry(doc: IndexDocument) -> SearchEntry:
    title, context, body = _clean(doc.title), _clean(doc.context), _clean(doc.body)
    return SearchEntry(
        key=doc.key[:80],
        doc_type=doc.doc_type[:30],
        doc_id=doc.doc_id,
        title=title,
        context=context,
        body=body,
        fts_title=fts_text(title),
        fts_context=fts_text(context),
        fts_body=fts_text(body),
        url=_clean(doc.url, 500),
        language=_clean(doc.language, 10) or "en",
        created=doc.created,
        public=PUBLIC in doc.visibility,
        brand=_clean(doc.brand, 100),
        brand_name=_clean(doc.brand_name, 200),
        product_id=doc.product_id,
        rating=doc.rating,
        verified=bool(doc.verified),
        has_photos=bool(doc.has_photos),
        helpful_count=doc.helpful_count or 0,
        suggest=suggest_text(_clean(doc.suggest))[:400],
    )


# --- queries to SQL -----------------------------------------------------------------


def _searchable(items: Iterable[str]) -> list[str]:
    """Drop items with no letter or digit (a lone "_"): they match nothing anywhere."""
    return [item for item in items if any(ch.isalnum() for ch in item)]


def _is_single_cjk(item: str) -> bool:
    return len(item) == 1 and has_cjk(item)


@dataclass
class _Match:
    """How one vendor finds and ranks: FROM and WHERE fragments and a score."""

    source: str  # FROM ...
    condition: str  # the full-text WHERE condition
    params: list  # for source, then condition
    score: str  # higher is better


class _SQLite:
    """FTS5. The MATCH string is a bound parameter; inside it, each term or phrase is
    one quoted FTS5 string (quotes doubled), so its syntax cannot be reached."""

    @staticmethod
    def _string(text: str) -> str:
        tokens = cjk_bigrams(text).split()
        return '"' + " ".join(tokens).replace('"', '""') + '"'

    def _item(self, item: str) -> str:
        if _is_single_cjk(item):
            # One Chinese character: it starts a bigram, or stands alone.
            return self._string(item) + " *"
        return self._string(item)

    def match(self, query: ParsedQuery) -> _Match | None:
        positive = _searchable(query.positive)
        if not positive:
            return None
        expression = "(" + " AND ".join(self._item(item) for item in positive) + ")"
        for item in _searchable(query.excluded):
            expression += " NOT " + self._item(item)
        return _Match(
            # CROSS JOIN keeps SQLite's join order: the FTS index drives the query. Each
            # match is then looked up in the narrow covering index (search/migrations/
            # _fulltext.py), which the planner would not choose without ANALYZE.
            source=(
                f"search_fts CROSS JOIN {TABLE} INDEXED BY search_entry_filters"
                f" ON {TABLE}.id = search_fts.rowid"
            ),
            condition="search_fts MATCH %s",
            params=[expression],
            score="-bm25(search_fts, 3.0, 2.0, 1.0)",
        )


class _PostgreSQL:
    """tsquery built in SQL from one bound parameter per term: phraseto_tsquery()
    analyses the text itself (stemming, stop words), whatever it contains."""

    CONFIG = "'english'::regconfig"
    # Weights in the order {D, C, B, A}: body C, context B, title A. ts_rank, not
    # ts_rank_cd: the cover density costs 25% more for one word and twice as much for a
    # phrase (a Chinese word is one), over every match of a common term. Normalisation
    # 1 divides by 1 + log(length), as bm25 favours short documents on SQLite.
    WEIGHTS = "'{0.1, 0.33, 0.67, 1.0}'::float4[]"

    def _item(self, item: str, params: list) -> str:
        if _is_single_cjk(item):
            params.append(item)
            return f"to_tsquery({self.CONFIG}, quote_literal(%s) || ':*')"
        params.append(" ".join(cjk_bigrams(item).split()))
        return f"phraseto_tsquery({self.CONFIG}, %s)"

    def match(self, query: ParsedQuery) -> _Match | None:
        positive = _searchable(query.positive)
        if not positive:
            return None
        params: list = []
        parts = [self._item(item, params) for item in positive]
        parts += [f"!!{self._item(item, params)}" for item in _searchable(query.excluded)]
        return _Match(
            source=f"{TABLE}, (SELECT {' && '.join(parts)} AS q) AS search_query",
            condition=f"{TABLE}.search_vector @@ search_query.q",
            params=params,
            score=f"ts_rank({self.WEIGHTS}, {TABLE}.search_vector, search_query.q, 1)",
        )


_DIALECTS = {"sqlite": _SQLite(), "postgresql": _PostgreSQL()}

ORDERS = {
    "relevance": f"score DESC, {TABLE}.id",
    "newest": f"{TABLE}.created DESC NULLS LAST, {TABLE}.id DESC",
    "helpful": f"{TABLE}.helpful_count DESC, score DESC, {TABLE}.id",
}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def visibility_q(keys: Iterable[str]) -> Q:
    """Entries visible to someone holding any of `keys`."""
    keys = set(keys)
    others = sorted(keys - {PUBLIC})
    q = Q(public=True) if PUBLIC in keys else Q(pk__in=[])
    if others:
        audience = SearchEntryVisibility.objects.filter(key__in=others).values("entry_id")
        q |= Q(pk__in=audience)
    return q


def _filters_q(request: SearchRequest) -> tuple[Q, Q, Q]:
    """(every filter but brand and rating, with visibility), brand, rating."""
    filters = request.filters
    q = visibility_q(request.visibility)
    if filters.types:
        q &= Q(doc_type__in=filters.types)
    if filters.product_id is not None:
        q &= Q(product_id=filters.product_id)
    if filters.verified is not None:
        q &= Q(verified=filters.verified)
    if filters.with_photos is not None:
        q &= Q(has_photos=filters.with_photos)
    if filters.language:
        q &= Q(language=filters.language)
    if filters.date_from:
        q &= Q(created__gte=_day_start(filters.date_from))
    if filters.date_to:
        q &= Q(created__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    brand = Q(brand=filters.brand) if filters.brand else Q()
    rating = Q()
    if filters.rating_min is not None:
        rating &= Q(rating__gte=filters.rating_min)
    if filters.rating_max is not None:
        rating &= Q(rating__lte=filters.rating_max)
    return q, brand, rating


def _where(q: Q, connection) -> tuple[str, list]:
    """SQL for a Q on SearchEntry, its columns qualified by the table name."""
    query = SearchEntry.objects.filter(q).query
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except FullResultSet:
        return "1 = 1", []
    return sql, list(params)


def _in_rating(rating: int | None, filters) -> bool:
    if filters.rating_min is None and filters.rating_max is None:
        return True
    if rating is None:
        return False
    if filters.rating_min is not None and rating < filters.rating_min:
        return False
    return filters.rating_max is None or rating <= filters.rating_max


class DatabaseSearchBackend(BaseSearchBackend):
    name = "database"
    uses_queue = False

    @property
    def connection(self):
        return connections[router.db_for_write(SearchEntry)]

    def _dialect(self):
        vendor = self.connection.vendor
        try:
            return _DIALECTS[vendor]
        except KeyError:
            raise ImproperlyConfigured(
                f"The database search backend supports SQLite and PostgreSQL, not {vendor}."
            ) from None

    # --- writes --------------------------------------------------------------------
    def index_documents(self, documents: list[IndexDocument]) -> None:
        unique = list({doc.key: doc for doc in documents}.values())  # the last one wins
        for start in range(0, len(unique), BATCH_SIZE):
            self._write(unique[start : start + BATCH_SIZE])

    def _write(self, documents: list[IndexDocument], *, fresh: bool = False) -> None:
        documents = sorted(documents, key=lambda doc: doc.key)  # one lock order for all
        entries = [_entry(doc) for doc in documents]
        keys = [entry.key for entry in entries]
        if not fresh:
            SearchEntryVisibility.objects.filter(entry__key__in=keys).delete()
        SearchEntry.objects.bulk_create(
            entries, update_conflicts=True, unique_fields=["key"], update_fields=UPDATE_FIELDS
        )
        audience = {doc.key: set(doc.visibility) - {PUBLIC} for doc in documents}
        audience = {key: others for key, others in audience.items() if others}
        if audience:
            ids = dict(SearchEntry.objects.filter(key__in=audience).values_list("key", "id"))
            SearchEntryVisibility.objects.bulk_create(
                [
                    SearchEntryVisibility(entry_id=ids[key], key=other[:80])
                    for key, others in audience.items()
                    for other in sorted(others)
                ],
                ignore_conflicts=True,  # a concurrent reindex of the same document
            )

    def delete_documents(self, keys: list[str]) -> None:
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), BATCH_SIZE):
            batch = keys[start : start + BATCH_SIZE]
            SearchEntryVisibility.objects.filter(entry__key__in=batch).delete()
            SearchEntry.objects.filter(key__in=batch).delete()

    def clear(self) -> None:
        SearchEntryVisibility.objects.all().delete()
        SearchEntry.objects.all().delete()

    def rebuild(
        self,
        documents: Iterable[IndexDocument],
        *,
        total: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Replace everything. Run it inside a transaction (services.index_rebuild
        does): other connections see the old index until it commits."""
        self.clear()
        done = 0
        batch: dict[str, IndexDocument] = {}
        for doc in documents:
            batch[doc.key] = doc
            if len(batch) >= BATCH_SIZE:
                done += self._flush(batch, progress, done)
        if batch:
            done += self._flush(batch, progress, done)

    def optimize(self) -> None:
        """After a rebuild: PostgreSQL must learn about the replaced rows (VACUUM
        ANALYZE; until autovacuum runs, a common-term query is several times slower),
        SQLite about the new index statistics. VACUUM cannot run in a transaction, so
        inside one only the statistics are refreshed."""
        connection = self.connection
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in (SearchEntry._meta.db_table, SearchEntryVisibility._meta.db_table):
                    quoted = connection.ops.quote_name(table)
                    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                    cursor.execute(f"{verb} {quoted}")
            elif connection.vendor == "sqlite":
                cursor.execute(f"ANALYZE {connection.ops.quote_name(SearchEntry._meta.db_table)}")

    def _flush(self, batch: dict, progress, done: int) -> int:
        count = len(batch)
        self._write(list(batch.values()), fresh=True)
        batch.clear()
        if progress is not None:
            progress(done + count)
        return count

    # --- reads ---------------------------------------------------------------------
    def count(self) -> int:
        return SearchEntry.objects.count()

    def search(self, request: SearchRequest) -> SearchResults:
        empty = SearchResults(
            hits=[], total=0, page=request.page, page_size=request.page_size, backend=self.name
        )
        match = self._dialect().match(request.query)
        if match is None:
            return empty
        connection = self.connection
        base_q, brand_q, rating_q = _filters_q(request)
        try:
            base_sql, base_params = _where(base_q, connection)
            page_sql, page_params = _where(base_q & brand_q & rating_q, connection)
        except EmptyResultSet:
            return empty

        # 1. Total and facets, from the matches grouped by (brand, rating).
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {TABLE}.brand, MAX({TABLE}.brand_name), {TABLE}.rating, COUNT(*)"
                f" FROM {match.source} WHERE {match.condition} AND ({base_sql})"
                f" GROUP BY {TABLE}.brand, {TABLE}.rating",
                [*match.params, *base_params],
            )
            groups = cursor.fetchall()
        filters = request.filters
        total = 0
        brands: dict[str, list] = {}
        ratings: dict[int, int] = defaultdict(int)
        for brand, brand_name, rating, count in groups:
            brand_ok = not filters.brand or brand == filters.brand
            rating_ok = _in_rating(rating, filters)
            if brand_ok and rating_ok:
                total += count
            if rating_ok and brand:
                brands.setdefault(brand, [brand_name, 0])[1] += count
            if brand_ok and rating is not None:
                ratings[rating] += count
        facets = {
            "brand": [
                FacetValue(value=slug, label=label or slug, count=count)
                for slug, (label, count) in sorted(
                    brands.items(), key=lambda item: (-item[1][1], item[1][0] or item[0])
                )[:TOP_BRANDS]
            ],
            "rating": [
                FacetValue(value=str(value), label=str(value), count=ratings[value])
                for value in range(5, 0, -1)
                if ratings.get(value)
            ],
        }

        # 2. The page: ids and scores first (sorting narrow rows), then those rows.
        offset = (request.page - 1) * request.page_size
        hits = []
        if offset < total:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {TABLE}.id, {match.score} AS score"
                    f" FROM {match.source} WHERE {match.condition} AND ({page_sql})"
                    f" ORDER BY {ORDERS.get(request.sort, ORDERS['relevance'])}"
                    f" LIMIT %s OFFSET %s",
                    [*match.params, *page_params, request.page_size, offset],
                )
                page = cursor.fetchall()
            rows = SearchEntry.objects.only(*HIT_FIELDS).in_bulk([pk for pk, _score in page])
            hits = [self._hit(rows[pk], score, request.query) for pk, score in page if pk in rows]
        return SearchResults(
            hits=hits,
            total=total,
            page=request.page,
            page_size=request.page_size,
            facets=facets,
            backend=self.name,
        )

    @staticmethod
    def _hit(row: SearchEntry, score, query: ParsedQuery) -> SearchHit:
        return SearchHit(
            doc_type=row.doc_type,
            doc_id=row.doc_id,
            title=row.title,
            url=row.url,
            snippet=highlight(row.body or row.context, query),
            score=float(score or 0.0),
            brand_name=row.brand_name,
            rating=row.rating,
            verified=row.verified,
            has_photos=row.has_photos,
            helpful_count=row.helpful_count,
            created=row.created,
            language=row.language,
        )

    def autocomplete(
        self, prefix: str, *, visibility: tuple[str, ...], types: tuple[str, ...], limit: int
    ) -> list[Suggestion]:
        """Names with a word starting with `prefix`; Chinese anywhere in the name.
        Short names first: the closest completion of what was typed."""
        words = suggest_text(prefix).strip()
        if not words:
            return []
        needle = words if CJK_RUN_RE.match(words) else " " + words
        queryset = (
            SearchEntry.objects.filter(visibility_q(visibility), suggest__contains=needle)
            .filter(Q(doc_type__in=types) if types else Q())
            .order_by(Length("title"), "title", "id")
            .values_list("title", "url", "doc_type")[:limit]
        )
        return [Suggestion(label=title, url=url, doc_type=kind) for title, url, kind in queryset]
