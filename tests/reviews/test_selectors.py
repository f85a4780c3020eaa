"""community.reviews.selectors, and who may read which review (access_review_read)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from community.errors import NotFound
from community.reviews import selectors, services
from community.reviews.models import HelpfulVote, Review, ReviewFlag
from tests.factories import MemberFactory, ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def make(product=None, *, age_days=0, **fields) -> Review:
    """A review written `age_days` ago (created_at is auto_now_add, so set it after)."""
    review = ReviewFactory(**({"product": product} if product else {}), **fields)
    created_at = NOW - timedelta(days=age_days)
    Review.objects.filter(pk=review.pk).update(created_at=created_at)
    review.created_at = created_at
    return review


def titles(queryset) -> list[str]:
    return [review.title for review in queryset]


@pytest.fixture
def catalogue(product):
    """Five published reviews of `product` with distinct ages, ratings and votes, plus
    reviews that must never be listed."""
    reviews = {
        "old-5": make(product, title="old-5", age_days=5, rating=5, helpful_count=1),
        "mid-1": make(product, title="mid-1", age_days=3, rating=1, helpful_count=7),
        "new-3": make(product, title="new-3", age_days=1, rating=3, helpful_count=0),
        "new-5": make(
            product, title="new-5", age_days=0, rating=5, helpful_count=3, verified_purchase=True
        ),
        "photo-2": make(product, title="photo-2", age_days=2, rating=2, photo_count=2),
    }
    make(product, title="hidden", status=Review.Status.HIDDEN, rating=5, helpful_count=99)
    make(product, title="deleted", status=Review.Status.DELETED, rating=1, helpful_count=99)
    make(ProductFactory(), title="elsewhere", age_days=4, rating=5)
    return reviews


# --- review_list_for_product --------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["new-5", "new-3", "photo-2", "mid-1", "old-5"]),
        ("helpful", ["mid-1", "new-5", "old-5", "new-3", "photo-2"]),
        ("highest", ["new-5", "old-5", "new-3", "photo-2", "mid-1"]),
        ("lowest", ["mid-1", "photo-2", "new-3", "new-5", "old-5"]),
        ("bogus", ["new-5", "new-3", "photo-2", "mid-1", "old-5"]),  # falls back to newest
    ],
)
def test_for_product_sorting(product, catalogue, sort, expected):
    assert titles(selectors.review_list_for_product(product=product, sort=sort)) == expected


def test_for_product_ties_broken_by_newest_then_pk(product):
    first = make(product, title="a", rating=4)
    second = make(product, title="b", rating=4)
    Review.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=NOW)
    listed = titles(selectors.review_list_for_product(product=product, sort="highest"))
    assert listed == ["b", "a"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"stars": 5}, ["new-5", "old-5"]),
        ({"stars": 1}, ["mid-1"]),
        ({"stars": 4}, []),
        ({"stars": None}, ["new-5", "new-3", "photo-2", "mid-1", "old-5"]),
        ({"stars": 9}, ["new-5", "new-3", "photo-2", "mid-1", "old-5"]),  # ignored
        ({"with_photos": True}, ["photo-2"]),
        ({"verified": True}, ["new-5"]),
        ({"verified": True, "stars": 3}, []),
        ({"with_photos": True, "stars": 2}, ["photo-2"]),
    ],
)
def test_for_product_filters(product, catalogue, filters, expected):
    assert titles(selectors.review_list_for_product(product=product, **filters)) == expected


def test_for_product_excludes_hidden_and_deleted(product, catalogue):
    listed = titles(selectors.review_list_for_product(product=product, sort="helpful"))
    assert "hidden" not in listed and "deleted" not in listed and "elsewhere" not in listed


def test_viewer_voted_annotation(product, catalogue, other_member):
    HelpfulVote.objects.create(review=catalogue["mid-1"], voter=other_member)
    HelpfulVote.objects.create(review=catalogue["old-5"], voter=MemberFactory())

    voted = {
        r.title: r.viewer_voted
        for r in selectors.review_list_for_product(product=product, viewer=other_member)
    }
    assert voted == {
        "old-5": False,
        "mid-1": True,
        "new-3": False,
        "new-5": False,
        "photo-2": False,
    }

    for viewer in (None, AnonymousUser()):
        listed = selectors.review_list_for_product(product=product, viewer=viewer)
        assert not any(r.viewer_voted for r in listed)


def test_for_product_query_count_does_not_grow(product, django_assert_max_num_queries):
    viewer = MemberFactory()
    for _ in range(10):
        make(product, photo_count=1)
    with django_assert_max_num_queries(3):  # reviews + photos + endorsements prefetches
        for review in selectors.review_list_for_product(product=product, viewer=viewer):
            _ = (review.author.public_name, review.product.brand.name, list(review.photos.all()))


# --- review_list_latest -------------------------------------------------------------


def test_latest(catalogue):
    latest = selectors.review_list_latest(limit=3)
    assert isinstance(latest, list)
    assert titles(latest) == ["new-5", "new-3", "photo-2"]
    assert "hidden" not in titles(selectors.review_list_latest(limit=50))
    assert "deleted" not in titles(selectors.review_list_latest(limit=50))
    assert len(selectors.review_list_latest()) == 6


# --- review_list_by_author ----------------------------------------------------------


@pytest.fixture
def authored(member):
    return {
        "pub": make(author=member, title="pub", age_days=2),
        "hid": make(author=member, title="hid", age_days=1, status=Review.Status.HIDDEN),
        "del": make(author=member, title="del", age_days=0, status=Review.Status.DELETED),
    }


def test_by_author_author_sees_own_hidden(member, authored):
    assert titles(selectors.review_list_by_author(author=member, viewer=member)) == ["hid", "pub"]


@pytest.mark.parametrize("viewer", ["other_member", "moderator", "anonymous", "none"])
def test_by_author_others_see_published_only(request, member, authored, viewer):
    special = {"anonymous": AnonymousUser(), "none": None}
    who = special[viewer] if viewer in special else request.getfixturevalue(viewer)
    assert titles(selectors.review_list_by_author(author=member, viewer=who)) == ["pub"]


# --- review_get ---------------------------------------------------------------------


def test_get_returns_review_with_viewer_vote(other_member):
    review = make()
    HelpfulVote.objects.create(review=review, voter=other_member)
    fetched = selectors.review_get(pk=str(review.pk), viewer=other_member)
    assert fetched == review and fetched.viewer_voted is True
    assert selectors.review_get(pk=review.pk).viewer_voted is False


def test_get_returns_hidden_review_for_the_caller_to_check():
    review = make(status=Review.Status.HIDDEN)
    assert selectors.review_get(pk=review.pk) == review


@pytest.mark.parametrize("pk", ["abc", "", None, 10**12, -1, 0, "1; DROP TABLE"])
def test_get_not_found(pk):
    make()
    with pytest.raises(NotFound):
        selectors.review_get(pk=pk)


# --- review_of_member_for_product ---------------------------------------------------


def test_review_of_member_for_product(member, product):
    assert selectors.review_of_member_for_product(member=member, product=product) is None
    deleted = make(product, author=member, status=Review.Status.DELETED)
    assert selectors.review_of_member_for_product(member=member, product=product) is None
    Review.objects.filter(pk=deleted.pk).delete()
    hidden = make(product, author=member, status=Review.Status.HIDDEN)
    assert selectors.review_of_member_for_product(member=member, product=product) == hidden
    assert selectors.review_of_member_for_product(member=AnonymousUser(), product=product) is None
    assert selectors.review_of_member_for_product(member=None, product=product) is None


# --- review_list_flagged ------------------------------------------------------------


def test_flagged_counts_open_flags_only(moderator):
    two_open = make(title="two-open", age_days=1)
    one_open = make(title="one-open", age_days=0)
    all_resolved = make(title="all-resolved")
    never = make(title="never")  # noqa: F841

    reporters = MemberFactory.create_batch(3)
    for reporter in reporters:
        ReviewFlag.objects.create(review=two_open, reporter=reporter, reason="spam")
    ReviewFlag.objects.filter(review=two_open, reporter=reporters[0]).update(
        resolved_at=NOW, resolved_by=moderator
    )
    ReviewFlag.objects.create(review=one_open, reporter=reporters[0], reason="fake")
    ReviewFlag.objects.create(
        review=all_resolved, reporter=reporters[0], reason="spam", resolved_at=NOW
    )

    flagged = list(selectors.review_list_flagged())

    assert [(r.title, r.open_flag_count) for r in flagged] == [("two-open", 2), ("one-open", 1)]
    assert [len(r.open_flags) for r in flagged] == [2, 1]
    assert all(f.resolved_at is None for r in flagged for f in r.open_flags)


def test_flagged_queue_empties_when_moderated(moderator, other_member):
    review = make()
    services.product_rating_recount(product=review.product)  # the factory skips the summary
    services.review_flag(review=review, reporter=other_member, reason="spam")
    assert [r.pk for r in selectors.review_list_flagged()] == [review.pk]
    services.review_hide(review=review, moderator=moderator, reason="Spam")
    assert list(selectors.review_list_flagged()) == []


# --- access_review_read -------------------------------------------------------------

P, H, D = Review.Status.PUBLISHED, Review.Status.HIDDEN, Review.Status.DELETED


@pytest.mark.parametrize(
    ("status", "viewer", "allowed"),
    [
        (P, "anonymous", True),
        (P, "author", True),
        (P, "other_member", True),
        (P, "moderator", True),
        (H, "anonymous", False),
        (H, "author", True),
        (H, "other_member", False),
        (H, "moderator", True),
        (D, "anonymous", False),
        (D, "author", False),
        (D, "other_member", False),
        (D, "moderator", True),
    ],
)
def test_access_review_read_matrix(request, member, status, viewer, allowed):
    review = make(author=member, status=status)
    user = {
        "anonymous": AnonymousUser(),
        "author": member,
    }.get(viewer) or request.getfixturevalue(viewer)
    if allowed:
        services.access_review_read(user=user, review=review)
    else:
        with pytest.raises(NotFound):
            services.access_review_read(user=user, review=review)


@pytest.mark.parametrize(
    "status",
    [
        H,
        D,
    ],
)
def test_access_review_read_with_no_user_is_anonymous(status):
    """Selectors take viewer=None for "nobody signed in"; so must the access rule."""
    with pytest.raises(NotFound):
        services.access_review_read(user=None, review=make(status=status))
