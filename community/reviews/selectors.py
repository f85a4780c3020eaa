"""Reads of reviews. Each list selects its related rows up front so that a page's
query count does not grow with the number of reviews on it."""

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from community.errors import NotFound
from community.reviews.models import (
    HelpfulVote,
    PurchaseCode,
    Review,
    ReviewFlag,
    ReviewModeration,
    ReviewPhoto,
    ReviewRevision,
)
from experts.services.endorsements import endorsements_shown

SORTS = {
    "newest": ("-created_at", "-pk"),
    "helpful": ("-helpful_count", "-created_at", "-pk"),
    "highest": ("-rating", "-created_at", "-pk"),
    "lowest": ("rating", "-created_at", "-pk"),
}
DEFAULT_SORT = "newest"


def _with_viewer_vote(queryset: QuerySet, viewer) -> QuerySet:
    if viewer is not None and viewer.is_authenticated:
        voted = HelpfulVote.objects.filter(review=OuterRef("pk"), voter=viewer)
        return queryset.annotate(viewer_voted=Exists(voted))
    return queryset.annotate(viewer_voted=Value(False))


def _endorsements_prefetch() -> Prefetch:
    """Experts' endorsements ("Expert-checked") with the expert and the brand label, in
    one query for the whole list."""
    return Prefetch(
        "endorsements",
        queryset=endorsements_shown()
        .select_related("expert", "brand_affiliation")
        .order_by("created_at", "pk"),
    )


def _for_display(queryset: QuerySet, viewer) -> QuerySet:
    photos = Prefetch("photos", queryset=ReviewPhoto.objects.order_by("position", "pk"))
    queryset = queryset.select_related(
        "author", "product", "product__brand", "brand_reply", "brand_reply__brand"
    ).prefetch_related(photos, _endorsements_prefetch())
    return _with_viewer_vote(queryset, viewer)


def review_list_for_product(
    *,
    product,
    viewer=None,
    sort: str = DEFAULT_SORT,
    stars: int | None = None,
    with_photos: bool = False,
    verified: bool = False,
) -> QuerySet:
    queryset = Review.objects.filter(product=product, status=Review.Status.PUBLISHED)
    if stars in {1, 2, 3, 4, 5}:
        queryset = queryset.filter(rating=stars)
    if with_photos:
        queryset = queryset.filter(photo_count__gt=0)
    if verified:
        queryset = queryset.filter(verified_purchase=True)
    return _for_display(queryset, viewer).order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def review_list_latest(*, viewer=None, limit: int = 10) -> list[Review]:
    queryset = Review.objects.filter(status=Review.Status.PUBLISHED).order_by("-created_at", "-pk")
    return list(_for_display(queryset, viewer)[:limit])


def review_list_by_author(*, author, viewer=None) -> QuerySet:
    """A member's reviews on their profile: published ones, plus hidden ones for
    the author (so they can see what moderators hid)."""
    statuses = [Review.Status.PUBLISHED]
    if viewer is not None and viewer.is_authenticated and viewer.pk == author.pk:
        statuses.append(Review.Status.HIDDEN)
    queryset = Review.objects.filter(author=author, status__in=statuses)
    return _for_display(queryset, viewer).order_by("-created_at", "-pk")


def review_get(*, pk, viewer=None) -> Review:
    """One review with everything its page shows; access is checked by the caller."""
    try:
        return _for_display(Review.objects.all(), viewer).get(pk=int(pk))
    except (Review.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("This review is not available.")) from None


def review_of_member_for_product(*, member, product) -> Review | None:
    if member is None or not member.is_authenticated:
        return None
    return (
        Review.objects.filter(author=member, product=product)
        .exclude(status=Review.Status.DELETED)
        .first()
    )


def _with_open_flags(queryset: QuerySet) -> QuerySet:
    """Reviews with open flags, annotated with their count (`open_flag_count`), total
    weight (`open_flag_weight`) and the oldest one's time (`flagged_since`), heaviest
    first, then those waiting longest."""
    open_flags = Q(flags__resolved_at__isnull=True)
    return (
        queryset.annotate(
            open_flag_count=Count("flags", filter=open_flags),
            open_flag_weight=Sum("flags__weight", filter=open_flags),
            flagged_since=Min("flags__created_at", filter=open_flags),
        )
        .filter(open_flag_count__gt=0)
        .select_related("author", "product", "product__brand")
        .order_by("-open_flag_weight", "flagged_since", "pk")
    )


def review_list_flagged() -> QuerySet:
    """The moderators' queue: reviews with open flags (with the flags and reporters),
    ordered by the open flags' total weight (a level-2 member's flag counts double,
    rules.flag_weight), then the longest waiting."""
    return _with_open_flags(Review.objects.all()).prefetch_related(
        Prefetch(
            "flags",
            queryset=ReviewFlag.objects.filter(resolved_at__isnull=True)
            .select_related("reporter")
            .order_by("-weight", "created_at", "pk"),
            to_attr="open_flags",
        )
    )


MODERATION_QUEUE_PAGE_SIZE = 20


def moderation_queue_page(*, page=1, per_page: int = MODERATION_QUEUE_PAGE_SIZE) -> Page:
    """The read-only queue for members of trust level 3 (Privilege.VIEW_MODERATION_QUEUE):
    the published reviews with open flags in the moderators' order, each with
    `flag_reasons`, [(label, count)] most frequent first. Who flagged and their notes
    stay with the moderators. Three queries whatever the page's length."""
    queryset = _with_open_flags(Review.objects.filter(status=Review.Status.PUBLISHED))
    result = Paginator(queryset, per_page).get_page(page)
    reviews = list(result.object_list)
    reasons: dict[int, list[tuple[str, int]]] = {review.pk: [] for review in reviews}
    if reviews:
        rows = (
            ReviewFlag.objects.filter(review_id__in=list(reasons), resolved_at__isnull=True)
            .values("review_id", "reason")
            .annotate(count=Count("pk"))
            .order_by("review_id", "-count", "reason")
        )
        labels = dict(ReviewFlag.Reason.choices)
        for row in rows:
            reasons[row["review_id"]].append(
                (labels.get(row["reason"], row["reason"]), row["count"])
            )
    for review in reviews:
        review.flag_reasons = reasons[review.pk]
    result.object_list = reviews
    return result


def review_list_hidden() -> QuerySet:
    """Hidden reviews, newest decision first, with the reason they were hidden."""
    last_hide = ReviewModeration.objects.filter(
        review=OuterRef("pk"), action=ReviewModeration.Action.HIDE
    ).order_by("-created_at", "-pk")
    return (
        Review.objects.filter(status=Review.Status.HIDDEN)
        .select_related("author", "product", "product__brand")
        .annotate(
            hidden_at=Subquery(last_hide.values("created_at")[:1]),
            hidden_reason=Subquery(last_hide.values("reason")[:1]),
        )
        .order_by("-hidden_at", "-pk")
    )


def review_get_for_moderation(*, pk) -> Review:
    """One review with its flags, previous versions and audit trail, in a fixed
    number of queries."""
    review = review_get(pk=pk)
    prefetch_related_objects(
        [review],
        Prefetch(
            "flags",
            queryset=ReviewFlag.objects.select_related("reporter", "resolved_by").order_by(
                "resolved_at", "-created_at"
            ),
            to_attr="all_flags",
        ),
        Prefetch(
            "revisions",
            queryset=ReviewRevision.objects.order_by("-replaced_at", "-pk"),
            to_attr="all_revisions",
        ),
        Prefetch(
            "moderations",
            queryset=ReviewModeration.objects.select_related("moderator").order_by(
                "-created_at", "-pk"
            ),
            to_attr="all_moderations",
        ),
    )
    return review


def purchase_code_list_for(*, user) -> QuerySet:
    """Site staff (reviews.add_purchasecode) see every code; a brand's admins see only
    their brands' codes: an unredeemed code is worth a "Verified purchase" label."""
    codes = PurchaseCode.objects.select_related("brand", "redeemed_by")
    if user.has_perm("reviews.add_purchasecode"):
        return codes
    return codes.filter(
        brand__staff_links__member=user, brand__staff_links__role="admin"
    ).distinct()
