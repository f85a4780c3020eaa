"""The following feed: what the people a member follows did, newest first.

Five sources (answers, reviews, endorsements, event reviews, event album photos) each
take at most `limit + 1` rows created before the cursor, with their related rows
selected, and are merged in Python; so a page costs the same queries however long the
history is. The cursor is the time of the last item shown ("Older")."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Q
from django.utils import timezone

from brand_clubs.models import ClubMembership, EventPhoto, EventReview
from brand_clubs.selectors.events import _visible_to_member
from community.members.models import Follow
from community.reviews.models import Review
from experts.models import Answer
from experts.selectors.directory import expert_suggestions
from experts.services.badges import answer_snapshot_label
from experts.services.endorsements import endorsements_shown

FEED_LIMIT = 20
# Items of one instant sort in this order (and by id), so the order is stable.
KINDS = ("answer", "review", "endorsement", "event_review", "event_photo")


@dataclass
class FeedItem:
    kind: str
    created_at: datetime
    actor: object
    obj: object


@dataclass
class FeedPage:
    items: list[FeedItem]
    next_before: datetime | None  # cursor of the "Older" link, None on the last page
    follows_anyone: bool = True
    suggestions: list = field(default_factory=list)


def _events_visible_q(member, *, prefix: str) -> Q:
    """Event posts the member may see: the events rule of brand_clubs (public events,
    events of clubs they are in or whose brand they staff), minus clubs that banned
    them."""
    banned = ClubMembership.objects.filter(
        member=member, status=ClubMembership.Status.BANNED
    ).values("club_id")
    return _visible_to_member(member, prefix=prefix) & ~Q(**{f"{prefix}club_id__in": banned})


def _window(queryset, *, before, limit, date_field="created_at"):
    if before is not None:
        queryset = queryset.filter(**{f"{date_field}__lt": before})
    return list(queryset.order_by(f"-{date_field}", "-pk")[: limit + 1])


def parse_cursor(value) -> datetime | None:
    """The `before` query parameter, or None (the first page) when it is not a time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace(" ", "+"))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    try:
        # An offset at the edge of the calendar (year 1 at +05:00) does not fit in UTC.
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def feed_for(*, member, before: datetime | None = None, limit: int = FEED_LIMIT) -> FeedPage:
    followed = Follow.objects.filter(follower=member, followed__is_active=True).values(
        "followed_id"
    )
    answers = _window(
        Answer.objects.filter(
            author__in=followed, is_hidden=False, question__is_hidden=False
        ).select_related(
            "author",
            "question",
            "expert_certificate",
            "expert_certificate__employer",
            "brand_affiliation",
        ),
        before=before,
        limit=limit,
    )
    reviews = _window(
        Review.objects.filter(author__in=followed, status=Review.Status.PUBLISHED).select_related(
            "author", "product", "product__brand"
        ),
        before=before,
        limit=limit,
    )
    endorsements = _window(
        endorsements_shown()
        .filter(expert__in=followed)
        .select_related(
            "expert",
            "review",
            "review__author",
            "review__product",
            "review__product__brand",
            "brand_affiliation",
        ),
        before=before,
        limit=limit,
    )
    event_reviews = _window(
        EventReview.objects.filter(
            _events_visible_q(member, prefix="event__"),
            author__in=followed,
            status=EventReview.Status.PUBLISHED,
        ).select_related("author", "event", "event__club", "event__club__brand"),
        before=before,
        limit=limit,
    )
    event_photos = _window(
        EventPhoto.objects.filter(
            _events_visible_q(member, prefix="event__"),
            uploader__in=followed,
            status=EventPhoto.Status.PUBLISHED,
        ).select_related("uploader", "event", "event__club", "event__club__brand"),
        before=before,
        limit=limit,
    )
    for answer in answers:
        answer.expert_label = answer_snapshot_label(answer)
    items = (
        [FeedItem("answer", row.created_at, row.author, row) for row in answers]
        + [FeedItem("review", row.created_at, row.author, row) for row in reviews]
        + [FeedItem("endorsement", row.created_at, row.expert, row) for row in endorsements]
        + [FeedItem("event_review", row.created_at, row.author, row) for row in event_reviews]
        + [FeedItem("event_photo", row.created_at, row.uploader, row) for row in event_photos]
    )
    order = {kind: index for index, kind in enumerate(KINDS)}
    items.sort(key=lambda item: (item.created_at, -order[item.kind], item.obj.pk), reverse=True)
    shown = items[:limit]
    next_before = shown[-1].created_at if len(items) > limit else None
    page = FeedPage(items=shown, next_before=next_before)
    if not shown and before is None:
        page.follows_anyone = Follow.objects.filter(follower=member).exists()
        page.suggestions = expert_suggestions(member=member)
    return page
