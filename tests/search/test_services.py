"""search.services and search.indexing: visibility, paging, fallback, index upkeep by
signals and the engine's update queue (with a fake queued backend)."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from wagtail.models import Page

from brand_clubs.models import Brand, BrandStaff, ClubIndexPage, ClubPage, Product
from community.reviews import services as reviews
from community.reviews.models import Review
from search import indexing, services
from search.backends import get_backend, get_database_backend
from search.backends.base import BaseSearchBackend, SearchUnavailable
from search.documents import IndexDocument
from search.models import PendingIndexUpdate, SearchEntry
from search.types import MAX_PAGE, SearchResults
from tests.factories import (
    BrandStaffFactory,
    MemberFactory,
    ModeratorFactory,
    ProductFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db
ANONYMOUS = AnonymousUser()


class StubBackend(BaseSearchBackend):
    """Records requests; answers nothing, or raises SearchUnavailable when `down`."""

    name = "stub"

    def __init__(self, options=None, *, down=False):
        super().__init__(options or {})
        self.down = down
        self.requests = []
        self.prefixes = []

    def search(self, request):
        self.requests.append(request)
        if self.down:
            raise SearchUnavailable("connection refused")
        return SearchResults(hits=[], total=0, page=request.page, page_size=request.page_size)

    def autocomplete(self, prefix, *, visibility, types, limit):
        self.prefixes.append(prefix)
        if self.down:
            raise SearchUnavailable("connection refused")
        return []


class FakeQueuedBackend(BaseSearchBackend):
    """A remote engine stand-in: uses the queue, records what it was sent, and raises
    SearchUnavailable while `down`. `during_write` runs inside each write."""

    name = "fake"
    uses_queue = True

    def __init__(self, options):
        super().__init__(options)
        self.down = False
        self.during_write = None
        self.documents: dict[str, IndexDocument] = {}
        self.calls: list[tuple[str, list[str]]] = []

    def _write(self, action, keys):
        self.calls.append((action, sorted(keys)))
        if self.down:
            raise SearchUnavailable("engine down")
        if self.during_write is not None:
            self.during_write()

    def index_documents(self, documents):
        self._write("index", [d.key for d in documents])
        self.documents.update({d.key: d for d in documents})

    def delete_documents(self, keys):
        self._write("delete", keys)
        for key in keys:
            self.documents.pop(key, None)

    def rebuild(self, documents, *, total, progress=None):
        self.documents = {d.key: d for d in documents}
        self.calls.append(("rebuild", sorted(self.documents)))
        if self.during_write is not None:
            self.during_write()

    def clear(self):
        self.documents = {}

    def count(self):
        return len(self.documents)


@pytest.fixture
def stub(monkeypatch):
    backend = StubBackend()
    monkeypatch.setattr(services, "get_backend", lambda: backend)
    return backend


@pytest.fixture
def fake(settings):
    settings.SEARCH = {"BACKEND": f"{__name__}.FakeQueuedBackend"}
    backend = get_backend()
    assert isinstance(backend, FakeQueuedBackend)
    assert get_database_backend() is not backend
    return backend


def write_review(product=None, **kwargs):
    kwargs.setdefault("rating", 4)
    kwargs.setdefault("title", "Sturdy soles")
    kwargs.setdefault("body", "Held up on long walks.")
    return reviews.review_create(
        author=kwargs.pop("author", None) or MemberFactory(),
        product=product or ProductFactory(),
        **kwargs,
    )


def entry(obj_or_key) -> SearchEntry | None:
    key = obj_or_key if isinstance(obj_or_key, str) else f"review:{obj_or_key.pk}"
    return SearchEntry.objects.filter(key=key).first()


# --- visibility and request shaping ------------------------------------------------


def test_visibility_anonymous():
    assert services.visibility_for(ANONYMOUS) == ("public",)
    assert services.visibility_for(None) == ("public",)


def test_visibility_member(member):
    assert services.visibility_for(member) == ("public", f"member:{member.pk}")


def test_search_passes_the_users_visibility(stub, member):
    services.search("grip", user=member)
    services.search("grip", user=ANONYMOUS)
    assert [r.visibility for r in stub.requests] == [("public", f"member:{member.pk}"), ("public",)]


@pytest.mark.parametrize(
    ("page", "expected"),
    [(-1, 1), (0, 1), ("abc", 1), (None, 1), ("", 1), (1.7, 1), ("3", 3), (2, 2),
     (MAX_PAGE, MAX_PAGE), (MAX_PAGE + 1, MAX_PAGE), (10**9, MAX_PAGE), ("1e9", 1)],
)  # fmt: skip
def test_page_is_clamped(stub, page, expected):
    services.search("grip", user=ANONYMOUS, page=page)
    assert stub.requests[-1].page == expected


def test_unknown_sort_becomes_relevance(stub):
    services.search("grip", user=ANONYMOUS, sort="; DROP TABLE")
    services.search("grip", user=ANONYMOUS, sort="newest")
    assert [r.sort for r in stub.requests] == ["relevance", "newest"]


def test_query_is_parsed_once_for_the_backend(stub):
    services.search('Grip "wet roads" -rain', user=ANONYMOUS)
    query = stub.requests[-1].query
    assert (query.terms, query.phrases, query.excluded) == (("grip",), ("wet roads",), ("rain",))


@pytest.mark.parametrize("query", ["", "   ", None, "-rain", '- -- "" -""', "*", "?!"])
def test_empty_query_never_reaches_a_backend(monkeypatch, query):
    def fail():
        raise AssertionError("the backend must not be asked")

    monkeypatch.setattr(services, "get_backend", fail)
    monkeypatch.setattr(services, "get_database_backend", fail)
    results = services.search(query, user=ANONYMOUS, page=7)
    assert (results.hits, results.total, results.page, results.degraded) == ([], 0, 1, False)


# --- fallback when the engine is down ----------------------------------------------


def test_search_falls_back_to_the_database(database_search, monkeypatch):
    review = write_review(title="Cobblestone champion")
    down = StubBackend(down=True)
    monkeypatch.setattr(services, "get_backend", lambda: down)
    results = services.search("cobblestone", user=ANONYMOUS)
    assert len(down.requests) == 1
    assert results.degraded is True
    assert [(h.doc_type, h.doc_id) for h in results.hits] == [("review", review.pk)]
    assert results.backend == database_search.name


def test_search_not_degraded_when_the_engine_answers(database_search):
    write_review(title="Cobblestone champion")
    results = services.search("cobblestone", user=ANONYMOUS)
    assert results.degraded is False
    assert results.total == 1


def test_autocomplete_falls_back_to_the_database(database_search, monkeypatch):
    product = ProductFactory(name="Quokka Runner")
    down = StubBackend(down=True)
    monkeypatch.setattr(services, "get_backend", lambda: down)
    suggestions = services.autocomplete("quok", user=ANONYMOUS)
    assert down.prefixes == ["quok"]
    assert [(s.doc_type, s.label, s.url) for s in suggestions] == [
        ("product", "Quokka Runner", product.get_absolute_url())
    ]


# --- autocomplete input -------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", " ", "a", " a ", None])
def test_autocomplete_needs_two_characters(stub, prefix):
    assert services.autocomplete(prefix, user=ANONYMOUS) == []
    assert stub.prefixes == []


@pytest.mark.parametrize("prefix", ["ab", " ab ", "山", "山地"])
def test_autocomplete_asks_the_backend(stub, prefix):
    services.autocomplete(prefix, user=ANONYMOUS)
    assert stub.prefixes == [prefix.strip()]


def test_autocomplete_prefix_is_bounded(stub):
    services.autocomplete("x" * 5000, user=ANONYMOUS)
    assert stub.prefixes == ["x" * 60]


# --- signals keep the database index in sync ---------------------------------------


def test_review_lifecycle_keeps_the_index_in_sync(database_search):
    moderator = ModeratorFactory()
    review = write_review(title="Cobblestone champion", body="Great on old streets.", rating=5)
    indexed = entry(review)
    assert indexed is not None
    assert (indexed.title, indexed.rating, indexed.language) == ("Cobblestone champion", 5, "en")
    assert services.search("cobblestone", user=ANONYMOUS).total == 1

    reviews.review_update(
        review=review, editor=review.author, rating=2, title="Slippery when wet", body="Meh."
    )
    indexed = entry(review)
    assert (indexed.title, indexed.rating) == ("Slippery when wet", 2)
    assert services.search("cobblestone", user=ANONYMOUS).total == 0
    assert services.search("slippery", user=ANONYMOUS).total == 1

    reviews.review_hide(review=review, moderator=moderator, reason="Spam")
    assert entry(review) is None
    assert services.search("slippery", user=ANONYMOUS).total == 0

    reviews.review_restore(review=review, moderator=moderator, reason="Appeal")
    assert entry(review) is not None
    assert services.search("slippery", user=ANONYMOUS).total == 1

    reviews.review_delete(review=review, actor=review.author)
    assert entry(review) is None
    assert services.search("slippery", user=ANONYMOUS).total == 0


def test_verified_purchase_and_photos_reach_the_index(database_search):
    product = ProductFactory()
    admin = BrandStaffFactory(brand=product.brand, role=BrandStaff.Role.ADMIN).member
    [code] = reviews.purchase_codes_generate(brand=product.brand, count=1, actor=admin)
    review = write_review(product=product, purchase_code=code, photos=[image_upload()])
    indexed = entry(review)
    assert (indexed.verified, indexed.has_photos) == (True, True)

    photo = review.photos.get()
    reviews.review_update(
        review=review,
        editor=review.author,
        rating=4,
        title=review.title,
        body=review.body,
        remove_photo_ids=[photo.pk],
    )
    assert entry(review).has_photos is False


def test_chinese_review_is_indexed_as_chinese(database_search):
    review = write_review(title="很好", body="湿地抓地力很好")
    assert entry(review).language == "zh"
    assert services.search("抓地", user=ANONYMOUS).total == 1


def test_helpful_votes_update_the_index(database_search):
    review = write_review()
    voter = MemberFactory()
    reviews.review_mark_helpful(review=review, voter=voter)
    assert Review.objects.get(pk=review.pk).helpful_count == 1
    assert entry(review).helpful_count == 1
    reviews.review_unmark_helpful(review=review, voter=voter)
    assert entry(review).helpful_count == 0


def test_renaming_a_product_updates_its_reviews(database_search):
    product = ProductFactory(name="Old Name")
    review = write_review(product=product)
    other = write_review()
    assert "Old Name" in entry(review).context
    product.name = "Zephyr Trekker"
    product.save()
    assert "Zephyr Trekker" in entry(review).context
    assert "Zephyr Trekker" not in entry(other).context
    assert entry(f"product:{product.pk}").title == "Zephyr Trekker"
    hits = services.search("zephyr", user=ANONYMOUS, filters=None).hits
    assert {(h.doc_type, h.doc_id) for h in hits} == {
        ("product", product.pk),
        ("review", review.pk),
    }


def test_renaming_a_brand_updates_products_and_reviews(database_search):
    product = ProductFactory()
    review = write_review(product=product)
    brand = product.brand
    brand.name = "Quasar Outdoor"
    brand.save()
    assert entry(f"brand:{brand.pk}").title == "Quasar Outdoor"
    assert "Quasar Outdoor" in entry(f"product:{product.pk}").context
    assert "Quasar Outdoor" in entry(review).context
    assert entry(review).brand_name == "Quasar Outdoor"


def test_deleting_a_product_removes_it_and_its_reviews(database_search):
    product = ProductFactory()
    review = write_review(product=product)
    Review.objects.filter(product=product).delete()  # PROTECTed otherwise: reviews first
    product.delete()
    assert entry(review) is None
    assert entry(f"product:{product.pk}") is None


def test_database_backend_uses_no_queue(database_search):
    write_review()
    assert PendingIndexUpdate.objects.count() == 0
    assert services.index_queue_process() == (0, 0)


# --- rebuild ------------------------------------------------------------------------


def expected_document_count() -> int:
    # Club pages are not documents of their own: their text is in their club's document.
    pages = (
        Page.objects.live().public().filter(depth__gt=1).not_type(ClubPage, ClubIndexPage).count()
    )
    published = Review.objects.filter(status=Review.Status.PUBLISHED).count()
    return Brand.objects.count() + Product.objects.count() + published + pages


def test_index_rebuild_counts_indexable_documents(database_search):
    moderator = ModeratorFactory()
    product = ProductFactory()
    kept = [write_review(product=product) for _ in range(3)]
    reviews.review_hide(review=write_review(product=product), moderator=moderator, reason="x")
    gone = write_review()
    reviews.review_delete(review=gone, actor=gone.author)
    database_search.clear()
    assert database_search.count() == 0

    total = services.index_rebuild()
    assert total == expected_document_count() == database_search.count()
    assert all(entry(review) is not None for review in kept)
    assert Review.objects.filter(status=Review.Status.PUBLISHED).count() == 3


def test_index_rebuild_drops_stale_documents(database_search):
    ProductFactory()
    database_search.index_documents([IndexDocument(doc_type="review", doc_id=424242, title="x")])
    assert entry("review:424242") is not None
    services.index_rebuild()
    assert entry("review:424242") is None
    assert database_search.count() == expected_document_count()


def test_index_rebuild_with_an_engine_rebuilds_both_and_empties_the_queue(fake):
    write_review()
    assert PendingIndexUpdate.objects.exists()  # on_commit never ran in this test
    SearchEntry.objects.all().delete()
    total = services.index_rebuild()
    assert total == expected_document_count() == fake.count()
    assert get_database_backend().count() == total
    assert PendingIndexUpdate.objects.count() == 0


def test_changes_made_during_an_engine_rebuild_are_replayed_after_it(fake):
    before, during = write_review(), write_review()
    before_key, during_key = f"review:{before.pk}", f"review:{during.pk}"
    PendingIndexUpdate.objects.filter(key=during_key).delete()
    seen = {}

    def changes_while_rebuilding():  # other processes write while the engine rebuilds
        fake.during_write = None
        indexing.keys_changed([before_key, during_key])  # touched again, and new
        indexing.queue_process()  # sent to the old index...
        seen["kept"] = sorted(PendingIndexUpdate.objects.values_list("key", flat=True))
        seen["calls"] = len(fake.calls)

    fake.during_write = changes_while_rebuilding
    services.index_rebuild()
    assert seen["kept"] == sorted([before_key, during_key])  # ...but kept for the new one
    replayed = [keys for action, keys in fake.calls[seen["calls"] :] if action == "index"]
    assert sorted(key for keys in replayed for key in keys) == sorted([before_key, during_key])
    assert not PendingIndexUpdate.objects.exists()


def test_rows_queued_before_an_engine_rebuild_are_dropped(fake):
    write_review()
    assert PendingIndexUpdate.objects.exists()
    services.index_rebuild()
    assert [action for action, _keys in fake.calls] == ["rebuild"]
    assert not PendingIndexUpdate.objects.exists()


# --- the engine's queue (indexing.queue_process) -----------------------------------


def test_changes_are_queued_and_sent_after_commit(fake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review = write_review()
    key = f"review:{review.pk}"
    assert key in fake.documents
    assert fake.documents[key].title == "Sturdy soles"
    assert entry(review) is not None  # the database index is written too, in the transaction
    assert PendingIndexUpdate.objects.count() == 0


def test_queue_rows_are_written_in_the_transaction(fake):
    review = write_review()  # on_commit callbacks do not run: nothing was sent
    keys = set(PendingIndexUpdate.objects.values_list("key", flat=True))
    assert f"review:{review.pk}" in keys
    assert fake.calls == []


def test_failed_updates_stay_queued(fake):
    review = write_review()
    key = f"review:{review.pk}"
    fake.down = True
    applied, pending = services.index_queue_process()
    assert applied == 0
    assert pending == PendingIndexUpdate.objects.count() >= 1
    row = PendingIndexUpdate.objects.get(key=key)
    assert (row.attempts, row.last_error) == (1, "engine down")

    services.index_queue_process()
    row = PendingIndexUpdate.objects.get(key=key)
    assert row.attempts == 2

    fake.down = False
    applied, pending = services.index_queue_process()
    assert applied >= 1
    assert pending == 0
    assert key in fake.documents
    assert not PendingIndexUpdate.objects.exists()


def test_failure_leaves_updated_at_alone(fake):
    review = write_review()
    row = PendingIndexUpdate.objects.get(key=f"review:{review.pk}")
    fake.down = True
    services.index_queue_process()
    assert PendingIndexUpdate.objects.get(pk=row.pk).updated_at == row.updated_at


def test_gone_objects_are_deleted_from_the_engine(fake, django_capture_on_commit_callbacks):
    moderator = ModeratorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        review = write_review()
    key = f"review:{review.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_hide(review=review, moderator=moderator, reason="Spam")
    assert ("delete", [key]) in fake.calls
    assert key not in fake.documents
    assert not PendingIndexUpdate.objects.exists()


def test_unknown_document_types_are_deleted(fake):
    PendingIndexUpdate.objects.create(key="gadget:7")
    assert services.index_queue_process() == (1, 0)
    assert fake.calls == [("delete", ["gadget:7"])]


def test_row_touched_while_sending_is_kept(fake):
    review = write_review()
    key = f"review:{review.pk}"
    PendingIndexUpdate.objects.exclude(key=key).delete()

    def newer_change():  # another transaction changed the review while we were sending
        PendingIndexUpdate.objects.filter(key=key).update(
            updated_at=PendingIndexUpdate.objects.get(key=key).updated_at + dt.timedelta(seconds=1)
        )

    fake.during_write = newer_change
    applied, pending = services.index_queue_process()
    assert (applied, pending) == (1, 1)
    assert PendingIndexUpdate.objects.filter(key=key).exists()

    fake.during_write = None
    assert services.index_queue_process() == (1, 0)


def test_a_second_change_touches_the_existing_row(fake):
    review = write_review()
    key = f"review:{review.pk}"
    before = PendingIndexUpdate.objects.get(key=key)
    reviews.review_update(
        review=review, editor=review.author, rating=3, title="Changed", body="Changed body."
    )
    after = PendingIndexUpdate.objects.get(key=key)
    assert after.pk == before.pk
    assert after.updated_at > before.updated_at


def test_queue_process_only_sends_the_given_keys(fake):
    first, second = write_review(), write_review()
    first_key, second_key = f"review:{first.pk}", f"review:{second.pk}"
    applied, _pending = indexing.queue_process(keys=[first_key])
    assert applied == 1
    assert first_key in fake.documents and second_key not in fake.documents
    assert PendingIndexUpdate.objects.filter(key=second_key).exists()
    assert not PendingIndexUpdate.objects.filter(key=first_key).exists()


def test_queue_process_respects_the_limit(fake):
    for _ in range(3):
        write_review()
    keys = list(
        PendingIndexUpdate.objects.order_by("created_at", "pk").values_list("key", flat=True)
    )
    applied, pending = indexing.queue_process(limit=2)
    assert (applied, pending) == (2, len(keys) - 2)
    sent = sorted(key for _action, batch in fake.calls for key in batch)
    assert sent == sorted(keys[:2])  # the oldest first
    assert sorted(PendingIndexUpdate.objects.values_list("key", flat=True)) == sorted(keys[2:])


def test_queue_process_without_a_queue_does_nothing(database_search):
    PendingIndexUpdate.objects.create(key="review:1")
    assert indexing.queue_process() == (0, 0)
    assert PendingIndexUpdate.objects.count() == 1


def test_a_view_restriction_takes_a_page_and_its_children_out_of_search(database_search):
    from wagtail.models import PageViewRestriction

    from community.home.models import HomePage, StandardPage

    home = HomePage.objects.get()
    guide = home.add_child(instance=StandardPage(title="Tyre pressure guide", slug="tyres"))
    child = guide.add_child(instance=StandardPage(title="Tyre pressure winter", slug="winter"))
    for page in (guide, child):
        page.save_revision().publish()
    assert services.search("tyre pressure", user=None).total == 2
    restriction = PageViewRestriction.objects.create(
        page=guide, restriction_type=PageViewRestriction.LOGIN
    )
    assert services.search("tyre pressure", user=None).total == 0
    restriction.delete()
    assert services.search("tyre pressure", user=None).total == 2
