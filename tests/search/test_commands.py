"""rebuild_search_index and process_search_queue, on the database backend."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page

from brand_clubs.models import ClubIndexPage, ClubPage
from community.demo.seeding import demo_seed
from search import indexing
from search.backends import get_backend
from search.models import SearchEntry
from tests.factories import ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _call(name: str, *args) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_rebuild_search_index_indexes_every_document(database_search):
    product = ProductFactory()  # a product and its brand
    ReviewFactory.create_batch(3, product=product)
    ReviewFactory(product=product, status="hidden")  # not indexable
    # The home page; the club section is not a document (club pages join their club's).
    pages = (
        Page.objects.live().public().filter(depth__gt=1).not_type(ClubIndexPage, ClubPage).count()
    )
    expected = 3 + 1 + 1 + pages  # reviews, the product, its brand, pages
    SearchEntry.objects.all().delete()  # as after a bulk import that bypassed signals
    assert get_backend().count() == 0

    output = _call("rebuild_search_index")

    assert f"rebuild_search_index: {expected} documents indexed." in output
    assert get_backend().count() == expected
    assert f"rebuild_search_index: {expected} documents indexed." in _call(
        "rebuild_search_index", "--no-progress"
    )  # idempotent


def test_process_search_queue_has_nothing_pending_on_the_database_backend(database_search):
    ReviewFactory()
    output = _call("process_search_queue")
    assert output.strip() == "process_search_queue: 0 applied, 0 pending."


def test_demo_seeding_leaves_a_complete_index(database_search, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_seed(reviews=30)  # bulk_create: no signals, so the seeding rebuilds the index
    assert get_backend().count() == len(list(indexing.all_documents()))
    assert get_backend().count() >= 30 + 30 + 6  # reviews, products, brands
