"""The read-only moderation queue for members of trust level 3 (/reviews/moderation/),
and the weighted order both queues share (reviews.selectors)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.reputation.rules import TrustLevel
from community.reviews import selectors, services
from community.reviews.models import Review, ReviewFlag
from tests.factories import MemberFactory, ModeratorFactory, ProductFactory, ReviewFactory

pytestmark = pytest.mark.django_db

QUEUE = "/reviews/moderation/"


def flag(review, *, level=TrustLevel.NEW, reason="spam", ago=None):
    made = services.review_flag(
        review=review, reporter=MemberFactory(trust_level=level), reason=reason, note="secret"
    )
    if ago is not None:
        ReviewFlag.objects.filter(pk=made.pk).update(created_at=timezone.now() - ago)
    return made


@pytest.fixture
def regular(db):
    return MemberFactory(trust_level=TrustLevel.REGULAR)


def test_url():
    assert reverse("reviews:moderation_queue") == QUEUE


# --- order -----------------------------------------------------------------------------


def test_queue_is_ordered_by_open_weight_then_longest_waiting():
    two_light = ReviewFactory(title="two light flags")
    flag(two_light, ago=timedelta(hours=5))
    flag(two_light, ago=timedelta(hours=4))
    one_heavy_old = ReviewFactory(title="one heavy old flag")
    flag(one_heavy_old, level=TrustLevel.MEMBER, ago=timedelta(days=2))
    three = ReviewFactory(title="three light flags")
    for _n in range(3):
        flag(three, ago=timedelta(minutes=5))
    resolved_heavy = ReviewFactory(title="heavy but resolved")
    for _n in range(3):
        flag(resolved_heavy, level=TrustLevel.REGULAR)
    ReviewFlag.objects.filter(review=resolved_heavy).update(resolved_at=timezone.now())
    flag(resolved_heavy)  # one open flag of weight 1 left

    rows = list(selectors.review_list_flagged())
    assert [r.title for r in rows] == [
        "three light flags",  # weight 3
        "one heavy old flag",  # weight 2, waiting 2 days
        "two light flags",  # weight 2, waiting 5 hours
        "heavy but resolved",  # only the open flag counts
    ]
    assert [(r.open_flag_weight, r.open_flag_count) for r in rows] == [
        (3, 3),
        (2, 1),
        (2, 2),
        (1, 1),
    ]
    page = selectors.moderation_queue_page()
    assert [r.title for r in page.object_list] == [r.title for r in rows]


def test_read_only_queue_lists_published_reviews_only():
    shown = ReviewFactory(title="shown")
    deleted = ReviewFactory(title="deleted by author")
    flag(shown)
    flag(deleted)
    Review.objects.filter(pk=deleted.pk).update(status=Review.Status.DELETED)
    assert [r.title for r in selectors.moderation_queue_page().object_list] == ["shown"]


def test_reasons_are_counted_most_frequent_first():
    review = ReviewFactory()
    flag(review, reason="fake")
    flag(review, reason="spam")
    flag(review, reason="spam")
    (row,) = selectors.moderation_queue_page().object_list
    assert row.flag_reasons == [
        (ReviewFlag.Reason.SPAM.label, 2),
        (ReviewFlag.Reason.FAKE.label, 1),
    ]


# --- access ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("level", [TrustLevel.NEW, TrustLevel.BASIC, TrustLevel.MEMBER])
def test_below_regular_gets_403_with_the_privilege_message(client, level):
    flag(ReviewFactory(title="Flagged one"))
    client.force_login(MemberFactory(trust_level=level))
    response = client.get(QUEUE)
    assert response.status_code == 403
    body = response.content.decode()
    assert "See the moderation queue" in body and "trust level 3" in body
    assert "Flagged one" not in body


@pytest.mark.parametrize("level", [TrustLevel.REGULAR, TrustLevel.LEADER])
def test_regular_and_leader_see_the_queue_read_only(client, level, product):
    review = services.review_create(
        author=MemberFactory(), product=product, rating=2, title="Flagged one", body="b"
    )
    flag(review, reason="fake", level=TrustLevel.MEMBER)
    flag(review, reason="fake")
    client.force_login(MemberFactory(trust_level=level))
    response = client.get(QUEUE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Flagged one" in body
    assert reverse("reviews:detail", args=[review.pk]) in body
    assert product.name in body and review.author.public_name in body
    assert "weight 3 from 2 flags" in body
    assert f"{ReviewFlag.Reason.FAKE.label} \N{MULTIPLICATION SIGN} 2" in body
    assert "flagged" in body and "ago" in body
    # Read only: no moderation actions, no reporters' notes, no back-office link.
    for name in ("hide", "restore", "dismiss", "queue"):
        url = reverse(f"review_moderation:{name}", args=[review.pk] if name != "queue" else [])
        assert url not in body
    assert "secret" not in body
    assert 'method="post" action="/reviews' not in body


def test_moderator_sees_the_queue_with_a_link_to_the_back_office(client, moderator):
    flag(ReviewFactory(title="Flagged one"))
    assert moderator.trust_level == TrustLevel.NEW
    client.force_login(moderator)
    response = client.get(QUEUE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Flagged one" in body
    assert reverse("review_moderation:queue") in body


def test_empty_queue(client, regular):
    client.force_login(regular)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert "the queue is empty" in response.content.decode()


def test_bad_page_numbers_fall_back(client, regular):
    flag(ReviewFactory())
    client.force_login(regular)
    for page in ("abc", "999999999999999999999", "-1"):
        assert client.get(QUEUE, {"page": page}).status_code == 200


def test_post_is_not_allowed(client, regular):
    client.force_login(regular)
    assert client.post(QUEUE).status_code == 405


# --- the nav link ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("new", False),
        ("member", False),
        ("regular", True),
        ("moderator", True),
    ],
)
def test_nav_link_only_for_members_who_hold_the_privilege(client, who, shown):
    user = {
        "new": lambda: MemberFactory(),
        "member": lambda: MemberFactory(trust_level=TrustLevel.MEMBER),
        "regular": lambda: MemberFactory(trust_level=TrustLevel.REGULAR),
        "moderator": ModeratorFactory,
    }[who]()
    client.force_login(user)
    body = client.get(reverse("experts:question_list")).content.decode()
    assert (f'href="{QUEUE}"' in body) is shown


def test_no_nav_link_for_anonymous(client):
    assert f'href="{QUEUE}"' not in client.get(reverse("experts:question_list")).content.decode()


# --- query count -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_query_count_does_not_grow(client, regular, django_assert_max_num_queries, count):
    product = ProductFactory()
    for n in range(count):
        review = ReviewFactory(product=product, title=f"flagged {n}")
        flag(review, reason="spam")
        flag(review, reason="fake", level=TrustLevel.MEMBER)
    client.force_login(regular)
    client.get(QUEUE)  # the day's visit is recorded once, on the first request
    with django_assert_max_num_queries(9):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert response.content.decode().count('class="card queue-item"') == min(count, 20)
    with django_assert_max_num_queries(9):
        assert client.get(QUEUE, {"page": 2}).status_code == 200
