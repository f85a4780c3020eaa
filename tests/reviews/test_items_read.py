"""Reviews shown on a product page count toward the viewer's trust level ("items
read", community/reputation/activity.py), except the viewer's own review."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.reputation.activity import READ_SESSION_KEY
from community.reputation.models import MemberVisit
from community.reviews import services
from tests.factories import MemberFactory, ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _read(member) -> int:
    visit = MemberVisit.objects.filter(member=member).first()
    return visit.items_read if visit else 0


def _product_with_reviews(*authors):
    product = ProductFactory()
    reviews = [ReviewFactory(product=product, author=author) for author in authors]
    services.product_rating_recount(product=product)
    return product, reviews


def test_product_page_does_not_count_the_viewers_own_review(client):
    viewer = MemberFactory()
    product, (own, *others) = _product_with_reviews(viewer, MemberFactory(), MemberFactory())
    client.force_login(viewer)
    html = client.get(product.get_absolute_url()).content.decode()
    assert own.title in html  # shown, but not read
    assert _read(viewer) == 2
    assert set(client.session[READ_SESSION_KEY]["keys"]) == {f"review:{r.pk}" for r in others}


def test_a_page_with_only_the_viewers_review_counts_nothing(client):
    viewer = MemberFactory()
    product, _reviews = _product_with_reviews(viewer)
    client.force_login(viewer)
    assert client.get(product.get_absolute_url()).status_code == 200
    assert _read(viewer) == 0
    # Another member reading the same page counts it.
    reader = MemberFactory()
    client.force_login(reader)
    client.get(product.get_absolute_url())
    assert _read(reader) == 1


def test_leaving_out_the_own_review_costs_no_query(client):
    viewer = MemberFactory()
    product, _reviews = _product_with_reviews(viewer, MemberFactory(), MemberFactory())
    counts = []
    for who in (MemberFactory(), viewer):
        client.force_login(who)
        client.get(product.get_absolute_url())  # records today's visit
        session = client.session
        del session[READ_SESSION_KEY]  # so that this page counts again
        session.save()
        with CaptureQueriesContext(connection) as context:
            client.get(product.get_absolute_url())
        counts.append(len(context))
    # The stranger's page counts three reviews, the author's two: the same queries.
    assert counts[0] == counts[1], counts
