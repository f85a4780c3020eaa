"""Reads of members."""

from dataclasses import dataclass

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from community.members.models import Follow, Member, Notification


def is_moderator(user) -> bool:
    """Site moderators: active members with members.moderate_content."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.has_perm("members.moderate_content")
    )


def member_get_public(*, pk) -> Member:
    """A member whose profile can be shown: deactivated accounts are 404."""
    return get_object_or_404(Member, pk=pk, is_active=True)


def notification_list_for(*, member, unread_only: bool = False):
    """A member's notifications, newest first, with the text rendered per row in the
    reader's language (`.text`) and no query per row."""
    notifications = Notification.objects.filter(recipient=member).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def notification_get_for(*, member, pk) -> Notification | None:
    return Notification.objects.filter(recipient=member, pk=pk).first()


@dataclass(frozen=True)
class FollowState:
    """What a profile page shows about following: counts and the viewer's own link."""

    follower_count: int
    following_count: int
    viewer_follows: bool
    can_follow: bool  # signed in, active, and not the member themself


def member_follow_state(*, member, viewer) -> FollowState:
    """Counts of active followers and followed members, and whether `viewer` follows
    `member`: one query."""
    signed_in = bool(viewer is not None and viewer.is_authenticated and viewer.is_active)
    followers = Follow.objects.filter(followed=OuterRef("pk"), follower__is_active=True)
    following = Follow.objects.filter(follower=OuterRef("pk"), followed__is_active=True)
    annotations = {
        "follower_count": count_subquery(followers),
        "following_count": count_subquery(following),
    }
    if signed_in and viewer.pk != member.pk:
        annotations["viewer_follows"] = Exists(
            Follow.objects.filter(follower=viewer, followed=OuterRef("pk"))
        )
    row = Member.objects.filter(pk=member.pk).annotate(**annotations).values(*annotations).get()
    return FollowState(
        follower_count=row["follower_count"],
        following_count=row["following_count"],
        viewer_follows=bool(row.get("viewer_follows")),
        can_follow=signed_in and viewer.pk != member.pk,
    )


def count_subquery(queryset):
    """COUNT(*) of a correlated queryset as an expression (0 when none), for
    annotating each row of a list without a join that would multiply rows."""
    counted = queryset.order_by().annotate(
        _count=Func(F("pk"), function="COUNT", output_field=IntegerField())
    )
    return Coalesce(Subquery(counted.values("_count")[:1]), 0)


def member_get_any(*, pk) -> Member:
    """Any member by id (a closed account too): unfollowing someone who left."""
    return get_object_or_404(Member, pk=pk)


def follows_exists(viewer):
    """An Exists() for annotating member rows with `viewer_follows`, or None."""
    if viewer is None or not viewer.is_authenticated:
        return None
    return Exists(Follow.objects.filter(follower=viewer, followed=OuterRef("pk")))
