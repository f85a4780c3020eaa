"""Brand and product pages: content, filters, bad query strings, JSON-LD and a fixed
number of SQL queries however many reviews a page shows."""

import json
import re

import pytest
from django.urls import reverse

from community.reviews import services
from community.reviews.models import HelpfulVote, Review
from tests.factories import (
    BrandFactory,
    MemberFactory,
    ProductFactory,
    ReviewFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


def _reviews(product, count, **kwargs):
    reviews = ReviewFactory.create_batch(count, product=product, **kwargs)
    services.product_rating_recount(product=product)
    return reviews


def test_brand_list_and_detail(client):
    brand = BrandFactory(name="Michelin")
    ProductFactory(brand=brand, name="Pilot Road 6")
    response = client.get(reverse("brand_clubs:brand_list"))
    assert response.status_code == 200
    assert "Michelin" in response.content.decode()
    response = client.get(brand.get_absolute_url())
    assert "Pilot Road 6" in response.content.decode()


def test_brand_list_empty_state(client):
    assert "No brands yet." in client.get(reverse("brand_clubs:brand_list")).content.decode()


def test_unknown_brand_and_product_are_404(client, product):
    assert client.get("/brands/no-such-brand/").status_code == 404
    assert client.get(f"/brands/{product.brand.slug}/no-such-product/").status_code == 404


def test_product_page_shows_summary_and_reviews(client, product):
    services.review_create(
        author=MemberFactory(), product=product, rating=5, title="Superb", body="Loved it"
    )
    services.review_create(
        author=MemberFactory(), product=product, rating=2, title="Meh", body="Did not last"
    )
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Superb" in html and "Meh" in html
    assert "3.5" in html  # the average
    assert "2 reviews" in html


def test_product_page_empty_state(client, product):
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Nobody has reviewed this product yet" in html


def test_hidden_and_deleted_reviews_are_not_shown(client, product, moderator):
    author = MemberFactory()
    hidden = services.review_create(
        author=author, product=product, rating=1, title="Spammy", body="buy now"
    )
    services.review_hide(review=hidden, moderator=moderator, reason="spam")
    gone = services.review_create(
        author=MemberFactory(), product=product, rating=2, title="Regret", body="x"
    )
    services.review_delete(review=gone, actor=gone.author)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Spammy" not in html and "Regret" not in html
    assert client.get(reverse("reviews:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("reviews:detail", args=[gone.pk])).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected", "unexpected"),
    [
        ("?stars=5", ["Five"], ["One"]),
        ("?stars=1", ["One"], ["Five"]),
        ("?verified=on", ["Five"], ["One"]),
        ("?with_photos=on", ["One"], ["Five"]),
        ("?sort=lowest", ["One", "Five"], []),
    ],
)
def test_product_page_filters(client, product, query, expected, unexpected):
    _reviews(product, 1, rating=5, title="Five", verified_purchase=True)
    _reviews(product, 1, rating=1, title="One", photo_count=1)
    html = client.get(product.get_absolute_url() + query).content.decode()
    for title in expected:
        assert title in html
    for title in unexpected:
        assert f">{title}<" not in html


def test_sorting_order(client, product):
    _reviews(product, 1, rating=5, title="Five")
    _reviews(product, 1, rating=1, title="One")
    html = client.get(product.get_absolute_url() + "?sort=lowest").content.decode()
    assert html.index(">One<") < html.index(">Five<")
    html = client.get(product.get_absolute_url() + "?sort=highest").content.decode()
    assert html.index(">Five<") < html.index(">One<")


@pytest.mark.parametrize(
    "query", ["?stars=9", "?stars=abc", "?sort=drop+table", "?page=-1", "?page=99999", "?page=x"]
)
def test_bad_query_strings_fall_back(client, product, query):
    _reviews(product, 3)
    response = client.get(product.get_absolute_url() + query)
    assert response.status_code == 200
    assert response.content.decode().count('class="review card"') == 3


def test_filtered_empty_state(client, product):
    _reviews(product, 2, rating=4)
    html = client.get(product.get_absolute_url() + "?stars=1").content.decode()
    assert "No reviews match these filters." in html


def test_pagination(client, product):
    _reviews(product, 25)
    first = client.get(product.get_absolute_url()).content.decode()
    second = client.get(product.get_absolute_url() + "?page=2").content.decode()
    assert first.count('class="review card"') == 20
    assert second.count('class="review card"') == 5
    assert "Page 1 of 2" in first


def test_json_ld_describes_product_rating_and_visible_reviews(client, product):
    services.review_create(
        author=MemberFactory(display_name="Mei"),
        product=product,
        rating=4,
        title="Solid </script><script>alert(1)</script>",
        body="Good",
    )
    html = client.get(product.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "Product"
    assert data["name"] == product.name
    assert data["aggregateRating"]["ratingValue"] == 4.0
    assert data["aggregateRating"]["reviewCount"] == 1
    assert data["review"][0]["author"]["name"] == "Mei"
    assert data["review"][0]["name"].startswith("Solid </script>")
    assert "<script>alert" not in raw  # member text cannot close the JSON-LD element


def test_brand_staff_sees_reply_link_only_on_own_brand(
    client, product, brand_staff, other_brand_staff
):
    review = _reviews(product, 1)[0]
    reply_url = reverse("reviews:reply", args=[review.pk])
    client.force_login(brand_staff)
    assert reply_url in client.get(product.get_absolute_url()).content.decode()
    client.force_login(other_brand_staff)
    assert reply_url not in client.get(product.get_absolute_url()).content.decode()


def _product_page_queries(client, django_assert_max_num_queries, product, viewer, limit):
    if viewer is not None:
        client.force_login(viewer)
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(product.get_absolute_url() + "?page=1")
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("as_member", [False, True])
def test_product_page_query_count_is_fixed(client, django_assert_max_num_queries, as_member):
    """10 reviews or 50 (20 shown per page, each with photos, replies and votes):
    the same number of queries."""
    viewer = MemberFactory() if as_member else None
    counts = []
    for size in (10, 50):
        product = ProductFactory()
        reviews = _reviews(product, size, photo_count=1)
        for review in reviews:
            review.photos.create(
                width=10,
                height=10,
                thumb="a.jpg",
                thumb_webp="a.webp",
                medium="a.jpg",
                medium_webp="a.webp",
                large="a.jpg",
                large_webp="a.webp",
            )
            if viewer is not None:
                HelpfulVote.objects.create(review=review, voter=viewer)
        counts.append(
            _product_page_queries(client, django_assert_max_num_queries, product, viewer, 20)
        )
    assert counts[0] == counts[1], counts


def test_home_page_query_count_is_fixed(client, django_assert_max_num_queries):
    """The home page shows as many latest reviews as editors choose (10 or 50 here)."""
    from community.home.models import HomePage

    home = HomePage.objects.get()
    counts = []
    for size in (10, 50):
        Review.objects.all().delete()
        home.latest_reviews_count = size
        home.save_revision().publish()
        _reviews(ProductFactory(), size)
        client.get("/")  # warm Wagtail's per-process site and page caches
        with django_assert_max_num_queries(25) as captured:
            response = client.get("/")
        assert response.status_code == 200
        assert response.content.decode().count('class="review card"') == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_product_page_shows_photos(client, product):
    review = services.review_create(
        author=MemberFactory(),
        product=product,
        rating=5,
        title="With a photo",
        body="See",
        photos=[image_upload("a.jpg", size=(400, 300))],
    )
    html = client.get(product.get_absolute_url()).content.decode()
    photo = review.photos.get()
    assert photo.thumb.url in html and photo.thumb_webp.url in html
