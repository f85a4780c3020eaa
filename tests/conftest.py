import pytest
from django.core.cache import cache

from tests.factories import BrandStaffFactory, MemberFactory, ModeratorFactory, ProductFactory


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Every test writes uploads to its own folder and starts with empty rate limits;
    factories hash passwords with a fast hasher (the real one is slow on purpose)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.fixture
def other_member(db):
    return MemberFactory()


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def product(db):
    return ProductFactory()


@pytest.fixture
def brand_staff(db, product):
    """A staff member of `product`'s brand."""
    return BrandStaffFactory(brand=product.brand).member


@pytest.fixture
def other_brand_staff(db):
    return BrandStaffFactory().member
