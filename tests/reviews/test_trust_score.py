"""Weighted word of mouth: the formula (reputation.rules), the product score and its
"How is this calculated?" page, the brand trust summary, and fixed query counts."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.reputation import rules
from community.reputation.models import MemberVisit, ReputationScore
from community.reviews import services
from community.reviews.models import BrandReply, Review
from community.reviews.trust_score import (
    brand_trust_summary,
    duration_text,
    product_weight_breakdown,
    product_weighted_score,
    trend_since,
)
from experts.models import Certificate, Endorsement
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ProductFactory,
    ReviewFactory,
)

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
X = "\N{MULTIPLICATION SIGN}"  # as the pages print factors


def weight(**kwargs):
    facts = {
        "verified_purchase": False,
        "expert_checked": False,
        "field_reputation": 0,
        "age_days": 0,
        "helpful_count": 0,
    }
    facts.update(kwargs)
    return rules.review_weight(**facts)


# --- the formula ------------------------------------------------------------------------


def test_a_fresh_plain_review_by_a_newcomer_weighs_one():
    assert weight() == 1.0


def test_verified_purchase_and_expert_check_each_multiply_by_one_and_a_half():
    assert weight(verified_purchase=True) == 1.5
    assert weight(expert_checked=True) == 1.5
    assert weight(verified_purchase=True, expert_checked=True) == 2.25


@pytest.mark.parametrize(
    ("points", "factor"),
    [
        (0, 1.0),
        (None, 1.0),
        (-40, 1.0),  # a negative field score is not a penalty
        (9, 1 + 1 / 3),
        (99, 1 + 2 / 3),
        (999, 2.0),
        (10**9, 2.0),  # capped
    ],
)
def test_field_reputation_is_logarithmic_and_capped_at_double(points, factor):
    assert weight(field_reputation=points) == pytest.approx(factor)


@pytest.mark.parametrize(
    ("age_days", "factor"),
    [(0, 1.0), (-3, 1.0), (365, 0.5), (730, 0.25), (3650, 0.25), (182.5, 2**-0.5)],
)
def test_recency_halves_each_year_down_to_a_quarter(age_days, factor):
    assert weight(age_days=age_days) == pytest.approx(factor)


@pytest.mark.parametrize(("votes", "factor"), [(0, 1.0), (5, 1.5), (15, 1.75), (10**6, 2.0)])
def test_helpfulness_saturates_below_double(votes, factor):
    assert weight(helpful_count=votes) == pytest.approx(factor, abs=1e-5)


def test_the_heaviest_review_weighs_nine_and_factors_multiply():
    factors = rules.review_weight_factors(
        verified_purchase=True,
        expert_checked=True,
        field_reputation=10**6,
        age_days=0,
        helpful_count=10**9,
    )
    assert factors.weight == pytest.approx(9.0, abs=1e-6)
    assert factors == pytest.approx((1.5, 1.5, 2.0, 1.0, 2.0), abs=1e-6)


def test_weighted_average_without_reviews_has_no_score():
    score = rules.weighted_average([])
    assert score.score is None and score.plain is None
    assert score.count == 0 and score.total_weight == 0 and score.low_evidence


def test_weighted_average_needs_three_reviews():
    score = rules.weighted_average([(5, 9.0), (1, 1.0)])
    assert score.score is None
    assert score.plain == 3.0 and score.count == 2


def test_equal_weights_give_the_plain_average():
    for each in (0.25, 1.0, 9.0):
        score = rules.weighted_average([(5, each), (4, each), (1, each)])
        assert score.score == pytest.approx(10 / 3)


def test_weighted_average_by_hand():
    # Plain 3; weighted sum 5*9 + 1*1 + 3*2 = 52 over weight 12; the prior adds the
    # plain average twice: (52 + 2*3) / (12 + 2) = 58 / 14.
    score = rules.weighted_average([(5, 9.0), (1, 1.0), (3, 2.0)])
    assert score.plain == 3.0
    assert score.score == pytest.approx(58 / 14)
    assert score.total_weight == 12.0 and not score.low_evidence


def test_tiny_weights_stay_close_to_the_plain_average_and_say_so():
    # Three old reviews (weight 0.25 each, but one helpful): the prior of 2 outweighs
    # their 0.9 total, so the score moves less than a third of the way.
    pairs = [(5, 0.25 * 1.6), (1, 0.25), (1, 0.25)]
    score = rules.weighted_average(pairs)
    unshrunk = sum(r * w for r, w in pairs) / sum(w for _r, w in pairs)
    assert score.low_evidence
    assert score.plain < score.score < unshrunk
    assert score.score - score.plain < (unshrunk - score.plain) / 3
    # Zero weights (impossible from review_weight, but the function is total): the plain.
    assert rules.weighted_average([(5, 0), (1, 0), (3, 0)]).score == 3.0


# --- product score ----------------------------------------------------------------------


def _at(review, moment):
    Review.objects.filter(pk=review.pk).update(created_at=moment)
    review.created_at = moment
    return review


def _endorse(review, *, brand_affiliation=None, status=Certificate.Status.ACTIVE):
    certificate = CertificateFactory(status=status, categories=[review.product.category])
    return Endorsement.objects.create(
        expert=certificate.member,
        review=review,
        certificate=certificate,
        note="Checked.",
        note_html="<p>Checked.</p>",
        brand_affiliation=brand_affiliation,
    )


@pytest.mark.django_db
def test_product_score_applies_every_factor_to_published_reviews_only():
    product = ProductFactory()
    other_field = CategoryFactory()
    fresh = _at(ReviewFactory(product=product, rating=5, verified_purchase=True), NOW)
    _endorse(fresh)
    ReputationScore.objects.create(member=fresh.author, category=product.category, total=99)
    ReputationScore.objects.create(member=fresh.author, category=other_field, total=10**6)
    _at(ReviewFactory(product=product, rating=1, helpful_count=5), NOW - timedelta(365))
    # An endorsement by an employee of the brand, one on a revoked certificate: shown or
    # not, neither lifts the weight.
    plain = _at(ReviewFactory(product=product, rating=2), NOW)
    _endorse(plain, brand_affiliation=product.brand)
    _endorse(plain, status=Certificate.Status.REVOKED)
    # What other members cannot see counts for nothing.
    for status in (Review.Status.HIDDEN, Review.Status.DELETED):
        _at(ReviewFactory(product=product, rating=5, status=status, verified_purchase=True), NOW)
    ReviewFactory(rating=1)  # another product

    score = product_weighted_score(product=product, now=NOW)

    w_fresh = 1.5 * 1.5 * (1 + 2 / 3)  # verified, expert, 99 points in the field
    w_old = 0.5 * 1.5  # a year old, 5 helpful votes
    w_plain = 1.0
    expected = (5 * w_fresh + 1 * w_old + 2 * w_plain + 2 * (8 / 3)) / (
        w_fresh + w_old + w_plain + 2
    )
    assert score.count == 3
    assert score.plain == pytest.approx(8 / 3)
    assert score.total_weight == pytest.approx(w_fresh + w_old + w_plain)
    assert score.score == pytest.approx(expected)


@pytest.mark.django_db
def test_product_without_category_or_reviews():
    product = ProductFactory(category=None)
    assert product_weighted_score(product=product).score is None
    reviews = [ReviewFactory(product=product, rating=r) for r in (5, 3, 4)]
    ReputationScore.objects.create(member=reviews[0].author, category=CategoryFactory(), total=500)
    score = product_weighted_score(product=product)
    assert score.score == pytest.approx(4.0, abs=1e-3)  # equal weights: the plain average


@pytest.mark.django_db
def test_breakdown_sorts_by_weight_and_names_the_reviewers():
    product = ProductFactory()
    light = _at(ReviewFactory(product=product, rating=2), NOW - timedelta(days=800))
    heavy = _at(ReviewFactory(product=product, rating=5, verified_purchase=True), NOW)
    middle = _at(ReviewFactory(product=product, rating=4), NOW)
    breakdown = product_weight_breakdown(product=product, now=NOW, per_page=2)
    first = breakdown.page.object_list
    assert [r.pk for r in first] == [heavy.pk, middle.pk]
    assert first[0].author == heavy.author and first[0].factors.verified == 1.5
    assert breakdown.page.paginator.num_pages == 2
    second = product_weight_breakdown(product=product, now=NOW, per_page=2, page="2")
    [row] = second.page.object_list
    assert row.pk == light.pk and row.factors.recency == 0.25
    assert breakdown.average_weight == pytest.approx((1.5 + 1 + 0.25) / 3)


# --- the pages --------------------------------------------------------------------------


def _recounted(product, ratings, **kwargs):
    reviews = [ReviewFactory(product=product, rating=r, **kwargs) for r in ratings]
    services.product_rating_recount(product=product)
    return reviews


@pytest.mark.django_db
def test_product_page_shows_the_weighted_score_and_its_link(client):
    product = ProductFactory()
    _recounted(product, [5, 1, 3])
    verified = Review.objects.filter(product=product, rating=5)
    verified.update(verified_purchase=True)
    html = client.get(product.get_absolute_url()).content.decode()
    expected = product_weighted_score(product=product).score
    assert "Trust-weighted score" in html
    block = html[html.index('class="weighted-score"') :]
    assert f"<strong>{expected:.1f}</strong> / 5" in block and expected != pytest.approx(3.0)
    assert "Little evidence" not in block
    url = reverse("brand_clubs:product_weighted", args=[product.brand.slug, product.slug])
    assert url in html


@pytest.mark.django_db
def test_product_page_says_when_the_reviews_carry_little_weight(client):
    product = ProductFactory()
    for review in _recounted(product, [5, 4, 1]):
        _at(review, timezone.now() - timedelta(days=3 * 365))  # 0.25 each, 0.75 in all
    score = product_weighted_score(product=product)
    assert score.low_evidence and score.total_weight == pytest.approx(0.75)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Little evidence yet" in html


@pytest.mark.django_db
def test_product_page_with_few_reviews_explains_why_there_is_no_weighted_score(client):
    product = ProductFactory()
    _recounted(product, [5])
    html = client.get(product.get_absolute_url()).content.decode()
    assert "from 3 reviews" in html


@pytest.mark.django_db
def test_product_page_counts_the_reviews_shown_as_read(client, member):
    product = ProductFactory()
    _recounted(product, [4, 5, 3])
    client.force_login(member)
    client.get(product.get_absolute_url())
    client.get(product.get_absolute_url())  # the same reviews again: not counted twice
    assert MemberVisit.objects.get(member=member).items_read == 3


@pytest.mark.django_db
def test_breakdown_page(client):
    product = ProductFactory()
    expert_author = CertificateFactory(categories=[product.category]).member
    reviews = _recounted(product, [5, 2, 4])
    Review.objects.filter(pk=reviews[0].pk).update(author=expert_author, verified_purchase=True)
    hidden = ReviewFactory(product=product, rating=1, status=Review.Status.HIDDEN)
    url = reverse("brand_clubs:product_weighted", args=[product.brand.slug, product.slug])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    score = product_weighted_score(product=product)
    assert "How is this calculated?" in html
    assert f"{score.plain:.2f}" in html and f"{score.score:.2f}" in html
    assert expert_author.public_name in html
    assert 'class="expert-badge' in html  # names through {% member_name %}, with labels
    assert f'id="weighted-review-{reviews[1].pk}"' in html
    assert f'id="weighted-review-{hidden.pk}"' not in html
    # Each factor in words, with the values of the rules.
    assert f"Verified purchase: {X}1.5</dt>" in html and f"Expert-checked: {X}1.5</dt>" in html
    assert f"10 points: {X}1.35, 100 points: {X}1.67" in html
    assert f"{X}2 from 999 points" in html
    assert f"half as much after 365 days, and never less than {X}0.25" in html
    assert "as if it were 2 more reviews" in html
    # The verified review's row: 1.50 in the verified column.
    row = html[html.index(f'id="weighted-review-{reviews[0].pk}"') :]
    assert f'data-label="Verified">{X}1.50</td>' in row[: row.index("</tr>")]


@pytest.mark.django_db
def test_breakdown_page_empty_state_and_junk(client):
    product = ProductFactory()
    url = reverse("brand_clubs:product_weighted", args=[product.brand.slug, product.slug])
    html = client.get(url).content.decode()
    assert "No reviews yet" in html
    assert client.get(url + "?page=junk").status_code == 200
    assert client.get(url + "?page=999").status_code == 200
    missing = reverse("brand_clubs:product_weighted", args=[product.brand.slug, "nope"])
    assert client.get(missing).status_code == 404


def _page_queries(client, django_assert_max_num_queries, url, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("as_member", [False, True])
def test_breakdown_page_query_count_is_fixed(client, django_assert_max_num_queries, as_member):
    if as_member:
        client.force_login(MemberFactory())
    counts = []
    for size in (3, 30):
        product = ProductFactory()
        reviews = _recounted(product, [4] * size)
        for review in reviews[::3]:
            _endorse(review)
            ReputationScore.objects.create(
                member=review.author, category=product.category, total=50
            )
        url = reverse("brand_clubs:product_weighted", args=[product.brand.slug, product.slug])
        count, html = _page_queries(client, django_assert_max_num_queries, url, 12)
        assert html.count('class="weighted-row"') == min(size, 25)
        counts.append(count)
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
@pytest.mark.parametrize("as_member", [False, True])
def test_product_page_query_count_is_fixed_with_the_weighted_score(
    client, django_assert_max_num_queries, as_member
):
    if as_member:
        client.force_login(MemberFactory())
    counts = []
    for size in (3, 30):
        product = ProductFactory()
        reviews = _recounted(product, [5, 4, 2] * (size // 3))
        for review in reviews[::3]:
            _endorse(review)
            ReputationScore.objects.create(
                member=review.author, category=product.category, total=20
            )
        count, html = _page_queries(
            client, django_assert_max_num_queries, product.get_absolute_url(), 20
        )
        assert "Trust-weighted score" in html
        counts.append(count)
    assert counts[0] == counts[1], counts


# --- brands -----------------------------------------------------------------------------


def _reply(review, after: timedelta):
    reply = BrandReply.objects.create(
        review=review, brand=review.product.brand, body="Thanks", body_html="<p>Thanks</p>"
    )
    BrandReply.objects.filter(pk=reply.pk).update(created_at=review.created_at + after)
    return reply


@pytest.fixture
def brand_fixture(db):
    """Two products of one brand; five published reviews in the window, in April and
    June 2025 (UTC), three of them answered, two verified; plus what must not count."""
    brand = BrandFactory()
    tyre, helmet = ProductFactory(brand=brand), ProductFactory(brand=brand)
    april = datetime(2025, 4, 10, 9, 0, tzinfo=UTC)
    june = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    a1 = _at(ReviewFactory(product=tyre, rating=5, verified_purchase=True), april)
    a2 = _at(ReviewFactory(product=helmet, rating=3), april + timedelta(days=1))
    j1 = _at(ReviewFactory(product=tyre, rating=4, verified_purchase=True), june)
    j2 = _at(ReviewFactory(product=tyre, rating=2), june + timedelta(days=2))
    j3 = _at(ReviewFactory(product=helmet, rating=1), june + timedelta(days=3))
    _reply(a1, timedelta(hours=5))
    _reply(a2, timedelta(days=2))
    _reply(j1, timedelta(minutes=30))
    # Not counted: hidden, deleted, before the window (June 2024 is 12 months back from
    # June 2025, the window starts on 1 July 2024), another brand's review.
    hidden = _at(ReviewFactory(product=tyre, rating=1, status=Review.Status.HIDDEN), june)
    _reply(hidden, timedelta(days=30))
    _at(ReviewFactory(product=tyre, rating=1, status=Review.Status.DELETED), june)
    old = _at(ReviewFactory(product=tyre, rating=1), datetime(2024, 6, 20, tzinfo=UTC))
    _reply(old, timedelta(days=90))
    _at(ReviewFactory(rating=1), june)
    return brand, {"a1": a1, "a2": a2, "j1": j1, "j2": j2, "j3": j3}


def test_brand_summary_numbers_by_hand(brand_fixture):
    brand, reviews = brand_fixture
    with timezone.override("UTC"):
        summary = brand_trust_summary(brand=brand, now=NOW)
    assert summary.since.isoformat() == "2024-07-01"
    assert summary.review_count == 5
    assert summary.reply_count == 3 and summary.reply_percent == 60
    assert summary.verified_count == 2 and summary.verified_percent == 40
    # Delays 30 minutes, 5 hours, 2 days: the median is 5 hours.
    assert summary.median_reply == timedelta(hours=5)
    assert summary.median_reply_text == "5 hours"
    april, june = summary.trend
    assert april.month.isoformat() == "2025-04-01" and june.month.isoformat() == "2025-06-01"
    assert (april.count, june.count) == (2, 3)

    def expected(items):
        pairs = []
        for review in items:
            age = (NOW - review.created_at).total_seconds() / 86400
            w = weight(verified_purchase=review.verified_purchase, age_days=age)
            pairs.append((review.rating, w))
        return rules.weighted_average(pairs, min_reviews=1).score

    assert april.score == pytest.approx(expected([reviews["a1"], reviews["a2"]]))
    assert june.score == pytest.approx(expected([reviews["j1"], reviews["j2"], reviews["j3"]]))
    # April by hand: weights 1.5 * 0.5**(66/365) and 0.5**(65/365); the verified 5 pulls
    # the month above its plain 4.
    assert 4.0 < april.score < 5.0 and april.plain == 4.0
    assert june.plain == pytest.approx(7 / 3) and june.score > june.plain


def test_brand_summary_median_of_an_even_number_and_month_in_local_time(brand_fixture):
    brand, reviews = brand_fixture
    _reply(reviews["j2"], timedelta(days=4))
    with timezone.override("UTC"):
        summary = brand_trust_summary(brand=brand, now=NOW)
    # 30 minutes, 5 hours, 2 days, 4 days: between 5 hours and 2 days.
    assert summary.median_reply == timedelta(hours=(5 + 48) / 2)
    assert summary.median_reply_text == "26 hours"
    # 1 April 2025 02:00 UTC is still 31 March in New York: the month follows the viewer.
    _at(
        ReviewFactory(product=reviews["a1"].product, rating=4),
        datetime(2025, 4, 1, 2, 0, tzinfo=UTC),
    )
    with timezone.override("America/New_York"):
        local = brand_trust_summary(brand=brand, now=NOW)
    assert [p.month.isoformat() for p in local.trend] == ["2025-03-01", "2025-04-01", "2025-06-01"]


@pytest.mark.django_db
def test_brand_summary_without_reviews():
    summary = brand_trust_summary(brand=BrandFactory())
    assert summary.review_count == 0 and summary.trend == []
    assert summary.reply_rate is None and summary.verified_share is None
    assert summary.median_reply is None and summary.median_reply_text == ""


def test_window_starts_eleven_months_before_this_month():
    with timezone.override("UTC"):
        assert trend_since(NOW) == datetime(2024, 7, 1, tzinfo=UTC)
        assert trend_since(datetime(2025, 1, 31, 23, tzinfo=UTC)) == datetime(
            2024, 2, 1, tzinfo=UTC
        )


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=5), "1 minute"),
        (timedelta(minutes=45), "45 minutes"),
        (timedelta(minutes=61), "1 hour"),
        (timedelta(hours=5), "5 hours"),
        (timedelta(hours=47), "47 hours"),
        (timedelta(days=2), "2 days"),
        (timedelta(days=9, hours=13), "10 days"),
        (timedelta(seconds=-5), "1 minute"),
    ],
)
def test_duration_text(delta, text):
    assert duration_text(delta) == text


@pytest.mark.django_db
def test_brand_page_summary_empty_state(client):
    html = client.get(BrandFactory().get_absolute_url()).content.decode()
    assert "Brand trust" in html
    assert "No reviews in the last 12 months" in html


@pytest.mark.django_db
def test_brand_page_summary_with_recent_reviews(client):
    brand = BrandFactory()
    product = ProductFactory(brand=brand)
    now = timezone.now()
    reviews = [
        _at(ReviewFactory(product=product, rating=r, verified_purchase=v), now - timedelta(hours=h))
        for r, v, h in [(5, True, 30), (4, False, 20), (2, False, 10), (4, True, 3)]
    ]
    _reply(reviews[0], timedelta(hours=2))
    _reply(reviews[1], timedelta(hours=6))
    html = client.get(brand.get_absolute_url()).content.decode()
    assert "50%" in html  # replied to 2 of 4, and 2 of 4 verified
    assert "4 hours" in html  # the median of 2 and 6 hours
    assert 'class="trend-point"' in html


@pytest.mark.django_db
def test_brand_page_query_count_is_fixed(client, django_assert_max_num_queries):
    counts = []
    now = timezone.now()
    for size in (3, 30):
        brand = BrandFactory()
        BrandStaffFactory(brand=brand)
        products = [ProductFactory(brand=brand) for _ in range(3)]
        for index in range(size):
            review = _at(
                ReviewFactory(product=products[index % 3], rating=1 + index % 5),
                now - timedelta(days=index * 11),
            )
            if index % 2:
                _reply(review, timedelta(hours=index))
            if index % 4 == 0:
                _endorse(review)
        count, html = _page_queries(
            client, django_assert_max_num_queries, brand.get_absolute_url(), 10
        )
        assert html.count('class="trend-point"') >= 1
        counts.append(count)
    assert counts[0] == counts[1], counts


def test_weights_are_finite_for_any_facts():
    for facts in (
        {"field_reputation": 2**62, "helpful_count": 2**62, "age_days": 10**9},
        {"field_reputation": -(2**62), "helpful_count": -1, "age_days": -(10**9)},
    ):
        assert math.isfinite(weight(**facts)) and weight(**facts) > 0
