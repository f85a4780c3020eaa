"""Reads of club feeds. Lists select and prefetch everything their templates show (author,
photos, latest comments with their authors, the viewer's own like as an Exists()
annotation), so a feed page runs the same number of queries whatever its length.

Posts waiting for a moderator (PENDING) are shown to their author (in the feed, labelled)
and to whoever may moderate the club's content (on the post page and in
`post_list_pending`), to nobody else.

The feed of a private club is for insiders only: the selectors return nothing (lists) or
raise NotFound (single rows) for a viewer who may not read the club, on top of the
views' own `access_club_read`, so that no other caller can leak it by mistake."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils.translation import gettext as _

from brand_clubs.models import Club, ClubComment, ClubPost, ClubPostLike, ClubPostPhoto
from brand_clubs.models.clubs import ContentStatus
from brand_clubs.services.access import ClubStanding, club_standing
from community.errors import NotFound

LATEST_COMMENTS = 3
PHOTO_RENDITIONS = frozenset(
    {"thumb", "thumb_webp", "medium", "medium_webp", "large", "large_webp"}
)


def _standing(viewer, club, standing: ClubStanding | None) -> ClubStanding:
    if standing is not None and standing.club.pk == club.pk:
        return standing
    return club_standing(user=viewer, club=club)


def _with_viewer_like(queryset: QuerySet, viewer) -> QuerySet:
    if viewer is not None and viewer.is_authenticated:
        liked = ClubPostLike.objects.filter(post=OuterRef("pk"), member=viewer)
        return queryset.annotate(viewer_liked=Exists(liked))
    return queryset.annotate(viewer_liked=Value(False))


def _photos() -> Prefetch:
    return Prefetch("photos", queryset=ClubPostPhoto.objects.order_by("position", "pk"))


def post_list_for_club(
    *, club: Club, viewer, standing: ClubStanding | None = None
) -> QuerySet[ClubPost]:
    """Published posts, and the viewer's own posts waiting for a moderator, pinned first
    (latest pin on top), then newest; each with its photos and its LATEST_COMMENTS newest
    published comments (`latest_comments`, newest first). Empty for a viewer who may not
    read the club."""
    if not _standing(viewer, club, standing).can_read:
        return ClubPost.objects.none()
    latest = Prefetch(
        "comments",
        queryset=ClubComment.objects.filter(status=ContentStatus.PUBLISHED)
        .select_related("author")
        .order_by("-created_at", "-pk")[:LATEST_COMMENTS],
        to_attr="latest_comments",
    )
    shown = Q(status=ContentStatus.PUBLISHED)
    if viewer is not None and viewer.is_authenticated:
        shown |= Q(status=ContentStatus.PENDING, author=viewer)
    queryset = (
        ClubPost.objects.filter(shown, club=club)
        .select_related("author", "event")
        .prefetch_related(_photos(), latest)
        .order_by("-is_pinned", "-pinned_at", "-created_at", "-pk")
    )
    return _with_viewer_like(queryset, viewer)


def post_list_pending(*, club: Club, standing: ClubStanding) -> QuerySet[ClubPost]:
    """Posts waiting for a moderator, oldest first (first come, first decided), with
    their authors, events and photos. Empty unless the viewer may decide on them."""
    if not standing.can_moderate_content:
        return ClubPost.objects.none()
    return (
        ClubPost.objects.filter(club=club, status=ContentStatus.PENDING)
        .select_related("author", "event")
        .prefetch_related(_photos())
        .order_by("created_at", "pk")
    )


def post_pending_count(*, club: Club, standing: ClubStanding) -> int:
    """For the badge in the club's navigation (0 for those who cannot decide)."""
    if not standing.can_moderate_content:
        return 0
    return ClubPost.objects.filter(club=club, status=ContentStatus.PENDING).count()


def _post_visible(post: ClubPost, viewer, standing: ClubStanding) -> bool:
    """Published posts to readers; hidden ones and those waiting for a moderator to
    their author and to whoever moderates the club's content; deleted ones to nobody."""
    if not standing.can_read:
        return False
    if post.status == ContentStatus.PUBLISHED:
        return True
    if post.status in (ContentStatus.HIDDEN, ContentStatus.PENDING):
        is_author = viewer is not None and viewer.is_authenticated and post.author_id == viewer.pk
        return is_author or standing.can_moderate_content
    return False


def post_get(*, club: Club, pk, viewer, standing: ClubStanding | None = None) -> ClubPost:
    """One post of `club` that the viewer may see, with photos and the viewer's like.
    Another club's post, a malformed id or an invisible post are all NotFound."""
    standing = _standing(viewer, club, standing)
    try:
        post = (
            _with_viewer_like(ClubPost.objects.filter(club=club), viewer)
            .select_related("author", "event", "club", "club__brand")
            .prefetch_related(_photos())
            .get(pk=int(pk))
        )
    except (ClubPost.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("This post is not available.")) from None
    if not _post_visible(post, viewer, standing):
        raise NotFound(_("This post is not available."))
    return post


def comment_list_for_post(
    *, post: ClubPost, viewer, standing: ClubStanding | None = None
) -> QuerySet[ClubComment]:
    """A post's comments, oldest first: published ones for every reader, hidden ones
    also for their author and moderators (the template labels them)."""
    standing = _standing(viewer, post.club, standing)
    if not standing.can_read:
        return ClubComment.objects.none()
    visible = Q(status=ContentStatus.PUBLISHED)
    if standing.can_moderate_content:
        visible |= Q(status=ContentStatus.HIDDEN)
    elif viewer is not None and viewer.is_authenticated:
        visible |= Q(status=ContentStatus.HIDDEN, author=viewer)
    return (
        ClubComment.objects.filter(visible, post=post)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def comment_get(*, club: Club, pk, viewer, standing: ClubStanding | None = None) -> ClubComment:
    """One comment of a post of `club` that the viewer may see (for its actions)."""
    standing = _standing(viewer, club, standing)
    try:
        comment = ClubComment.objects.select_related(
            "author", "post", "post__club", "post__club__brand"
        ).get(pk=int(pk), post__club=club)
    except (ClubComment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("This comment is not available.")) from None
    if not _post_visible(comment.post, viewer, standing):
        raise NotFound(_("This comment is not available."))
    visible = comment.status == ContentStatus.PUBLISHED or (
        comment.status == ContentStatus.HIDDEN
        and (
            standing.can_moderate_content
            or (viewer.is_authenticated and comment.author_id == viewer.pk)
        )
    )
    if not visible:
        raise NotFound(_("This comment is not available."))
    return comment


def post_photo_get(
    *, club: Club, photo_id, rendition: str, viewer, standing: ClubStanding | None = None
):
    """The file of one rendition of a post photo, if the viewer may see the post.
    Unknown renditions, other clubs' photos and invisible posts are NotFound; the
    caller checks `access_club_read` first (a 403 with a join hint)."""
    if rendition not in PHOTO_RENDITIONS:
        raise NotFound(_("No such photo."))
    standing = _standing(viewer, club, standing)
    try:
        photo = ClubPostPhoto.objects.select_related("post").get(pk=int(photo_id), post__club=club)
    except (ClubPostPhoto.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("No such photo.")) from None
    if not _post_visible(photo.post, viewer, standing):
        raise NotFound(_("No such photo."))
    return getattr(photo, rendition)
