"""Writes of member profiles."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from community.errors import AccessDenied, DomainError
from community.imaging import ImageRejected, process_image
from community.members.models import TIME_ZONE_CHOICES, Member
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
