"""A change made while the engine's index is being rebuilt reaches only the old index;
it must be replayed into the new one after the alias switch, not lost."""

import pytest

from search import services
from search.backends import get_backend
from search.models import PendingIndexUpdate, SearchRebuild
from tests.factories import BrandFactory
from tests.search.test_services import FakeQueuedBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    settings.SEARCH = {"BACKEND": "tests.search.test_services.FakeQueuedBackend"}
    backend = get_backend()
    assert isinstance(backend, FakeQueuedBackend)
    return backend


def test_change_during_rebuild_is_replayed_after_the_switch(
    fake, django_capture_on_commit_callbacks
):
    brand = BrandFactory(name="Before")
    changed_during = {}

    def rebuild(documents, *, total, progress=None):
        fake.documents = {d.key: d for d in documents}  # the new index, read from the DB
        # Meanwhile someone renames the brand; its update goes to the old index.
        with django_capture_on_commit_callbacks(execute=True):
            brand.name = "After"
            brand.save()
        changed_during["keys"] = set(PendingIndexUpdate.objects.values_list("key", flat=True))
        fake.documents[f"brand:{brand.pk}"].title = "Before"  # what the new index holds

    fake.rebuild = rebuild
    services.index_rebuild()

    assert f"brand:{brand.pk}" in changed_during["keys"]  # kept while the rebuild ran
    assert fake.documents[f"brand:{brand.pk}"].title == "After"  # replayed after it
    assert not PendingIndexUpdate.objects.exists()
    assert SearchRebuild.objects.get().finished_at is not None


def test_queue_rows_from_before_a_rebuild_are_covered_by_it(fake):
    PendingIndexUpdate.objects.create(key="brand:999999")
    services.index_rebuild()
    assert not PendingIndexUpdate.objects.exists()
