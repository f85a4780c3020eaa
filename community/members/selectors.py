"""Reads of members."""

from django.shortcuts import get_object_or_404

from community.members.models import Member, Notification


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
