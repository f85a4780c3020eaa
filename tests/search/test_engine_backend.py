"""The engine backend's own behaviour, against a real engine (SEARCH_URL): the alias
swap on rebuild, the mapping's analyzers, sanitised highlights, errors, and the
services' answers when the engine is down at write time or at query time.

What every backend must do alike is in test_contract.py. Run with, e.g.:

    bash scripts/opensearch.sh start
    SEARCH_URL=http://127.0.0.1:9200 .venv/bin/pytest tests/search/test_engine_backend.py
"""

import datetime as dt
import json
import os
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import AnonymousUser

from community.reviews import services as reviews
from search import services
from search.backends import get_backend, reset_backends
from search.backends.base import SearchUnavailable
from search.documents import IndexDocument
from search.models import PendingIndexUpdate
from search.query import parse_query
from search.types import SearchRequest
from tests.factories import MemberFactory, ProductFactory

SEARCH_URL = os.environ.get("SEARCH_URL", "")
pytestmark = pytest.mark.skipif(not SEARCH_URL, reason="needs a search engine: set SEARCH_URL")

PREFIX = f"goodword-test-{os.getpid()}-engine"
ENGINE = "search.backends.engine.EngineSearchBackend"
LIVE = {
    "BACKEND": ENGINE,
    "URL": SEARCH_URL,
    "CLIENT": os.environ.get("SEARCH_CLIENT", "opensearch"),
    "INDEX_PREFIX": PREFIX,
    "TIMEOUT": 5,
    "REFRESH": True,  # each write is searchable at once
}
DEAD = {**LIVE, "URL": "http://127.0.0.1:9", "TIMEOUT": 1}  # port 9: connection refused
ANONYMOUS = AnonymousUser()
VERSIONED = re.compile(rf"^{re.escape(PREFIX)}-\d{{14}}$")
TAG_RE = re.compile(r"<\s*/?\s*([a-zA-Z0-9]+)")


def use(settings, config):
    settings.SEARCH = config
    reset_backends()
    return get_backend()


def make_backend(**options):
    from search.backends.engine import EngineSearchBackend

    return EngineSearchBackend({**LIVE, **options})


def doc(doc_id, title, body="", **fields) -> IndexDocument:
    fields.setdefault("created", dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC))
    return IndexDocument(doc_type="review", doc_id=doc_id, title=title, body=body, **fields)


def request(text, **kwargs) -> SearchRequest:
    return SearchRequest(query=parse_query(text), visibility=("public",), **kwargs)


def keys(results) -> set[str]:
    return {f"{hit.doc_type}:{hit.doc_id}" for hit in results.hits}


def _drop_test_indices(backend):
    backend.client.indices.delete(index=f"{PREFIX}*", ignore_unavailable=True)
    reset_backends()


@pytest.fixture
def engine():
    """An engine backend on this module's own, empty index."""
    backend = make_backend()
    backend.clear()
    yield backend
    _drop_test_indices(backend)


@pytest.fixture
def live(settings, engine):
    use(settings, LIVE).clear()
    yield
    reset_backends()


# --- indices and the alias ----------------------------------------------------------


def alias_indices(backend) -> list[str]:
    return sorted(backend.client.indices.get_alias(name=PREFIX))


def test_first_write_creates_a_versioned_index_behind_the_alias():
    backend = make_backend()
    try:
        _drop_test_indices(backend)
        assert backend.count() == 0  # no index yet: empty, not an error
        assert backend.search(request("anything")).hits == []
        assert backend.autocomplete("an", visibility=("public",), types=(), limit=5) == []

        backend.index_documents([doc(1, "First light")])
        [index] = alias_indices(backend)
        assert VERSIONED.match(index), index
        settings = backend.client.indices.get_settings(index=index)[index]["settings"]["index"]
        assert (settings["number_of_shards"], settings["number_of_replicas"]) == ("1", "0")
        assert backend.count() == 1
    finally:
        _drop_test_indices(backend)


def test_rebuild_swaps_the_alias_and_drops_the_old_index(engine):
    engine.index_documents([doc(1, "Old marmot")])
    [old] = alias_indices(engine)
    seen_during_rebuild = []

    def documents():
        yield doc(2, "New badger")
        # Halfway through the rebuild, searches still answer from the old index.
        seen_during_rebuild.append(keys(engine.search(request("marmot"))))
        seen_during_rebuild.append(keys(engine.search(request("badger"))))
        yield doc(3, "New otter")

    progress = []
    engine.rebuild(documents(), total=2, progress=progress.append)

    assert seen_during_rebuild == [{"review:1"}, set()]
    assert progress[-1] == 2  # how many were written, as the database backend reports
    [new] = alias_indices(engine)
    assert new != old and VERSIONED.match(new)
    assert not engine.client.indices.exists(index=old)
    assert keys(engine.search(request("badger"))) == {"review:2"}
    assert keys(engine.search(request("marmot"))) == set()
    assert engine.count() == 2


def test_failed_rebuild_keeps_the_old_index(engine):
    engine.index_documents([doc(1, "Old marmot")])
    before = alias_indices(engine)

    def documents():
        yield doc(2, "New badger")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        engine.rebuild(documents(), total=2)
    assert alias_indices(engine) == before
    all_indices = engine.client.indices.get(index=f"{PREFIX}-*")
    assert sorted(all_indices) == before  # the unfinished index is gone
    assert keys(engine.search(request("marmot"))) == {"review:1"}


def test_two_rebuilds_in_the_same_second(engine):
    engine.rebuild(iter([doc(1, "One")]), total=1)
    engine.rebuild(iter([doc(2, "Two")]), total=1)
    [index] = alias_indices(engine)
    assert sorted(engine.client.indices.get(index=f"{PREFIX}-*")) == [index]
    assert engine.count() == 1


def test_clear_leaves_an_empty_index(engine):
    engine.index_documents([doc(1, "Something")])
    engine.clear()
    assert engine.count() == 0
    assert len(alias_indices(engine)) == 1


def test_writes_recreate_an_index_deleted_behind_our_back(engine):
    engine.index_documents([doc(1, "Before")])
    engine.client.indices.delete(index=f"{PREFIX}-*")
    engine.index_documents([doc(2, "Latest")])  # require_alias: no stray concrete index
    [index] = alias_indices(engine)
    assert VERSIONED.match(index)
    assert keys(engine.search(request("latest"))) == {"review:2"}


def test_pages_past_the_result_window_are_empty(engine):
    engine.index_documents([doc(1, "Deep")])
    results = engine.search(request("deep", page=50, page_size=500))
    assert (results.hits, results.total) == ([], 1)


def test_delete_documents_ignores_unknown_keys(engine):
    engine.index_documents([doc(1, "Kept"), doc(2, "Dropped")])
    engine.delete_documents(["review:2", "review:424242", "gadget:1"])
    engine.refresh()
    assert engine.count() == 1


# --- the mapping's analyzers --------------------------------------------------------


def test_mapping_analyzers(engine):
    [index] = alias_indices(engine)
    properties = engine.client.indices.get_mapping(index=index)[index]["mappings"]["properties"]
    for name in ("title", "context", "body"):
        assert properties[name]["analyzer"] == "english"
        assert properties[name]["fields"]["cjk"]["analyzer"] == "cjk"
    for name in ("doc_type", "key", "brand", "language", "visibility"):
        assert properties[name]["type"] == "keyword"
    assert properties["url"]["index"] is False


def test_english_stemming(engine):
    engine.index_documents([doc(1, "Trail shoes", "Running on wet roads every morning.")])
    for query in ("run", "runs", "running", "road", "morning"):
        assert keys(engine.search(request(query))) == {"review:1"}, query


def test_chinese_words_match_as_bigrams(engine):
    engine.index_documents(
        [
            doc(1, "下雨天也不滑", "湿地抓地力很好。总体满意。", language="zh"),
            doc(2, "很轻", "鞋子很轻。"),
        ]
    )
    assert keys(engine.search(request("抓地"))) == {"review:1"}  # inside a longer run
    assert keys(engine.search(request("抓地力很好"))) == {"review:1"}
    assert keys(engine.search(request("很轻"))) == {"review:2"}
    # Both characters are in review 1, but not side by side: no match.
    assert keys(engine.search(request("湿力"))) == set()


def test_chinese_autocomplete(engine):
    engine.index_documents(
        [
            IndexDocument("product", 1, "山地跑鞋", suggest="山地跑鞋 山行者", url="/p/1/"),
            IndexDocument("brand", 2, "山行者", suggest="山行者", url="/b/2/"),
        ]
    )

    def suggested(prefix):
        found = engine.autocomplete(prefix, visibility=("public",), types=(), limit=8)
        return [(s.doc_type, s.label) for s in found]

    assert suggested("山地") == [("product", "山地跑鞋")]
    assert suggested("山行") == [("brand", "山行者"), ("product", "山地跑鞋")]  # shortest first
    assert suggested("跑鞋") == [("product", "山地跑鞋")]
    assert suggested("山") == [("brand", "山行者"), ("product", "山地跑鞋")]


# --- highlights ---------------------------------------------------------------------


def test_highlight_is_sanitised(engine):
    body = 'Terrible <script>alert("x")</script> glue <b onclick="steal()">everywhere</b>.'
    engine.index_documents([doc(1, "Fell apart", body)])
    [hit] = engine.search(request("alert everywhere")).hits
    assert "<mark>alert</mark>" in hit.snippet
    assert "<mark>everywhere</mark>" in hit.snippet
    assert set(TAG_RE.findall(hit.snippet)) == {"mark"}, hit.snippet
    assert "&lt;script&gt;" in hit.snippet  # shown as text, never run
    assert "<script" not in hit.snippet and "<b" not in hit.snippet


def test_snippet_without_a_body_match_is_the_escaped_start_of_the_body(engine):
    engine.index_documents([doc(1, "Zebra stripes", "<i>Plain</i> body & more")])
    [hit] = engine.search(request("zebra")).hits
    assert hit.snippet == "&lt;i&gt;Plain&lt;/i&gt; body &amp; more"


# --- errors -------------------------------------------------------------------------


def test_unreachable_engine_is_unavailable_quickly():
    backend = make_backend(URL="http://127.0.0.1:9", TIMEOUT=1)
    started = time.monotonic()
    calls = [
        lambda: backend.search(request("grip")),
        lambda: backend.autocomplete("gr", visibility=("public",), types=(), limit=5),
        lambda: backend.count(),
        lambda: backend.index_documents([doc(1, "x")]),
        lambda: backend.delete_documents(["review:1"]),
        lambda: backend.rebuild(iter([doc(1, "x")]), total=1),
        lambda: backend.clear(),
    ]
    for call in calls:
        with pytest.raises(SearchUnavailable):
            call()
    assert time.monotonic() - started < 5


def test_engine_that_never_answers_times_out_as_unavailable():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (in the backlog) and never answers
    try:
        port = silent.getsockname()[1]
        backend = make_backend(URL=f"http://127.0.0.1:{port}", TIMEOUT=0.5)
        started = time.monotonic()
        with pytest.raises(SearchUnavailable):
            backend.search(request("grip"))
        assert time.monotonic() - started < 4
    finally:
        silent.close()


class _Failing(BaseHTTPRequestHandler):
    status = 503
    error = {"type": "cluster_block_exception", "reason": "blocked by: [SERVICE_UNAVAILABLE]"}

    def _answer(self):
        body = json.dumps({"error": self.error, "status": self.status}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_engine():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_5xx_answers_are_unavailable(failing_engine):
    backend = make_backend(URL=failing_engine, TIMEOUT=2)
    with pytest.raises(SearchUnavailable):
        backend.search(request("grip"))
    with pytest.raises(SearchUnavailable):
        backend.index_documents([doc(1, "x")])


def test_a_request_the_engine_rejects_as_malformed_is_a_bug_not_an_outage(engine):
    from search.backends.engine import EngineError

    with pytest.raises(EngineError) as raised:
        engine.index_documents([doc(1, "Bad", rating="five stars")])  # not an integer
    assert not isinstance(raised.value, SearchUnavailable)
    assert "mapper_parsing_exception" in str(raised.value)


def test_query_syntax_is_never_interpreted(engine):
    engine.index_documents([doc(1, "Grip test", "title body")])
    for text in ["title:grip", "grip AND", "grip^5 OR *", "/gr.p/", "grip~2", '\\"grip']:
        results = engine.search(request(text))  # no error, whatever is typed
        assert results.total <= 1


# --- through the services, with the engine down -------------------------------------


def write_review(**kwargs):
    return reviews.review_create(
        author=MemberFactory(),
        product=kwargs.pop("product", None) or ProductFactory(),
        rating=kwargs.pop("rating", 5),
        **kwargs,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_write_while_the_engine_is_down_is_queued_and_replayed(settings, live):
    use(settings, DEAD)
    review = write_review(title="Marsupial grip", body="Wombat-proof soles.")  # succeeds
    key = f"review:{review.pk}"
    row = PendingIndexUpdate.objects.get(key=key)
    assert row.attempts == 1
    assert "127.0.0.1:9" in row.last_error
    # Meanwhile the database backend has it, and answers for the engine.
    results = services.search("wombat", user=ANONYMOUS)
    assert results.degraded and keys(results) == {key}

    use(settings, LIVE)
    applied, pending = services.index_queue_process()
    assert applied >= 1
    assert pending == 0
    assert not PendingIndexUpdate.objects.exists()
    results = services.search("wombat", user=ANONYMOUS)
    assert (results.backend, results.degraded) == ("engine", False)
    assert keys(results) == {key}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_while_the_engine_is_down_is_answered_by_the_database(settings, live):
    product = ProductFactory(name="Platypus Pedal")
    review = write_review(product=product, title="Platypus power", body="Pedals like a dream.")
    assert not PendingIndexUpdate.objects.exists()  # sent after commit
    results = services.search("platypus", user=ANONYMOUS)
    assert (results.backend, results.degraded) == ("engine", False)
    expected = {f"review:{review.pk}", f"product:{product.pk}"}
    assert keys(results) == expected

    use(settings, DEAD)
    results = services.search("platypus", user=ANONYMOUS)
    assert (results.backend, results.degraded) == ("database", True)
    assert keys(results) == expected
    suggestions = services.autocomplete("platy", user=ANONYMOUS)
    assert [(s.doc_type, s.label) for s in suggestions] == [("product", "Platypus Pedal")]
