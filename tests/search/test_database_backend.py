"""The database backend itself: its full-text structures on SQLite (FTS5) and
PostgreSQL (tsvector), ranking, analysis (stems, Chinese bigrams), escaping, filters,
facets and visibility. Run once per database: the default SQLite, and with DATABASE_URL
pointing at PostgreSQL. The cross-backend behaviour is in test_contract.py."""

import datetime as dt

import pytest
from django.db import connection

from search.documents import PUBLIC, IndexDocument, visibility_club, visibility_member
from search.models import SearchEntry, SearchEntryVisibility
from search.query import ParsedQuery, parse_query
from search.types import SearchFilters, SearchRequest

SQLITE = connection.vendor == "sqlite"
ALL = (PUBLIC,)


def doc(doc_id, title, body="", *, doc_type="review", **fields) -> IndexDocument:
    fields.setdefault("created", dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC))
    return IndexDocument(doc_type=doc_type, doc_id=doc_id, title=title, body=body, **fields)


def search(backend, query, *, visibility=ALL, sort="relevance", page=1, page_size=20, **filters):
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    return backend.search(
        SearchRequest(
            query=parsed,
            visibility=visibility,
            filters=SearchFilters(**filters),
            sort=sort,
            page=page,
            page_size=page_size,
        )
    )


def ids(results) -> list[int]:
    return [hit.doc_id for hit in results.hits]


def fts_consistent() -> bool:
    """FTS5's own check of its index against the content it was built from."""
    if not SQLITE:
        return True
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
    return True


@pytest.fixture
def backend(database_search):
    database_search.clear()
    return database_search


# --- structures -------------------------------------------------------------------


def test_full_text_structures_exist(db):
    with connection.cursor() as cursor:
        if SQLITE:
            cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'search_fts%'")
            names = {name for _type, name in cursor.fetchall()}
            assert {"search_fts", "search_fts_source", "search_fts_insert"} <= names
            assert {"search_fts_update", "search_fts_delete"} <= names
        else:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'search_searchentry'"
                " AND indexname = 'search_entry_vector'"
            )
            [(definition,)] = cursor.fetchall()
            assert "gin (search_vector)" in definition


def test_insert_update_delete_keep_the_index_in_sync(backend):
    backend.index_documents([doc(1, "Alpha boots", "sturdy soles")])
    assert ids(search(backend, "alpha")) == [1]
    backend.index_documents([doc(1, "Beta boots", "sturdy soles")])  # same key: replaced
    assert backend.count() == 1
    assert ids(search(backend, "alpha")) == []
    assert ids(search(backend, "beta")) == [1]
    # A new helpful count leaves the text (and the FTS5 row) alone.
    backend.index_documents([doc(1, "Beta boots", "sturdy soles", helpful_count=9)])
    assert search(backend, "beta").hits[0].helpful_count == 9
    assert fts_consistent()
    backend.delete_documents(["review:1", "review:404"])  # unknown keys are ignored
    assert ids(search(backend, "beta")) == []
    assert backend.count() == 0
    assert fts_consistent()


def test_chinese_text_is_stored_raw_and_indexed_as_bigrams(backend):
    backend.index_documents([doc(1, "抓地", "湿地抓地力很好", language="zh")])
    entry = SearchEntry.objects.get()
    assert entry.body == "湿地抓地力很好"
    # Bigrams, then the run's last character alone (found by a one-character query).
    assert entry.fts_body.split() == ["湿地", "地抓", "抓地", "地力", "力很", "很好", "好"]
    backend.index_documents([doc(2, "Plain", "english only")])
    assert SearchEntry.objects.get(doc_id=2).fts_body is None  # no copy when unchanged


def test_rebuild_replaces_everything_and_reports_progress(backend):
    backend.index_documents([doc(999, "Stale", "old")])
    seen = []
    documents = (doc(i, f"Doc {i}", "rebuilt text") for i in range(1, 1202))
    backend.rebuild(documents, total=1201, progress=seen.append)
    assert backend.count() == 1201
    assert seen == [500, 1000, 1201]
    assert ids(search(backend, "stale")) == []
    assert search(backend, "rebuilt").total == 1201
    assert fts_consistent()


def test_duplicate_keys_in_one_batch_keep_the_last(backend):
    backend.index_documents([doc(1, "First"), doc(1, "Second")])
    assert list(SearchEntry.objects.values_list("title", flat=True)) == ["Second"]


def test_nul_characters_are_dropped(backend):
    backend.index_documents([doc(1, "Nul\x00title", "bo\x00dy")])
    assert ids(search(backend, "nultitle")) == [1]


# --- matching and ranking ---------------------------------------------------------


def test_title_ranks_over_context_over_body(backend):
    backend.index_documents(
        [
            doc(1, "Plain words", "zebra stripes here"),
            doc(2, "Plain words", "stripes here", context="zebra"),
            doc(3, "Zebra words", "stripes here"),
        ]
    )
    assert ids(search(backend, "zebra")) == [3, 2, 1]
    scores = [hit.score for hit in search(backend, "zebra").hits]
    assert scores == sorted(scores, reverse=True)


def test_chinese_word_inside_a_longer_run(backend):
    backend.index_documents(
        [doc(1, "评价", "湿地抓地力很好", language="zh"), doc(2, "评价", "地很滑", language="zh")]
    )
    assert ids(search(backend, "抓地")) == [1]
    assert ids(search(backend, "抓地力")) == [1]
    assert ids(search(backend, "力抓")) == []  # the characters, but not in that order
    assert ids(search(backend, "抓")) == [1]  # one character: a bigram starting with it
    assert ids(search(backend, "评价 -很滑")) == [1]


def test_stemming_both_ways(backend):
    backend.index_documents([doc(1, "Running shoes"), doc(2, "A long run")])
    assert set(ids(search(backend, "run"))) == {1, 2}
    assert set(ids(search(backend, "running"))) == {1, 2}
    assert ids(search(backend, "shoe")) == [1]


def test_accents_and_full_width_letters(backend):
    backend.index_documents([doc(1, "Ｃａｆé crème")])
    assert ids(search(backend, "ｃａｆé")) == [1]
    assert ids(search(backend, "caf\u00e9 CRÈME")) == [1]


def test_phrase_and_exclusion(backend):
    backend.index_documents(
        [doc(1, "Wet roads", "grip on wet roads"), doc(2, "Dry roads", "wet grip, dry roads")]
    )
    assert ids(search(backend, '"wet roads"')) == [1]
    assert ids(search(backend, "grip -dry")) == [1]
    assert ids(search(backend, 'grip -"wet roads"')) == [2]
    assert ids(search(backend, "grip -nothing")) != []


def test_only_exclusions_or_punctuation_find_nothing(backend):
    backend.index_documents([doc(1, "Anything")])
    assert search(backend, ParsedQuery(excluded=("anything",))).total == 0
    assert search(backend, ParsedQuery(terms=("_",))).total == 0


HOSTILE = [
    '" OR 1=1 --',
    "' OR '1'='1",
    "NEAR(a b)",
    "NEAR(grip, 2)",
    "title:foo",
    "body:grip",
    "*",
    "grip*",
    "^grip",
    "grip AND OR NOT",
    "a\x00b",
    "'); DROP TABLE search_searchentry; --",
    "!!grip & | <-> :*",
    "x" * 10_000,
    "grip " * 5_000,
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_input_is_plain_words(backend, raw):
    backend.index_documents([doc(1, "Grip foo near", "good grip")])
    results = search(backend, raw)
    assert results.total == len(results.hits) <= 1
    assert backend.count() == 1


@pytest.mark.parametrize(
    "item", ['grip" OR "x', 'a"b', "title:grip", "NEAR(grip", "grip*", "'", "\\", "!grip"]
)
def test_backend_escapes_even_unparsed_terms(backend, item):
    """The backend does not rely on parse_query having removed the syntax."""
    backend.index_documents([doc(1, "Grip", "good grip")])
    for query in (
        ParsedQuery(terms=(item,)),
        ParsedQuery(phrases=(item,)),
        ParsedQuery(terms=("grip",), excluded=(item,)),
    ):
        results = search(backend, query)
        assert results.total == len(results.hits) <= 1


def test_zero_matches_is_one_query(backend, django_assert_num_queries):
    backend.index_documents([doc(i, f"Doc {i}") for i in range(50)])
    with django_assert_num_queries(1):
        results = search(backend, "xylophone")
    assert (results.hits, results.total, results.facets["brand"]) == ([], 0, [])


@pytest.mark.skipif(not SQLITE, reason="SQLite query plan")
def test_sqlite_plan_starts_from_the_fts_index(backend):
    from search.backends.database import _SQLite

    match = _SQLite().match(parse_query("grip"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN QUERY PLAN SELECT search_searchentry.id FROM {match.source}"
            f" WHERE {match.condition} AND search_searchentry.brand = 'x'",
            match.params,
        )
        plan = [row[-1] for row in cursor.fetchall()]
    assert plan[0].startswith("SCAN search_fts VIRTUAL TABLE INDEX"), plan
    assert not any(step.startswith("SCAN search_searchentry") for step in plan), plan
    assert "COVERING INDEX search_entry_filters" in plan[1], plan


@pytest.mark.skipif(SQLITE, reason="PostgreSQL query plan")
def test_postgresql_query_can_use_the_gin_index(backend):
    from search.backends.database import _PostgreSQL

    match = _PostgreSQL().match(parse_query("grip -mud"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT search_searchentry.id FROM {match.source} WHERE {match.condition}",
            match.params,
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_entry_vector" in plan, plan


# --- filters, sorts, facets, pages ------------------------------------------------


@pytest.fixture
def shop(backend):
    day = dt.datetime(2024, 3, 1, 23, 59, tzinfo=dt.UTC)
    backend.index_documents(
        [
            doc(1, "Boot one", brand="acme", brand_name="Acme", rating=5, helpful_count=1,
                created=day, verified=True),
            doc(2, "Boot two", brand="acme", brand_name="Acme", rating=2, helpful_count=5,
                created=day + dt.timedelta(days=1), has_photos=True),
            doc(3, "Boot three", brand="zenith", brand_name="Zenith", rating=4,
                helpful_count=3, created=day + dt.timedelta(days=2), language="zh"),
            doc(4, "Boot product", doc_type="product", brand="zenith", brand_name="Zenith",
                product_id=7, created=None),
        ]
    )  # fmt: skip
    return backend


def facet(results, name):
    return {value.value: value.count for value in results.facets[name]}


def test_filters(shop):
    assert set(ids(search(shop, "boot", types=("review",)))) == {1, 2, 3}
    assert ids(search(shop, "boot", product_id=7)) == [4]
    assert ids(search(shop, "boot", verified=True)) == [1]
    assert ids(search(shop, "boot", with_photos=True)) == [2]
    assert ids(search(shop, "boot", language="zh")) == [3]
    assert set(ids(search(shop, "boot", rating_min=2, rating_max=4))) == {2, 3}
    # date_to is inclusive up to the end of the day; undated documents drop out.
    assert ids(search(shop, "boot", date_to=dt.date(2024, 3, 1))) == [1]
    assert set(ids(search(shop, "boot", date_from=dt.date(2024, 3, 2)))) == {2, 3}


def test_sorts(shop):
    assert ids(search(shop, "boot", sort="newest")) == [3, 2, 1, 4]
    assert ids(search(shop, "boot", sort="helpful"))[:3] == [2, 3, 1]


def test_facets_ignore_their_own_filter_only(shop):
    results = search(shop, "boot", brand="acme", rating_min=4)
    assert ids(results) == [1]
    assert results.total == 1
    # Brands under the rating filter (ratings 4-5: one each); ratings within Acme.
    assert facet(results, "brand") == {"acme": 1, "zenith": 1}
    assert facet(results, "rating") == {"5": 1, "2": 1}
    labels = [value.label for value in results.facets["brand"]]
    assert labels == ["Acme", "Zenith"]


def test_brand_facet_keeps_the_top_ten(backend):
    backend.index_documents(
        [doc(i, "Tent", brand=f"b{i % 12:02}", brand_name=f"B{i % 12:02}") for i in range(1, 100)]
    )
    values = search(backend, "tent").facets["brand"]
    assert len(values) == 10
    assert [value.count for value in values] == sorted((v.count for v in values), reverse=True)


def test_page_beyond_the_end_runs_no_page_query(shop, django_assert_num_queries):
    with django_assert_num_queries(1):
        results = search(shop, "boot", page=3, page_size=2)
    assert (results.hits, results.total) == ([], 4)


# --- visibility -------------------------------------------------------------------


def test_visibility_keys(backend):
    backend.index_documents(
        [
            doc(1, "Secret public"),
            doc(2, "Secret member", visibility=[visibility_member(5)]),
            doc(3, "Secret club", visibility=[visibility_club(9), visibility_member(6)]),
        ]
    )
    assert ids(search(backend, "secret")) == [1]
    assert set(ids(search(backend, "secret", visibility=(PUBLIC, "member:5")))) == {1, 2}
    assert set(ids(search(backend, "secret", visibility=(PUBLIC, "club:9")))) == {1, 3}
    assert ids(search(backend, "secret", visibility=("member:6",))) == [3]
    assert ids(search(backend, "secret", visibility=())) == []
    assert facet(search(backend, "secret"), "brand") == {}


def test_visibility_changes_on_reindex(backend):
    backend.index_documents([doc(1, "Secret", visibility=[visibility_member(5)])])
    assert SearchEntryVisibility.objects.count() == 1
    backend.index_documents([doc(1, "Secret")])
    assert SearchEntryVisibility.objects.count() == 0
    assert ids(search(backend, "secret")) == [1]
    backend.index_documents([doc(1, "Secret", visibility=[visibility_club(2)])])
    assert ids(search(backend, "secret")) == []
    backend.delete_documents(["review:1"])
    assert SearchEntryVisibility.objects.count() == 0


# --- snippets and autocomplete ----------------------------------------------------


def test_snippet_is_escaped_and_marked(backend):
    backend.index_documents([doc(1, "Title", "Great <b>grip</b> & grips")])
    [hit] = search(backend, "grip").hits
    assert hit.snippet == "Great &lt;b&gt;<mark>grip</mark>&lt;/b&gt; &amp; <mark>grips</mark>"


@pytest.fixture
def names(backend):
    backend.index_documents(
        [
            doc(1, "Trail Runner 2", doc_type="product", suggest="Trail Runner 2 Acme"),
            doc(2, "Acme", doc_type="brand", suggest="Acme"),
            doc(3, "Mountain-Trail", doc_type="product", suggest="Mountain-Trail Zen"),
            doc(4, "100% Wool", doc_type="product", suggest="100% Wool Zen"),
            doc(5, "山地跑鞋", doc_type="product", suggest="山地跑鞋 山行者"),
            doc(6, "Trail secret", doc_type="product", suggest="Trail secret",
                visibility=[visibility_member(1)]),
            doc(7, "Trail review", suggest="Trail review"),
        ]
    )  # fmt: skip
    return backend


def suggest(backend, prefix, visibility=ALL):
    results = backend.autocomplete(
        prefix, visibility=visibility, types=("product", "brand"), limit=8
    )
    return [s.label for s in results]


def test_autocomplete_word_starts(names):
    assert suggest(names, "trail") == ["Mountain-Trail", "Trail Runner 2"]  # shortest first
    assert suggest(names, "TRAIL RU") == ["Trail Runner 2"]
    assert suggest(names, "rail") == []  # inside a word: no
    assert suggest(names, "acm") == ["Acme", "Trail Runner 2"]
    assert suggest(names, "行者") == ["山地跑鞋"]  # Chinese: anywhere
    assert suggest(names, "trail", visibility=(PUBLIC, "member:1")) == [
        "Trail secret",
        "Mountain-Trail",
        "Trail Runner 2",
    ]


@pytest.mark.parametrize("prefix", ["%", "_", "w%l", "w_ol", "\\", "' OR 1=1", "   "])
def test_autocomplete_wildcards_are_literal(names, prefix):
    assert suggest(names, prefix) == []
    assert suggest(names, "%wool") == ["100% Wool"]  # punctuation separates words
