"""Review pages and actions over HTTP: forms keep the member's text on errors, other
members' reviews cannot be touched by id, JSON and htmx clients get 4xx bodies."""

import io

import pytest
from django.urls import reverse

from community.reputation.rules import TrustLevel
from community.reviews import services
from community.reviews.models import BrandReply, Review, ReviewFlag
from tests.factories import MemberFactory, image_upload

pytestmark = pytest.mark.django_db


def _create(product, author=None, **kwargs):
    defaults = {"rating": 4, "title": "Nice", "body": "Works"}
    defaults.update(kwargs)
    return services.review_create(author=author or MemberFactory(), product=product, **defaults)


def test_write_review_requires_login(client, product):
    response = client.get(reverse("reviews:create", args=[product.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_write_review_with_photo(client, member, product):
    member.trust_level = TrustLevel.BASIC  # more than one photo opens at level 1
    member.save(update_fields=["trust_level"])
    client.force_login(member)
    response = client.post(
        reverse("reviews:create", args=[product.pk]),
        {
            "rating": "5",
            "title": "Great",
            "body": "Really **great**",
            "photos": [image_upload("one.jpg"), image_upload("two.png", fmt="PNG")],
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(author=member)
    assert review.photos.count() == 2
    product.refresh_from_db()
    assert product.rating_count == 1 and product.stars_5 == 1


def test_bad_photo_is_a_form_error_and_text_is_kept(client, member, product):
    client.force_login(member)
    fake = io.BytesIO(b"this is not an image at all")
    fake.name = "holiday.jpg"
    response = client.post(
        reverse("reviews:create", args=[product.pk]),
        {"rating": "4", "title": "My title", "body": "My long text", "photos": [fake]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "holiday.jpg" in html  # the error names the file
    assert "My title" in html and "My long text" in html  # nothing typed is lost
    assert not Review.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6", "abc", ""])
def test_bad_rating_is_a_form_error(client, member, product, rating):
    client.force_login(member)
    response = client.post(
        reverse("reviews:create", args=[product.pk]),
        {"rating": rating, "title": "T", "body": "B"},
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_second_review_redirects_to_edit(client, member, product):
    review = _create(product, author=member)
    client.force_login(member)
    response = client.get(reverse("reviews:create", args=[product.pk]))
    assert response["Location"] == reverse("reviews:edit", args=[review.pk])


def test_unknown_product_is_404(client, member):
    client.force_login(member)
    assert client.get(reverse("reviews:create", args=[999999])).status_code == 404


def test_edit_own_review_keeps_revision(client, member, product):
    review = _create(product, author=member, title="Old title")
    client.force_login(member)
    response = client.post(
        reverse("reviews:edit", args=[review.pk]),
        {"rating": "2", "title": "New title", "body": "Changed my mind"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.title == "New title"
    assert review.revisions.get().title == "Old title"


def test_someone_elses_review_cannot_be_edited_or_deleted_by_id(client, other_member, product):
    review = _create(product, title="Mine")
    client.force_login(other_member)
    edit = reverse("reviews:edit", args=[review.pk])
    assert client.get(edit).status_code == 403
    response = client.post(edit, {"rating": "1", "title": "Hacked", "body": "x"})
    assert response.status_code == 403
    assert client.post(reverse("reviews:delete", args=[review.pk])).status_code == 403
    review.refresh_from_db()
    assert review.title == "Mine" and review.status == Review.Status.PUBLISHED


def test_delete_asks_for_confirmation_then_soft_deletes(client, member, product):
    review = _create(product, author=member)
    client.force_login(member)
    url = reverse("reviews:delete", args=[review.pk])
    assert "Delete your review?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.DELETED


def test_helpful_vote_plain_form_htmx_and_json(client, member, product):
    review = _create(product)
    client.force_login(member)
    url = reverse("reviews:helpful", args=[review.pk])
    assert client.post(url, {"action": "mark"}).status_code == 302
    review.refresh_from_db()
    assert review.helpful_count == 1
    response = client.post(url, {"action": "unmark"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "0 people found this helpful" in response.content.decode()
    response = client.post(url, {"action": "mark"}, headers={"Accept": "application/json"})
    assert response.json() == {"helpful_count": 1, "voted": True}


def test_helpful_vote_on_own_review_is_a_4xx_json_error(client, member, product):
    review = _create(product, author=member)
    client.force_login(member)
    response = client.post(
        reverse("reviews:helpful", args=[review.pk]), headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "own_review"


def test_helpful_vote_anonymous(client, product):
    review = _create(product)
    url = reverse("reviews:helpful", args=[review.pk])
    assert client.post(url, headers={"Accept": "application/json"}).status_code == 403
    assert client.get(url).status_code == 405


def test_helpful_requires_csrf(product, member):
    from django.test import Client

    review = _create(product)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(reverse("reviews:helpful", args=[review.pk])).status_code == 403


def test_flag_review(client, member, product):
    review = _create(product)
    client.force_login(member)
    url = reverse("reviews:flag", args=[review.pk])
    assert client.post(url, {"reason": "spam", "note": "link farm"}).status_code == 302
    assert ReviewFlag.objects.get().reason == "spam"
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 400
    assert "already reported" in response.content.decode()


def test_brand_reply_permissions(client, product, brand_staff, other_brand_staff, member):
    review = _create(product)
    url = reverse("reviews:reply", args=[review.pk])
    for outsider in (member, other_brand_staff):
        client.force_login(outsider)
        assert client.post(url, {"body": "We are sorry"}).status_code == 403
    client.force_login(brand_staff)
    assert client.post(url, {"body": "Thanks for the **review**"}).status_code == 302
    reply = BrandReply.objects.get(review=review)
    assert "<strong>review</strong>" in reply.body_html
    html = client.get(product.get_absolute_url()).content.decode()
    assert f"Official reply from {product.brand.name}" in html


def test_review_detail_of_hidden_review_for_author_and_moderator(client, product, moderator):
    review = _create(product)
    services.review_hide(review=review, moderator=moderator, reason="Off topic")
    url = reverse("reviews:detail", args=[review.pk])
    assert client.get(url).status_code == 404
    client.force_login(review.author)
    assert "Hidden by a moderator" in client.get(url).content.decode()
    client.force_login(moderator)
    assert client.get(url).status_code == 200


def test_script_in_review_is_not_executed(client, product):
    _create(
        product,
        body="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    html = client.get(product.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "<img src=x onerror" not in html
