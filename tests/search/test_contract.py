# ruff: noqa: RUF001 (real Chinese punctuation)
"""The backend contract: the same corpus, the same queries and the same answers from
every configured backend (database always; the engine when SEARCH_URL is set).

The corpus is written through the real services, then `index_rebuild()` (re)builds
every index deterministically. Results are compared as sets or orders, never scores."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from brand_clubs.models import BrandStaff
from community.reviews import services as reviews
from community.reviews.models import Review
from search import services
from search.documents import IndexDocument, visibility_member
from search.types import SearchFilters
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    MemberFactory,
    ModeratorFactory,
    ProductFactory,
    image_upload,
)

ANONYMOUS = AnonymousUser()
EN_VISIBLE = {"run", "grip", "light", "breath", "road", "leak", "glue", "value"}

# name: (product, rating, title, body, options, created date, helpful count)
REVIEWS = {
    "run": ("alpaca", 5, "Running in the rain", "The grip on wet roads is superb. Overall a joy.",
            {"verified"}, "2024-03-01", 7),
    "grip": ("alpaca", 4, "Great grip", "Solid grip on dry paths. Overall happy.",
             set(), "2024-03-05", 3),
    "light": ("summit", 4, "Lightweight and warm", "Breathable fabric. Overall fine.",
              {"photos"}, "2024-03-10", 5),
    "breath": ("summit", 3, "Breathable but thin", "Lightweight fabric. Overall okay.",
               set(), "2024-03-15", 0),
    "road": ("harbor", 3, "Warm boots", "Kept my feet dry on the road. Overall decent.",
             set(), "2024-03-20", 1),
    "leak": ("harbor", 2, "Leaks after a month", "Water came in through the seams. Overall poor.",
             {"photos"}, "2024-03-25", 6),
    "glue": ("harbor", 1, "Fell apart",
             "Terrible glue <script>alert(1)</script> everywhere. Overall bad.",
             set(), "2024-03-30", 2),
    "value": ("shan", 4, "Good value", "Cheap and cheerful. Overall recommended.",
              {"verified"}, "2024-04-25", 4),
    "zh_grip": ("shan", 5, "下雨天也不滑", "湿地抓地力很好，总体满意。",
                {"verified"}, "2024-04-05", 0),
    "zh_light": ("alpaca", 4, "很轻", "鞋子很轻，适合长跑，总体不错。",
                 set(), "2024-04-10", 0),
    "hidden": ("alpaca", 2, "Rain grip hidden", "Overall hidden grip review.",
               {"hide"}, "2024-04-15", 0),
    "deleted": ("summit", 1, "Deleted grip", "Overall deleted grip review.",
                {"delete"}, "2024-04-20", 0),
}  # fmt: skip


@pytest.fixture
def corpus(search_backend):
    brands = {
        "trailblaze": BrandFactory(name="Trailblaze", slug="trailblaze"),
        "stormline": BrandFactory(name="Stormline", slug="stormline"),
        "shanxing": BrandFactory(name="山行者", slug="shanxing"),
    }
    products = {
        "alpaca": ProductFactory(brand=brands["trailblaze"], name="Alpaca Trail Shoe"),
        "summit": ProductFactory(brand=brands["trailblaze"], name="Summit Jacket"),
        "harbor": ProductFactory(brand=brands["stormline"], name="Harbor Boot"),
        "shan": ProductFactory(brand=brands["shanxing"], name="山地跑鞋"),
    }
    moderator = ModeratorFactory()
    admins = {}
    objects = {}
    for name, (product_key, rating, title, body, options, _day, _helpful) in REVIEWS.items():
        product = products[product_key]
        code = ""
        if "verified" in options:
            brand = product.brand
            if brand.pk not in admins:
                admins[brand.pk] = BrandStaffFactory(brand=brand, role=BrandStaff.Role.ADMIN).member
            [code] = reviews.purchase_codes_generate(brand=brand, count=1, actor=admins[brand.pk])
        author = MemberFactory()
        review = reviews.review_create(
            author=author,
            product=product,
            rating=rating,
            title=title,
            body=body,
            photos=[image_upload()] if "photos" in options else (),
            purchase_code=code,
        )
        if "hide" in options:
            reviews.review_hide(review=review, moderator=moderator, reason="Spam")
        if "delete" in options:
            reviews.review_delete(review=review, actor=author)
        objects[name] = review
    for name, (*_rest, day, helpful) in REVIEWS.items():
        created = dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")
        # Fixed dates and helpful counts make the sorts deterministic.
        Review.objects.filter(pk=objects[name].pk).update(created_at=created, helpful_count=helpful)
    services.index_rebuild()

    names = {f"review:{review.pk}": name for name, review in objects.items()}
    names.update({f"product:{p.pk}": f"p:{key}" for key, p in products.items()})
    names.update({f"brand:{b.pk}": f"b:{key}" for key, b in brands.items()})
    return SimpleNamespace(
        backend=search_backend,
        brands=brands,
        products=products,
        reviews={name: Review.objects.get(pk=review.pk) for name, review in objects.items()},
        names=names,
    )


def find(corpus, query, *, user=ANONYMOUS, sort="relevance", page=1, page_size=20, **filters):
    results = services.search(
        query,
        user=user,
        filters=SearchFilters(**filters),
        sort=sort,
        page=page,
        page_size=page_size,
    )
    assert not results.degraded
    assert results.backend == corpus.backend.name
    return results


def named(corpus, results) -> list[str]:
    return [corpus.names.get(f"{hit.doc_type}:{hit.doc_id}", f"{hit.doc_type}:{hit.doc_id}")
            for hit in results.hits]  # fmt: skip


def found(corpus, query, **kwargs) -> set[str]:
    results = find(corpus, query, **kwargs)
    names = named(corpus, results)
    assert len(names) == len(set(names)), names  # no document twice
    assert results.total == len(names)
    return set(names)


def settle(corpus) -> None:
    """Make direct backend writes searchable (the engine refreshes about once a second)."""
    refresh = getattr(corpus.backend, "refresh", None)
    if refresh is not None:
        refresh()


# --- matching -----------------------------------------------------------------------


def test_english_word(corpus):
    assert found(corpus, "grip") == {"run", "grip"}
    assert found(corpus, "superb") == {"run"}
    assert found(corpus, "GRIP") == {"run", "grip"}


def test_every_visible_english_review(corpus):
    assert found(corpus, "overall") == EN_VISIBLE


def test_stemming(corpus):
    assert found(corpus, "run") == {"run"}  # "Running"
    assert found(corpus, "roads") == {"run", "road"}  # "road" too
    assert found(corpus, "leak") == {"leak"}  # "Leaks"


def test_all_terms_must_match(corpus):
    assert found(corpus, "grip superb") == {"run"}
    assert found(corpus, "grip xylophone") == set()


def test_chinese_word_inside_a_longer_run(corpus):
    assert found(corpus, "抓地") == {"zh_grip"}
    assert found(corpus, "抓地力") == {"zh_grip"}
    assert found(corpus, "湿地抓地力很好") == {"zh_grip"}
    assert found(corpus, "很轻") == {"zh_light"}
    assert found(corpus, "总体") == {"zh_grip", "zh_light"}


def test_single_chinese_character_anywhere_in_a_run(corpus):
    assert found(corpus, "雨") == {"zh_grip"}  # starts a bigram: 下雨 雨天
    assert found(corpus, "滑") == {"zh_grip"}  # last of 下雨天也不滑
    assert found(corpus, "轻") == {"zh_light"}  # last of 很轻
    assert found(corpus, "鞋") == {"p:shan", "value", "zh_grip", "zh_light"}  # 山地跑鞋, 鞋子


def test_chinese_brand_and_product_names(corpus):
    assert found(corpus, "山地跑鞋", types=("product",)) == {"p:shan"}
    assert found(corpus, "山行者", types=("brand",)) == {"b:shanxing"}


def test_phrase(corpus):
    assert found(corpus, '"wet roads"') == {"run"}
    assert found(corpus, '"roads wet"') == set()
    assert found(corpus, '"grip on wet roads"') == {"run"}


def test_exclusion(corpus):
    assert found(corpus, "grip -rain") == {"grip"}
    assert found(corpus, 'grip -"wet roads"') == {"grip"}
    assert found(corpus, "overall -fabric") == EN_VISIBLE - {"light", "breath"}


def test_stop_words_among_other_words_are_ignored(corpus):
    assert found(corpus, "the grip") == {"run", "grip"}
    assert found(corpus, "grip -the") == {"run", "grip"}
    assert found(corpus, "grip of") == {"run", "grip"}


def test_only_stop_words_find_nothing(corpus):
    for query in ("the", "a", "the of", "-the"):
        results = services.search(query, user=ANONYMOUS)
        assert results.total == 0 and not results.hits, query


def test_context_product_and_brand_names_match_reviews(corpus):
    assert found(corpus, "harbor") == {"p:harbor", "road", "leak", "glue"}
    assert found(corpus, "stormline") == {"b:stormline", "p:harbor", "road", "leak", "glue"}


def test_title_ranks_above_body(corpus):
    # Each word is in one review's title and the other's body, in opposite orders, so
    # neither creation order nor id can explain the ranking.
    assert named(corpus, find(corpus, "lightweight")) == ["light", "breath"]
    assert named(corpus, find(corpus, "breathable")) == ["breath", "light"]


def test_zero_results(corpus):
    results = find(corpus, "xylophone")
    assert results.hits == []
    assert results.total == 0
    assert results.num_pages == 1
    assert not results.has_next


@pytest.mark.parametrize(
    "query",
    [
        "title:grip",
        "grip AND rain",
        "grip OR rain",
        "NOT grip",
        "NEAR(grip rain)",
        "(grip)",
        "grip^2",
        "grip~",
        "gri*",
        "gr?p",
        "grip\\",
        "/grip/",
        "' OR 1=1 --",
        ";DROP TABLE search_searchentry",
        'grip "',
        "grip -",
        "body:superb",
        "{grip} [rain]",
        "grip && rain || x",
    ],
)
def test_syntax_never_breaks_a_backend(corpus, query):
    results = find(corpus, query)
    assert results.total == len(results.hits) <= len(corpus.names) + 5


def test_syntax_words_are_plain_words(corpus):
    assert found(corpus, "title:grip") == set()  # "title" is a word nobody wrote
    assert found(corpus, "(grip)") == {"run", "grip"}
    assert found(corpus, "grip^") == {"run", "grip"}


# --- filters ------------------------------------------------------------------------


def test_filter_types(corpus):
    assert found(corpus, "harbor", types=("review",)) == {"road", "leak", "glue"}
    assert found(corpus, "harbor", types=("product",)) == {"p:harbor"}
    assert found(corpus, "stormline", types=("brand",)) == {"b:stormline"}
    assert found(corpus, "stormline", types=("brand", "product")) == {"b:stormline", "p:harbor"}


def test_filter_brand(corpus):
    assert found(corpus, "overall", brand="trailblaze") == {"run", "grip", "light", "breath"}
    assert found(corpus, "overall", brand="stormline") == {"road", "leak", "glue"}
    assert found(corpus, "overall", brand="nobody") == set()


def test_filter_product(corpus):
    harbor = corpus.products["harbor"].pk
    assert found(corpus, "overall", product_id=harbor) == {"road", "leak", "glue"}
    assert found(corpus, "overall", product_id=corpus.products["shan"].pk) == {"value"}


def test_filter_rating(corpus):
    assert found(corpus, "overall", rating_min=4) == {"run", "grip", "light", "value"}
    assert found(corpus, "overall", rating_max=2) == {"leak", "glue"}
    assert found(corpus, "overall", rating_min=3, rating_max=3) == {"breath", "road"}
    # Products and brands have no rating: a rating filter leaves them out.
    assert found(corpus, "harbor", rating_min=1) == {"road", "leak", "glue"}


def test_filter_verified_and_photos(corpus):
    assert found(corpus, "overall", verified=True) == {"run", "value"}
    assert found(corpus, "总体", verified=True) == {"zh_grip"}
    assert found(corpus, "overall", with_photos=True) == {"light", "leak"}


def test_filter_language(corpus):
    assert found(corpus, "alpaca") == {"p:alpaca", "run", "grip", "zh_light"}
    assert found(corpus, "alpaca", language="zh") == {"zh_light"}
    assert found(corpus, "alpaca", language="en") == {"p:alpaca", "run", "grip"}


def test_filter_dates_are_inclusive(corpus):
    march_10, march_20 = dt.date(2024, 3, 10), dt.date(2024, 3, 20)
    assert found(corpus, "overall", date_from=march_10, date_to=march_20) == {
        "light",
        "breath",
        "road",
    }
    assert found(corpus, "overall", date_from=dt.date(2024, 4, 1)) == {"value"}
    assert found(corpus, "overall", date_to=dt.date(2024, 3, 5)) == {"run", "grip"}


def test_filters_combine(corpus):
    assert found(corpus, "overall", brand="trailblaze", rating_min=4) == {"run", "grip", "light"}
    assert found(corpus, "overall", brand="trailblaze", with_photos=True, rating_max=3) == set()


# --- facets -------------------------------------------------------------------------


def facet(results, name) -> dict[str, int]:
    return {str(value.value): value.count for value in results.facets.get(name, []) if value.count}


def test_facets_count_every_match(corpus):
    results = find(corpus, "overall", page_size=2)
    assert facet(results, "brand") == {"trailblaze": 4, "stormline": 3, "shanxing": 1}
    assert facet(results, "rating") == {"5": 1, "4": 3, "3": 2, "2": 1, "1": 1}
    labels = {value.value: value.label for value in results.facets["brand"]}
    assert labels["shanxing"] == "山行者"


def test_each_facet_follows_the_other_filters_not_its_own(corpus):
    results = find(corpus, "overall", brand="trailblaze")
    assert results.total == 4
    assert facet(results, "brand") == {"trailblaze": 4, "stormline": 3, "shanxing": 1}
    assert facet(results, "rating") == {"5": 1, "4": 2, "3": 1}
    results = find(corpus, "overall", rating_min=4)
    assert results.total == 4
    assert facet(results, "brand") == {"trailblaze": 3, "shanxing": 1}
    assert facet(results, "rating") == {"5": 1, "4": 3, "3": 2, "2": 1, "1": 1}
    results = find(corpus, "overall", with_photos=True)
    assert facet(results, "brand") == {"trailblaze": 1, "stormline": 1}


def test_facets_for_a_narrow_query(corpus):
    results = find(corpus, "harbor")
    assert facet(results, "brand") == {"stormline": 4}
    assert facet(results, "rating") == {"3": 1, "2": 1, "1": 1}


# --- visibility ---------------------------------------------------------------------


def test_hidden_and_deleted_reviews_are_never_returned(corpus):
    moderator = ModeratorFactory()
    for user in (ANONYMOUS, moderator, corpus.reviews["hidden"].author):
        assert found(corpus, "hidden", user=user) == set()
        assert found(corpus, "deleted", user=user) == set()
        assert found(corpus, "grip", user=user) == {"run", "grip"}
    assert corpus.reviews["hidden"].status == Review.Status.HIDDEN
    assert corpus.reviews["deleted"].status == Review.Status.DELETED


def test_member_only_document(corpus):
    owner, stranger = MemberFactory(), MemberFactory()
    corpus.backend.index_documents(
        [
            IndexDocument(
                doc_type="review",
                doc_id=987654,
                title="Private zanzibar note",
                body="Only the owner sees this.",
                url="/private/",
                created=dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC),
                visibility=[visibility_member(owner.pk)],
            )
        ]
    )
    settle(corpus)
    assert found(corpus, "zanzibar", user=owner) == {"review:987654"}
    assert found(corpus, "zanzibar", user=ANONYMOUS) == set()
    assert found(corpus, "zanzibar", user=stranger) == set()


def test_visibility_changes_replace_the_old_keys(corpus):
    owner = MemberFactory()

    def index(visibility):
        document = IndexDocument(
            doc_type="review", doc_id=987656, title="Wombat diary", visibility=visibility
        )
        corpus.backend.index_documents([document])
        settle(corpus)

    index(["public", visibility_member(owner.pk)])
    assert found(corpus, "wombat", user=ANONYMOUS) == {"review:987656"}
    assert found(corpus, "wombat", user=owner) == {"review:987656"}
    index([visibility_member(owner.pk)])
    assert found(corpus, "wombat", user=ANONYMOUS) == set()
    assert found(corpus, "wombat", user=owner) == {"review:987656"}
    index([])  # visible to nobody
    assert found(corpus, "wombat", user=owner) == set()
    index(["public"])
    assert found(corpus, "wombat", user=MemberFactory()) == {"review:987656"}
    assert found(corpus, "wombat", user=ANONYMOUS) == {"review:987656"}


# --- pages and sorts ----------------------------------------------------------------

NEWEST = ["value", "glue", "leak", "road", "breath", "light", "grip", "run"]
HELPFUL = ["run", "leak", "light", "value", "grip", "glue", "road", "breath"]


def test_sort_newest(corpus):
    assert named(corpus, find(corpus, "overall", sort="newest")) == NEWEST


def test_sort_helpful(corpus):
    assert named(corpus, find(corpus, "overall", sort="helpful")) == HELPFUL


def test_unknown_sort_is_relevance(corpus):
    assert found(corpus, "overall", sort="drop table") == EN_VISIBLE


def test_pagination(corpus):
    pages = []
    for page in range(1, 5):
        results = find(corpus, "overall", sort="newest", page=page, page_size=2)
        assert (results.total, results.page, results.page_size) == (8, page, 2)
        assert results.num_pages == 4
        assert results.has_previous == (page > 1)
        assert results.has_next == (page < 4)
        pages.append(named(corpus, results))
    assert pages == [NEWEST[i : i + 2] for i in range(0, 8, 2)]


def test_page_beyond_the_end_is_empty(corpus):
    results = find(corpus, "overall", sort="newest", page=5, page_size=2)
    assert results.hits == []
    assert results.total == 8
    results = find(corpus, "overall", page=10**9, page_size=2)
    assert results.hits == []


def test_pagination_by_relevance_has_no_duplicates(corpus):
    seen = []
    for page in range(1, 5):
        seen += named(corpus, find(corpus, "overall", page=page, page_size=2))
    assert sorted(seen) == sorted(EN_VISIBLE)


# --- hits ---------------------------------------------------------------------------


def test_hit_fields(corpus):
    [hit] = find(corpus, "superb").hits
    review = corpus.reviews["run"]
    assert (hit.doc_type, hit.doc_id) == ("review", review.pk)
    assert hit.title == "Running in the rain"
    assert hit.url == review.get_absolute_url()
    assert hit.brand_name == "Trailblaze"
    assert (hit.rating, hit.verified, hit.has_photos, hit.helpful_count) == (5, True, False, 7)
    assert hit.created == dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)
    assert hit.language == "en"
    [zh_hit] = find(corpus, "抓地").hits
    assert zh_hit.language == "zh"


TAG_RE = re.compile(r"<\s*/?\s*([a-zA-Z0-9]+)")


def test_snippet_marks_matches(corpus):
    [hit] = find(corpus, "superb").hits
    assert re.search(r"<mark>superb</mark>", hit.snippet, re.IGNORECASE), hit.snippet
    assert set(TAG_RE.findall(hit.snippet)) <= {"mark"}


def test_snippet_is_sanitised(corpus):
    [hit] = find(corpus, "alert").hits
    assert corpus.names[f"review:{hit.doc_id}"] == "glue"
    assert "<script" not in hit.snippet.lower()
    assert set(TAG_RE.findall(hit.snippet)) <= {"mark"}, hit.snippet
    for hit in find(corpus, "glue").hits + find(corpus, "overall").hits:
        assert "<script" not in hit.snippet.lower()
        assert set(TAG_RE.findall(hit.snippet)) <= {"mark"}, hit.snippet


def test_snippet_escapes_any_markup(corpus):
    body = (
        'Quokka <img src=x onerror="alert(2)"> <mark>quokka</mark> <b>bold</b> '
        "<a href=javascript:alert(3)>quokka link</a> &lt;script&gt; quokka --> <!-- quokka"
    )
    corpus.backend.index_documents(
        [IndexDocument(doc_type="review", doc_id=987655, title="Markup", body=body)]
    )
    settle(corpus)
    [hit] = find(corpus, "quokka").hits
    assert "<mark>" in hit.snippet
    assert set(TAG_RE.findall(hit.snippet)) <= {"mark"}, hit.snippet
    assert "<!--" not in hit.snippet
    assert "&lt;script&gt;" not in hit.snippet  # the entity text itself is escaped again


def test_chinese_snippet_marks_matches(corpus):
    [hit] = find(corpus, "抓地").hits
    assert "<mark>" in hit.snippet
    assert set(TAG_RE.findall(hit.snippet)) <= {"mark"}


# --- autocomplete -------------------------------------------------------------------


def suggested(corpus, prefix) -> set[tuple[str, str]]:
    return {(s.doc_type, s.label) for s in services.autocomplete(prefix, user=ANONYMOUS)}


def test_autocomplete_product_prefix(corpus):
    assert suggested(corpus, "alp") == {("product", "Alpaca Trail Shoe")}
    assert suggested(corpus, "Harb") == {("product", "Harbor Boot")}


def test_autocomplete_brand_prefix(corpus):
    assert suggested(corpus, "storm") == {("brand", "Stormline"), ("product", "Harbor Boot")}
    assert suggested(corpus, "trail") == {
        ("brand", "Trailblaze"),
        ("product", "Alpaca Trail Shoe"),
        ("product", "Summit Jacket"),
    }


def test_autocomplete_chinese_prefix(corpus):
    assert suggested(corpus, "山地") == {("product", "山地跑鞋")}
    assert suggested(corpus, "山行") == {("brand", "山行者"), ("product", "山地跑鞋")}


def test_autocomplete_urls(corpus):
    [suggestion] = services.autocomplete("alpaca", user=ANONYMOUS)
    assert suggestion.url == corpus.products["alpaca"].get_absolute_url()


def test_autocomplete_only_products_and_brands(corpus):
    assert suggested(corpus, "grip") == set()
    assert suggested(corpus, "runn") == set()
    assert suggested(corpus, "xyz") == set()


# --- live updates -------------------------------------------------------------------


def test_changes_after_the_rebuild_reach_the_index(corpus, django_capture_on_commit_callbacks):
    """Signals (and, for an engine, the queue replayed on commit) keep the index current."""
    author = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        review = reviews.review_create(
            author=author,
            product=corpus.products["harbor"],
            rating=5,
            title="Quicksilver laces",
            body="Overall the laces never slip.",
        )
    settle(corpus)
    corpus.names[f"review:{review.pk}"] = "new"
    assert found(corpus, "quicksilver") == {"new"}
    assert found(corpus, "overall") == EN_VISIBLE | {"new"}

    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_update(
            review=review, editor=author, rating=4, title="Mercury laces", body="Still fine."
        )
    settle(corpus)
    assert found(corpus, "quicksilver") == set()
    assert found(corpus, "mercury", rating_min=4, rating_max=4) == {"new"}

    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_delete(review=review, actor=author)
    settle(corpus)
    assert found(corpus, "mercury") == set()


# --- writes -------------------------------------------------------------------------


def test_count_and_deletes(corpus):
    expected = len(corpus.names) - 2 + pages_count()  # hidden and deleted are not indexed
    assert corpus.backend.count() == expected
    corpus.backend.delete_documents(["review:999999", "gadget:1"])  # unknown keys: ignored
    corpus.backend.delete_documents([f"product:{corpus.products['harbor'].pk}"])
    settle(corpus)
    assert corpus.backend.count() == expected - 1
    assert found(corpus, "harbor") == {"road", "leak", "glue"}


def test_index_documents_replaces_by_key(corpus):
    review = corpus.reviews["grip"]
    document = IndexDocument(
        doc_type="review", doc_id=review.pk, title="Replaced", body="Nothing about tyres."
    )
    corpus.backend.index_documents([document, document])
    settle(corpus)
    assert found(corpus, "tyres") == {"grip"}
    assert found(corpus, "grip") == {"run"}
    assert corpus.backend.count() == len(corpus.names) - 2 + pages_count()


def pages_count() -> int:
    """Wagtail pages the page document type indexes (not club pages: clubs index those)."""
    from community.home.search_documents import PageDocument

    return PageDocument().get_queryset().count()
