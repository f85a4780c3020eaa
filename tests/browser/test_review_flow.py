"""A new member signs up, reviews a product with a photo, sees it on the product page,
and marks another member's review helpful, in real Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from community.members.models import Member
from community.reviews import services
from community.reviews.models import Review
from tests.factories import MemberFactory, ProductFactory, image_upload

# serialized_rollback: the flush after a transactional test would otherwise erase what
# data migrations created (home page, groups) for the tests that run after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def product_with_review(db):
    product = ProductFactory(name="Trail Tyre", slug="trail-tyre")
    other = MemberFactory(display_name="Lin")
    other_review = services.review_create(
        author=other, product=product, rating=4, title="Quiet on the road", body="Quiet and grippy."
    )
    return product, other_review


def test_sign_up_review_with_photo_and_mark_helpful(
    page: Page, live_server, product_with_review, tmp_path
):
    product, other_review = product_with_review
    photo = tmp_path / "tyre.jpg"
    photo.write_bytes(image_upload("tyre.jpg", size=(800, 600)).read())

    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.locator("#id_password1").fill("a-long-and-unusual-passphrase")
    page.locator("#id_password2").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("link", name="Ada")).to_be_visible()
    assert Member.objects.filter(email="ada@example.com", display_name="Ada").exists()

    page.goto(f"{live_server.url}{product.get_absolute_url()}")
    page.get_by_role("link", name="Write a review").click()
    page.locator("input[name=rating][value='5']").check()
    page.get_by_label("Title").fill("Best tyre I have owned")
    page.get_by_label("Your review").fill("Grips in the **rain**. <script>alert(1)</script>")
    page.get_by_label("Photos").set_input_files(str(photo))
    page.get_by_role("button", name="Publish review").click()

    expect(page).to_have_url(re.compile(re.escape(product.get_absolute_url())))
    expect(page.get_by_text("Thank you! Your review is published.")).to_be_visible()
    mine = Review.objects.get(author__email="ada@example.com")
    card = page.locator(f"#review-{mine.pk}")
    expect(card.get_by_role("heading", name="Best tyre I have owned")).to_be_visible()
    expect(card.locator("strong", has_text="rain")).to_be_visible()
    expect(card.locator("script")).to_have_count(0)
    expect(card.locator(".photos img")).to_have_count(1)
    assert mine.photos.count() == 1

    other_card = page.locator(f"#review-{other_review.pk}")
    other_card.get_by_role("button", name="Helpful").click()
    expect(other_card.get_by_text("1 person found this helpful")).to_be_visible()
    other_review.refresh_from_db()
    assert other_review.helpful_count == 1
    # The page was updated in place by htmx; a reload shows the same state.
    page.reload()
    reloaded = page.locator(f"#review-{other_review.pk}")
    expect(reloaded.get_by_role("button", name=re.compile("undo"))).to_be_visible()
