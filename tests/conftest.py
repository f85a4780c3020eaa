import pytest
from django.core.cache import cache

from tests.factories import BrandStaffFactory, MemberFactory, ModeratorFactory, ProductFactory


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Every test writes uploads to its own folder and starts with empty rate limits;
    factories hash passwords with a fast hasher (the real one is slow on purpose)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "INDEX_PREFIX" in settings.SEARCH:  # never write into a real site's engine index
        settings.SEARCH = {**settings.SEARCH, "INDEX_PREFIX": "goodword-test-suite"}
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


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _is_serialized(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker is not None and marker.kwargs.get("serialized_rollback"))


def _is_browser(item) -> bool:
    return "tests/browser/" in str(item.fspath)


def pytest_collection_modifyitems(items):
    """Run transactional tests last, as Django's own runner does, and browser tests at
    the very end: Playwright's sync API leaves an event loop running in the main thread
    for the rest of the session, where the socket tests' async_to_sync cannot run.

    Every transactional test restores the migrated data (content types, home page,
    groups) with serialized_rollback. A flush without it runs post_migrate, which
    recreates content types under new ids on PostgreSQL, and the next test that does
    restore them would then collide with those rows."""
    for item in items:
        if _is_transactional(item) and not _is_serialized(item):
            marker = item.get_closest_marker("django_db")
            kwargs = dict(marker.kwargs) if marker is not None else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
    items.sort(key=lambda item: (_is_browser(item), _is_transactional(item)))
