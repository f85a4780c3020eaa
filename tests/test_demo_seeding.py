"""community.demo.seeding.demo_seed, called directly (tests/reviews/test_seed_demo.py covers
the command and the data it leaves)."""

import pytest

from community.demo.seeding import DemoSeedError, demo_reviews, demo_seed
from community.reviews.models import BrandReply


def test_demo_seed_reports_what_it_holds_and_adds_nothing_the_second_time(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    first = demo_seed(reviews=30)
    assert (first.brands, first.products, first.members) == (6, 30, 200)
    assert first.reviews == first.created == demo_reviews().count() == 30
    assert first.with_photos == 3  # min(30, 30 // 10)
    assert first.verified == demo_reviews().filter(verified_purchase=True).count()
    assert first.brand_replies == BrandReply.objects.count()
    again = demo_seed(reviews=30)
    assert again.created == 0
    assert (again.reviews, again.verified, again.with_photos) == (30, first.verified, 3)


def test_demo_seed_refuses_a_negative_count(db):
    with pytest.raises(DemoSeedError):
        demo_seed(reviews=-1)
