"""Writes of member profiles and follows."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.imaging import ImageRejected, process_image
from community.members.models import TIME_ZONE_CHOICES, Follow, Member
from community.members.notifications import notify
from community.ratelimit import rate_limit_hit

AVATAR_SIZES = {"thumb": 96, "medium": 320}
VALID_TIME_ZONES = {name for name, _label in TIME_ZONE_CHOICES}
VALID_LANGUAGES = {code for code, _label in settings.LANGUAGES}


def member_update_profile(
    *,
    member: Member,
    actor,
    display_name: str,
    bio: str = "",
    preferred_language: str = "",
    time_zone: str = "",
    avatar=None,
    remove_avatar: bool = False,
    direct_messages: str = "",
) -> Member:
    """Save the member's own profile. An empty `direct_messages` keeps the current
    choice of who may start a direct conversation."""
    if not (actor and actor.is_authenticated and actor.pk == member.pk):
        raise AccessDenied(_("You can only edit your own profile."))
    display_name = (display_name or "").strip()
    if not display_name:
        raise DomainError(_("Choose a display name."), field="display_name")
    if time_zone and time_zone not in VALID_TIME_ZONES:
        raise DomainError(_("Choose a time zone from the list."), field="time_zone")
    if preferred_language and preferred_language not in VALID_LANGUAGES:
        raise DomainError(_("Choose a language from the list."), field="preferred_language")
    if direct_messages and direct_messages not in Member.DirectMessages.values:
        raise DomainError(_("Choose who may message you from the list."), field="direct_messages")
    rate_limit_hit(action="profile_write", key=member.pk)
    renditions = None
    if avatar is not None:
        try:
            processed = process_image(avatar, AVATAR_SIZES)
        except ImageRejected as exc:
            raise DomainError(exc.message, field="avatar", code=exc.code) from None
        renditions = {size: processed.renditions[(size, "jpeg")] for size in AVATAR_SIZES}
    with transaction.atomic():
        member.display_name = display_name[:60]
        member.bio = (bio or "").strip()[:1000]
        member.preferred_language = preferred_language or ""
        member.time_zone = time_zone or ""
        if direct_messages:
            member.direct_messages = direct_messages
        if remove_avatar and renditions is None:
            member.avatar_thumb = ""
            member.avatar_medium = ""
        if renditions is not None:
            member.avatar_thumb.save(
                renditions["thumb"].content.name, renditions["thumb"].content, save=False
            )
            member.avatar_medium.save(
                renditions["medium"].content.name, renditions["medium"].content, save=False
            )
        member.save()
    return member


# --- follows --------------------------------------------------------------------------


def _access_follow(*, follower, followed) -> None:
    if not (follower and follower.is_authenticated):
        raise AccessDenied(_("Please sign in first."), code="login_required")
    if not follower.is_active:
        raise AccessDenied(_("This account is closed."))
    if followed is None or not followed.is_active:
        raise NotFound(_("No such member."))


def follow_create(*, follower, followed: Member) -> Follow:
    """`follower` sees what `followed` does in their feed; `followed` is told once (a
    follow, unfollow, follow again while the first notice is unread adds no other)."""
    _access_follow(follower=follower, followed=followed)
    if followed.pk == follower.pk:
        raise DomainError(_("You cannot follow yourself."), code="self_follow")
    already = Conflict(
        _("You already follow %(name)s.") % {"name": followed.public_name}, code="already_following"
    )
    if Follow.objects.filter(follower=follower, followed=followed).exists():
        raise already
    rate_limit_hit(action="follow", key=follower.pk)
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=follower, followed=followed)
            notify(
                recipients=[followed],
                kind="member_followed",
                url=reverse("members:profile", args=[follower.pk]),
                actor=follower,
                params={"actor": follower.public_name},
                once_unread=True,
            )
    except IntegrityError:  # a second request raced past the check above
        raise already from None
    return follow


def follow_delete(*, follower, followed: Member) -> None:
    """Stop following. Unfollowing someone one does not follow is a 404, so that a
    repeated click says what happened instead of pretending."""
    if not (follower and follower.is_authenticated):
        raise AccessDenied(_("Please sign in first."), code="login_required")
    if followed is None:
        raise NotFound(_("No such member."))
    with transaction.atomic():
        deleted, _rows = Follow.objects.filter(follower=follower, followed=followed).delete()
    if not deleted:
        raise NotFound(
            _("You do not follow %(name)s.") % {"name": followed.public_name}, code="not_following"
        )
