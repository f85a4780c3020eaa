"""brand_clubs.selectors: brand and product reads."""

import pytest
from django.http import Http404

from brand_clubs import selectors
from brand_clubs.models import Product
from tests.factories import BrandFactory, ProductFactory

pytestmark = pytest.mark.django_db


def rated(name, *ratings, **fields) -> Product:
    """A product whose summary says it has these ratings."""
    summary = {f"stars_{n}": ratings.count(n) for n in range(1, 6)}
    return ProductFactory(
        name=name, rating_count=len(ratings), rating_total=sum(ratings), **summary, **fields
    )


def names(products) -> list[str]:
    return [p.name for p in products]


def test_top_rated_ordering():
    rated("Four-and-a-half", 4, 5)
    rated("Perfect once", 5)
    rated("Perfect thrice", 5, 5, 5)
    rated("Zed perfect twice", 5, 5)
    rated("Alpha perfect twice", 5, 5)
    rated("Poor", 1, 2)
    rated("Unrated")

    top = selectors.product_list_top_rated()

    assert names(top) == [
        "Perfect thrice",  # same average: more reviews first
        "Alpha perfect twice",  # then by name
        "Zed perfect twice",
        "Perfect once",
        "Four-and-a-half",  # not rounded down by integer division
        "Poor",
    ]
    assert top[0].average == 5.0 and top[4].average == 4.5


def test_top_rated_limit_and_min_reviews():
    rated("A", 5)
    rated("B", 4, 4, 4)
    rated("C", 3, 3)
    assert names(selectors.product_list_top_rated(limit=2)) == ["A", "B"]
    assert names(selectors.product_list_top_rated(min_reviews=2)) == ["B", "C"]
    assert selectors.product_list_top_rated(min_reviews=4) == []


def test_top_rated_selects_brand(django_assert_num_queries):
    for n in range(5):
        rated(f"P{n}", 4)
    with django_assert_num_queries(1):
        assert len({p.brand.name for p in selectors.product_list_top_rated()}) == 5


def test_product_get():
    product = ProductFactory(slug="kettle", brand=BrandFactory(slug="acme"))
    ProductFactory(slug="kettle", brand=BrandFactory(slug="other"))
    fetched = selectors.product_get(brand_slug="acme", product_slug="kettle")
    assert fetched == product and fetched.brand.slug == "acme"


@pytest.mark.parametrize(
    ("brand_slug", "product_slug"),
    [("acme", "toaster"), ("nobody", "kettle"), ("other", "kettle"), ("", "")],
)
def test_product_get_404(brand_slug, product_slug):
    ProductFactory(slug="kettle", brand=BrandFactory(slug="acme"))
    BrandFactory(slug="other")
    with pytest.raises(Http404):
        selectors.product_get(brand_slug=brand_slug, product_slug=product_slug)


def test_brand_get_and_lists():
    acme = BrandFactory(name="Acme", slug="acme")
    BrandFactory(name="Zeta", slug="zeta")
    ProductFactory(brand=acme, name="Toaster")
    ProductFactory(brand=acme, name="Kettle")
    assert selectors.brand_get(slug="acme") == acme
    with pytest.raises(Http404):
        selectors.brand_get(slug="missing")
    assert names(selectors.brand_list()) == ["Acme", "Zeta"]
    assert names(selectors.product_list_for_brand(brand=acme)) == ["Kettle", "Toaster"]
