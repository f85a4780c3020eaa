"""Weighted word of mouth: reads only.

- `product_weighted_score(product=)`: the trust-weighted score beside the plain average,
  in ONE query whatever the number of reviews (the facts of every published review with
  the author's reputation in the product's field and "expert-checked" as subqueries;
  the weights are applied in Python by reputation.rules, the one place that knows them).
- `product_weight_breakdown(product=, page=)`: the same, with each review's factors and
  a page of the table ("How is this calculated?"), plus one query for the names.
- `brand_trust_summary(brand=)`: reply rate, median reply time, share of verified
  purchases and the weighted score month by month, over the last 12 months (from the
  first day of the month 11 months before this one, in the viewer's time zone), in ONE
  query.

Only published reviews count: hidden (by a moderator) and deleted ones are what other
members cannot see, and they are left out of every number here, as they are of the
plain average. Nothing is stored: recency changes the weights every day, and the plain
columns read here are already indexed (review: product, status; brand reply: review)."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import ngettext

from community.members.models import Member
from community.reputation import rules
from community.reputation.models import ReputationScore
from community.reviews.models import Review
from experts.services.endorsements import endorsements_shown

BREAKDOWN_PER_PAGE = 25
TREND_MONTHS = 12
SECONDS_PER_DAY = 86_400


def _expert_checked():
    """An endorsement pages show, by an expert who does not work for the product's
    brand (rules.WEIGHT_EXPERT_CHECKED says why)."""
    return Exists(
        endorsements_shown().filter(review=OuterRef("pk"), brand_affiliation__isnull=True)
    )


def _field_reputation(category):
    """The author's ReputationScore in the product's field; 0 without one (or without a
    category). `category` is an id or an OuterRef to the product's category."""
    if category is None:
        return Value(0, output_field=IntegerField())
    scores = ReputationScore.objects.filter(member=OuterRef("author_id"), category=category)
    return Coalesce(Subquery(scores.values("total")[:1]), Value(0), output_field=IntegerField())


@dataclass(frozen=True)
class WeightedReview:
    """One row of the breakdown table."""

    pk: int
    author_id: int
    rating: int
    created_at: datetime
    verified_purchase: bool
    expert_checked: bool
    field_reputation: int
    helpful_count: int
    factors: rules.WeightFactors
    author: Member | None = None

    @property
    def weight(self) -> float:
        return self.factors.weight


def _weighted(row: dict, now: datetime) -> WeightedReview:
    age_days = (now - row["created_at"]).total_seconds() / SECONDS_PER_DAY
    factors = rules.review_weight_factors(
        verified_purchase=row["verified_purchase"],
        expert_checked=row["expert_checked"],
        field_reputation=row["field_reputation"],
        age_days=age_days,
        helpful_count=row["helpful_count"],
    )
    return WeightedReview(
        pk=row["pk"],
        author_id=row["author_id"],
        rating=row["rating"],
        created_at=row["created_at"],
        verified_purchase=row["verified_purchase"],
        expert_checked=row["expert_checked"],
        field_reputation=row["field_reputation"],
        helpful_count=row["helpful_count"],
        factors=factors,
    )


_ROW_FIELDS = (
    "pk",
    "author_id",
    "rating",
    "created_at",
    "verified_purchase",
    "helpful_count",
    "field_reputation",
    "expert_checked",
)


def _product_reviews(product):
    return (
        Review.objects.filter(product=product, status=Review.Status.PUBLISHED)
        .annotate(
            field_reputation=_field_reputation(product.category_id),
            expert_checked=_expert_checked(),
        )
        .order_by()
    )


def _product_rows(product, now: datetime) -> list[WeightedReview]:
    return [_weighted(row, now) for row in _product_reviews(product).values(*_ROW_FIELDS)]


def product_weighted_score(*, product, now: datetime | None = None) -> rules.WeightedScore:
    """The product's trust-weighted score (rules.weighted_average): one query. The
    product page calls it on every view, so it fetches only the facts, as tuples."""
    now = now or timezone.now()
    rows = _product_reviews(product).values_list(
        "rating",
        "created_at",
        "verified_purchase",
        "expert_checked",
        "field_reputation",
        "helpful_count",
    )
    return rules.weighted_average(
        (
            rating,
            rules.review_weight(
                verified_purchase=verified,
                expert_checked=expert,
                field_reputation=reputation,
                age_days=(now - created_at).total_seconds() / SECONDS_PER_DAY,
                helpful_count=helpful,
            ),
        )
        for rating, created_at, verified, expert, reputation, helpful in rows
    )


@dataclass
class WeightBreakdown:
    score: rules.WeightedScore
    page: Page
    average_weight: float | None = None  # total weight / number of reviews


def product_weight_breakdown(
    *, product, page=None, now: datetime | None = None, per_page: int = BREAKDOWN_PER_PAGE
) -> WeightBreakdown:
    """The score and one page of reviews with their factors, heaviest first; two
    queries (the reviews' facts, then the names on the page) whatever their number."""
    now = now or timezone.now()
    reviews = _product_rows(product, now)
    score = rules.weighted_average((r.rating, r.weight) for r in reviews)
    reviews.sort(key=lambda r: (-r.weight, -r.created_at.timestamp(), -r.pk))
    shown = Paginator(reviews, per_page).get_page(page)
    authors = Member.objects.in_bulk({r.author_id for r in shown.object_list})
    shown.object_list = [replace(r, author=authors.get(r.author_id)) for r in shown.object_list]
    average = score.total_weight / score.count if score.count else None
    return WeightBreakdown(score=score, page=shown, average_weight=average)


def published_weight_rules() -> dict:
    """The values the "How is this calculated?" page explains, read from the rules so
    that the page cannot drift from the formula."""

    def reputation_factor(points: int) -> float:
        return rules.review_weight_factors(
            verified_purchase=False,
            expert_checked=False,
            field_reputation=points,
            age_days=0,
            helpful_count=0,
        ).reputation

    return {
        "verified": _number(rules.WEIGHT_VERIFIED_PURCHASE),
        "expert": _number(rules.WEIGHT_EXPERT_CHECKED),
        "reputation_max": _number(1 + rules.WEIGHT_REPUTATION_MAX_EXTRA),
        "reputation_cap_points": round(
            10 ** (rules.WEIGHT_REPUTATION_MAX_EXTRA * rules.WEIGHT_REPUTATION_DECADES) - 1
        ),
        "reputation_at_10": _number(reputation_factor(10)),
        "reputation_at_100": _number(reputation_factor(100)),
        "half_life_days": rules.WEIGHT_HALF_LIFE_DAYS,
        "recency_floor": _number(rules.WEIGHT_RECENCY_FLOOR),
        "helpful_pivot": rules.WEIGHT_HELPFUL_PIVOT,
        "min_reviews": rules.WEIGHTED_MIN_REVIEWS,
        "prior_weight": _number(rules.WEIGHTED_PRIOR_WEIGHT),
    }


def _number(value: float) -> str:
    """1.5 as "1.5", 2.0 as "2", 1.3495 as "1.35", in the active language's format."""
    value = round(float(value), 2)
    return number_format(int(value) if value.is_integer() else value)


# --- brands -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    month: date  # the first day of the month, in the viewer's time zone
    score: float
    plain: float
    count: int

    @property
    def percent(self) -> int:
        """The bar's length: the score out of 5."""
        return round(self.score * 20)


@dataclass
class BrandTrustSummary:
    since: date
    review_count: int = 0
    reply_count: int = 0
    verified_count: int = 0
    median_reply: timedelta | None = None
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def reply_rate(self) -> float | None:
        """Share of reviews with an official reply, 0..1; None without reviews."""
        return self.reply_count / self.review_count if self.review_count else None

    @property
    def verified_share(self) -> float | None:
        return self.verified_count / self.review_count if self.review_count else None

    @property
    def reply_percent(self) -> int | None:
        return None if self.reply_rate is None else round(self.reply_rate * 100)

    @property
    def verified_percent(self) -> int | None:
        return None if self.verified_share is None else round(self.verified_share * 100)

    @property
    def median_reply_text(self) -> str:
        return duration_text(self.median_reply) if self.median_reply is not None else ""


def duration_text(delta: timedelta) -> str:
    """ "5 minutes", "5 hours", "2 days": one unit, rounded, as people say it."""
    seconds = max(0.0, delta.total_seconds())
    minutes = seconds / 60
    if minutes < 60:
        count = max(1, round(minutes))
        return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}
    hours = minutes / 60
    if hours < 48:
        count = round(hours)
        return ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}
    count = round(hours / 24)
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def _month_start(moment: datetime) -> date:
    local = timezone.localtime(moment)
    return local.date().replace(day=1)


def trend_since(now: datetime) -> datetime:
    """The start of the month TREND_MONTHS - 1 months before this one, local time."""
    first = _month_start(now)
    months = first.year * 12 + first.month - 1 - (TREND_MONTHS - 1)
    start = date(months // 12, months % 12 + 1, 1)
    return timezone.make_aware(datetime(start.year, start.month, 1))


def _median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def brand_trust_summary(*, brand, now: datetime | None = None) -> BrandTrustSummary:
    """Over the published reviews of the brand's products written since the start of
    the month a year ago (the same window for every number): reply rate, median time
    from review to official reply, share of verified purchases, and the weighted score
    of each month that has reviews. One query."""
    now = now or timezone.now()
    since = trend_since(now)
    rows = (
        Review.objects.filter(
            product__brand=brand, status=Review.Status.PUBLISHED, created_at__gte=since
        )
        .annotate(
            field_reputation=_field_reputation(OuterRef("product__category_id")),
            expert_checked=_expert_checked(),
            replied_at=F("brand_reply__created_at"),
        )
        .order_by()
        .values(*_ROW_FIELDS, "replied_at")
    )
    summary = BrandTrustSummary(since=timezone.localtime(since).date())
    delays = []
    months: dict[date, list[tuple[int, float]]] = {}
    for row in rows:
        review = _weighted(row, now)
        summary.review_count += 1
        summary.verified_count += review.verified_purchase
        if row["replied_at"] is not None:
            summary.reply_count += 1
            delays.append(max(0.0, (row["replied_at"] - review.created_at).total_seconds()))
        months.setdefault(_month_start(review.created_at), []).append(
            (review.rating, review.weight)
        )
    if delays:
        summary.median_reply = timedelta(seconds=_median(delays))
    for month in sorted(months):
        # Every month with reviews is a point, even with one review: the count is shown
        # beside it, and the prior keeps a thin month close to its plain average.
        score = rules.weighted_average(months[month], min_reviews=1)
        summary.trend.append(
            TrendPoint(month=month, score=score.score, plain=score.plain, count=score.count)
        )
    return summary
