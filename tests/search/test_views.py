"""The search page and the search box's suggestions: states (tips, results, nothing
found, reduced mode), filters, facets, sorting, paging bounds, hostile input, and a fixed
number of SQL queries however many results match. The views do not depend on the
backend, so these run on the database backend (`database_search`)."""

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from community.reviews import services as reviews
from search.backends.base import BaseSearchBackend, SearchUnavailable
from search.indexing import keys_changed
from tests.factories import (
    BrandFactory,
    MemberFactory,
    ModeratorFactory,
    ProductFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("search:search")
AUTOCOMPLETE_URL = reverse("search:autocomplete")
HIT_RE = re.compile(r'<article class="search-hit')
TOTAL_RE = re.compile(r'data-total="(\d+)"')


@pytest.fixture(autouse=True)
def _database_backend(database_search):
    return database_search


def _review(product, *, title="Great grip", body="Holds the road in the rain.", rating=5):
    return reviews.review_create(
        author=MemberFactory(), product=product, rating=rating, title=title, body=body
    )


def _get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def _total(html: str) -> int:
    match = TOTAL_RE.search(html)
    assert match, "no results section on the page"
    return int(match.group(1))


def _links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(\?[^"]*)"', html)]


def _params(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


# --- states ---------------------------------------------------------------------------


def test_empty_query_shows_tips_and_a_way_to_browse(client):
    html = _get(client)
    assert "Search tips" in html
    assert "&quot;quoted phrase&quot;" in html or '"quoted phrase"' in html
    assert "-exclude" in html
    assert reverse("brand_clubs:brand_list") in html
    assert "data-total" not in html  # no results section at all


def test_results_page_shows_the_hit_and_keeps_the_query(client, product):
    review = _review(product, title="Superb wet grip", body="Stops short on rainy roundabouts.")
    html = _get(client, q="roundabouts")
    assert _total(html) == 1
    assert f'href="{review.get_absolute_url()}"' in html
    assert "Superb wet grip" in html
    assert "<mark>" in html  # the backend's highlighted snippet, rendered as HTML
    assert product.brand.name in html
    assert 'aria-label="5 stars out of 5"' in html
    assert "Review" in html  # the type label
    assert 'value="roundabouts"' in html  # kept in the box
    assert "1 result for" in html


def test_dates_are_shown_in_the_viewers_time_zone(client, product):
    review = _review(product, body="Stops short on rainy roundabouts.")
    written = dt.datetime(2024, 1, 1, 23, 30, tzinfo=dt.UTC)
    type(review).objects.filter(pk=review.pk).update(created_at=written)
    keys_changed([f"review:{review.pk}"])
    assert "Jan. 1, 2024" in _get(client, q="roundabouts")
    client.cookies["gw_tz"] = "Asia/Shanghai"
    assert "Jan. 2, 2024" in _get(client, q="roundabouts")


def test_header_has_the_search_box_with_suggestions(client):
    html = _get(client)
    assert 'action="/search/"' in html
    assert f'hx-get="{AUTOCOMPLETE_URL}"' in html
    assert 'hx-trigger="input changed delay:200ms"' in html
    assert 'hx-target="#site-search-suggestions"' in html


def test_no_results_suggests_what_to_try(client, product):
    _review(product)
    html = _get(client, q="xylophonic")
    assert _total(html) == 0
    assert "Nothing matched your search." in html
    assert "Check the spelling." in html
    assert "Try fewer or more general words." in html
    assert "Remove the filters" not in html  # nothing to remove


def test_no_results_with_filters_links_to_the_same_query_without_them(client, product):
    _review(product, rating=5, body="Silent on the motorway.")
    html = _get(client, q="motorway", rating_max=2, verified="on")
    assert _total(html) == 0
    assert "Remove the filters" in html
    clear = re.search(r'<a href="([^"]*)">Remove the filters</a>', html).group(1)
    assert _params(clear.replace("&amp;", "&")) == {"q": ["motorway"]}
    assert _total(_get(client, **{k: v[0] for k, v in _params(clear).items()})) == 1


def test_hidden_review_is_not_found(client, product):
    review = _review(product, title="Loud tyres", body="A constant hum at speed.")
    assert _total(_get(client, q="hum")) == 1
    reviews.review_hide(review=review, moderator=ModeratorFactory(), reason="Spam")
    html = _get(client, q="hum")
    assert _total(html) == 0
    assert "Loud tyres" not in html


class _DownBackend(BaseSearchBackend):
    name = "down"

    def search(self, request):
        raise SearchUnavailable("connection refused")

    def autocomplete(self, prefix, *, visibility, types, limit):
        raise SearchUnavailable("connection refused")


def test_degraded_notice_when_the_engine_is_down(client, product, monkeypatch):
    _review(product, body="Stops short on rainy roundabouts.")
    # search.services looks the backend up through its own import of get_backend.
    monkeypatch.setattr("search.services.get_backend", lambda: _DownBackend({}))
    html = _get(client, q="roundabouts")
    assert "Search is running in reduced mode; results may be less relevant." in html
    assert _total(html) == 1  # answered by the database backend
    assert "reduced mode" not in _get(client)  # nothing searched, nothing degraded


# --- filters, facets, sorting -----------------------------------------------------------


def test_facets_link_to_their_filter_and_filters_can_be_cleared(client):
    grip, other = BrandFactory(name="RoadGrip", slug="roadgrip"), BrandFactory(slug="other")
    _review(ProductFactory(brand=grip), rating=5, body="Quiet motorway cruiser.")
    _review(ProductFactory(brand=grip), rating=3, body="Motorway noise is fine.")
    _review(ProductFactory(brand=other), rating=5, body="Motorway comfort.")
    html = _get(client, q="motorway")
    assert _total(html) == 3
    links = _links(html)
    brand_link = next(link for link in links if _params(link).get("brand") == ["roadgrip"])
    assert _params(brand_link)["q"] == ["motorway"]
    star_link = next(link for link in links if _params(link).get("rating_min") == ["5"])
    assert _params(star_link)["rating_max"] == ["5"]

    filtered = _get(client, **{k: v[0] for k, v in _params(brand_link).items()})
    assert _total(filtered) == 2
    assert "Clear all filters" in filtered
    assert "Brand: RoadGrip" in filtered  # the filter in use, named as the facet names it
    clear = re.search(r'<a href="([^"]*)" class="search-clear"', filtered).group(1)
    assert _params(clear.replace("&amp;", "&")) == {"q": ["motorway"]}
    both = _get(client, q="motorway", brand="roadgrip", rating_min=5, rating_max=5)
    assert _total(both) == 1


def test_type_and_other_filters_narrow_results(client):
    brand = BrandFactory(name="Brewmaster", slug="brewmaster")
    product = ProductFactory(brand=brand, name="Brewmaster Espresso Pro")
    _review(product, title="Espresso heaven", body="Thick crema every morning.", rating=4)
    assert _total(_get(client, q="espresso")) == 2  # the product and the review
    assert _total(_get(client, q="espresso", type="review")) == 1
    assert _total(_get(client, q="espresso", type="product")) == 1
    assert _total(_get(client, q="espresso", type="review", rating_min=5)) == 0
    assert _total(_get(client, q="espresso", type="review", verified="1")) == 0
    assert _total(_get(client, q="espresso", type="review", with_photos="on")) == 0
    assert _total(_get(client, q="espresso", type="review", language="en")) == 1
    assert _total(_get(client, q="espresso", type="review", language="zh")) == 0
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert _total(_get(client, q="espresso", type="review", date_from=tomorrow)) == 0


def test_sort_switcher_orders_hits(client, product):
    old = _review(product, title="Older espresso", body="Espresso review one.")
    new = _review(ProductFactory(), title="Newer espresso", body="Espresso review two.")
    type(old).objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=30))
    keys_changed([f"review:{old.pk}"])
    html = _get(client, q="espresso", sort="newest")
    assert html.index("Newer espresso") < html.index("Older espresso")
    assert '<strong aria-current="true">Newest</strong>' in html
    assert any(_params(link).get("sort") == ["helpful"] for link in _links(html))
    reviews.review_mark_helpful(review=old, voter=MemberFactory())
    html = _get(client, q="espresso", sort="helpful")
    assert html.index("Older espresso") < html.index("Newer espresso")
    assert new.title in html


# --- paging -----------------------------------------------------------------------------


@pytest.fixture
def many_hits(product):
    ReviewFactory.create_batch(25, product=product, body="Zebra stripes everywhere.")


@pytest.mark.usefixtures("many_hits")
@pytest.mark.parametrize(
    ("page_param", "shown", "hits"),
    [("1", 1, 20), ("2", 2, 5), ("-1", 1, 20), (str(10**9), 2, 5), ("abc", 1, 20), ("", 1, 20)],
)
def test_pagination_bounds(client, page_param, shown, hits):
    # (not named "page": pytest-playwright owns a fixture of that name)
    html = _get(client, q="zebra", page=page_param)
    assert _total(html) == 25
    assert len(HIT_RE.findall(html)) == hits
    assert f"Page {shown} of 2" in html
    links = {tuple(_params(link).get("page", [])) for link in _links(html)}
    assert (("2",) in links) == (shown == 1)  # next
    assert (("1",) in links) == (shown == 2)  # previous


# --- hostile and odd input --------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "a" * 10_000,
        "tyre " * 2_000,
        '-"" "" - -- ""',
        '" OR 1=1 --',
        "title:(foo) AND bar^2~",
        "'; DROP TABLE search_searchentry; --",
        "\\*?[]{}!&&||/",
        "\u0000grip",
        "\U0001f600 grip \u200b",
    ],
)
def test_odd_queries_never_fail(client, product, q):
    _review(product)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200


def test_query_of_only_operators_is_an_empty_search(client):
    html = _get(client, q='-"" "" - -- ""')
    assert "no words to look for" in html
    assert "data-total" not in html


def test_script_in_the_query_is_reflected_escaped(client, product):
    _review(product)
    payload = "<script>alert(1)</script>"
    html = _get(client, q=payload)
    assert payload not in html
    assert escape(payload) in html


@pytest.mark.parametrize(
    "params",
    [
        {"type": "secret"},
        {"brand": "../../etc"},
        {"product": "one"},
        {"product": "-5"},
        {"rating_min": "9", "rating_max": "0"},
        {"verified": "maybe"},
        {"language": "fr"},
        {"date_from": "yesterday", "date_to": "2024-13-45"},
        {"sort": "price"},
    ],
)
def test_bad_filter_values_are_dropped(client, product, params):
    _review(product, body="Motorway comfort.")
    html = _get(client, q="motorway", **params)
    assert _total(html) == 1  # as if the bad value were not there
    assert "errorlist" not in html


def test_swapped_bounds_are_put_right(client, product):
    _review(product, rating=4, body="Motorway comfort.")
    assert _total(_get(client, q="motorway", rating_min=5, rating_max=3)) == 1


def test_post_is_not_allowed(client):
    assert client.post(URL, {"q": "grip"}).status_code == 405


# --- autocomplete -----------------------------------------------------------------------


def test_autocomplete_fragment_and_json(client):
    brand = BrandFactory(name="Michelin", slug="michelin")
    product = ProductFactory(brand=brand, name="Pilot Road 6")
    response = client.get(AUTOCOMPLETE_URL, {"q": "pilo"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="listbox"' in html and 'role="option"' in html
    assert f'href="{product.get_absolute_url()}"' in html
    assert "Pilot Road 6" in html

    response = client.get(AUTOCOMPLETE_URL, {"q": "mich"}, headers={"Accept": "application/json"})
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert {"label": "Michelin", "url": brand.get_absolute_url(), "type": "brand"} in (
        data["suggestions"]
    )
    assert "Accept" in response["Vary"]


def test_autocomplete_with_nothing_to_suggest_is_empty(client):
    ProductFactory(name="Pilot Road 6")
    assert client.get(AUTOCOMPLETE_URL, {"q": "p"}).content.strip() == b""  # too short
    assert client.get(AUTOCOMPLETE_URL, {"q": "zzzz"}).content.strip() == b""
    response = client.get(
        AUTOCOMPLETE_URL, {"q": "<script>"}, headers={"Accept": "application/json"}
    )
    assert json.loads(response.content) == {"suggestions": []}


# --- query count ----------------------------------------------------------------------


def _queries(client, count: int, django_assert_max_num_queries) -> int:
    product = ProductFactory()
    ReviewFactory.create_batch(count, product=product, body="Quokka approved.")
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as queries:
        html = _get(client, q="quokka")
    assert _total(html) == count
    assert len(HIT_RE.findall(html)) == min(count, 20)
    type(product).objects.all().delete()  # the next round starts afresh
    return len(queries.captured_queries)


def test_results_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    assert _queries(client, 10, django_assert_max_num_queries) == _queries(
        client, 50, django_assert_max_num_queries
    )
