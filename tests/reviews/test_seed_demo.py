"""manage.py seed_demo: demo data that is idempotent, consistent and bilingual."""

from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from brand_clubs.models import Brand, BrandStaff, Category, Product
from community.members.models import Member
from community.reviews.models import BrandReply, HelpfulVote, PurchaseCode, Review, ReviewPhoto
from community.reviews.services import product_rating_recount
from community.text import detect_language, render_markdown

SUMMARY_FIELDS = (
    "rating_count",
    "rating_total",
    *(f"stars_{n}" for n in range(1, 6)),
)


def _counts() -> dict[str, int]:
    return {
        "categories": Category.objects.count(),
        "brands": Brand.objects.count(),
        "products": Product.objects.count(),
        "members": Member.objects.count(),
        "brand_staff": BrandStaff.objects.count(),
        "reviews": Review.objects.count(),
        "photos": ReviewPhoto.objects.count(),
        "votes": HelpfulVote.objects.count(),
        "codes": PurchaseCode.objects.count(),
        "replies": BrandReply.objects.count(),
    }


def _summaries() -> dict[int, tuple]:
    return {row[0]: row[1:] for row in Product.objects.values_list("pk", *SUMMARY_FIELDS)}


@pytest.fixture
def seeded(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    call_command("seed_demo", reviews=40, quiet=True, verbosity=0)


def test_seed_creates_the_demo_catalogue_and_members(seeded):
    counts = _counts()
    assert counts["categories"] == 5
    assert counts["brands"] == 6
    assert counts["products"] == 30
    assert Member.objects.filter(email__regex=r"^member[0-9]+@goodword\.example$").count() == 200
    assert counts["reviews"] == 40
    assert all(Product.objects.values_list("image", flat=True))
    assert all(Brand.objects.values_list("logo", flat=True))
    assert Brand.objects.filter(slug__regex=r"^[a-z0-9-]+$").count() == 6
    languages = {detect_language(name) for name in Brand.objects.values_list("name", flat=True)}
    assert languages == {"zh", "en"}


def test_demo_accounts_can_log_in(seeded, client):
    admin = Member.objects.get(email="admin@goodword.example")
    assert admin.is_staff and admin.is_superuser and admin.display_name == "Goodword admin"
    for email, password in [
        ("admin@goodword.example", "goodword-admin"),
        ("demo@goodword.example", "goodword-demo"),
        ("staff@goodword.example", "goodword-staff"),
    ]:
        assert client.login(email=email, password=password), email
        client.logout()
    staff = Member.objects.get(email="staff@goodword.example")
    first_brand = Brand.objects.get(slug="roadgrip")
    assert BrandStaff.objects.filter(
        member=staff, brand=first_brand, role=BrandStaff.Role.ADMIN
    ).exists()
    assert not Member.objects.get(email="member1@goodword.example").has_usable_password()


def test_running_twice_adds_nothing(seeded):
    before, summaries = _counts(), _summaries()
    call_command("seed_demo", reviews=40, quiet=True, verbosity=0)
    assert _counts() == before
    assert _summaries() == summaries


def test_asking_for_more_adds_only_the_missing_reviews(seeded):
    call_command("seed_demo", reviews=70, quiet=True, verbosity=0)
    assert Review.objects.count() == 70
    pairs = list(Review.objects.values_list("author_id", "product_id"))
    assert len(pairs) == len(set(pairs))


def test_reviews_are_bilingual_and_consistent_with_summaries_and_related_rows(seeded):
    assert set(Review.objects.values_list("language", flat=True)) == {"zh", "en"}
    stored = _summaries()
    assert sum(row[0] for row in stored.values()) == 40
    for product in Product.objects.all():
        recounted = product_rating_recount(product=product)
        assert tuple(getattr(recounted, name) for name in SUMMARY_FIELDS) == stored[product.pk]
    for review in Review.objects.all():
        assert review.body_html == render_markdown(review.body)
        assert review.language == detect_language(review.title, review.body)
        assert review.helpful_count == review.helpful_votes.count()
        assert review.photo_count == review.photos.count()
        assert review.verified_purchase == PurchaseCode.objects.filter(review=review).exists()
    for code in PurchaseCode.objects.select_related("review__product"):
        assert code.is_redeemed and code.redeemed_by_id == code.review.author_id
        assert code.brand_id == code.review.product.brand_id
    for reply in BrandReply.objects.select_related("review__product"):
        assert reply.brand_id == reply.review.product.brand_id
        assert BrandStaff.objects.filter(brand=reply.brand, member=reply.author).exists()


def test_some_reviews_have_real_metadata_free_photos(seeded, settings):
    photos = list(ReviewPhoto.objects.all())
    assert photos
    assert Review.objects.filter(photo_count__gt=0).count() == 4  # min(30, 40 // 10)
    for photo in photos:
        for name in ("thumb", "thumb_webp", "medium", "medium_webp", "large", "large_webp"):
            path = Path(settings.MEDIA_ROOT) / getattr(photo, name).name
            assert path.is_file(), path
        with Image.open(Path(settings.MEDIA_ROOT) / photo.large.name) as img:
            assert img.size == (photo.width, photo.height)
            assert not img.getexif()
