"""Mutes: a moderator stops a member posting in a room for a while, with a reason
that goes into the club's log."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import ClubAuditEntry
from brand_clubs.services.audit import club_audit_record
from community.chat.models import Room, RoomMute
from community.chat.services.access import access_room_moderate, room_access
from community.chat.services.messages import CONTROL_RE
from community.errors import DomainError
from community.ratelimit import rate_limit_hit

MAX_MUTE_MINUTES = 30 * 24 * 60
MUTE_CHOICES_MINUTES = (10, 60, 24 * 60, 7 * 24 * 60, MAX_MUTE_MINUTES)


def _club_of(room: Room):
    return room.club if room.kind == Room.Kind.CLUB else room.event.club


def room_mute(*, actor, room: Room, member, minutes, reason: str) -> RoomMute:
    access_room_moderate(user=actor, room=room)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 1 <= minutes <= MAX_MUTE_MINUTES:
        raise DomainError(_("A mute lasts from one minute to 30 days."), field="minutes")
    reason = " ".join(CONTROL_RE.sub("", reason if isinstance(reason, str) else "").split())[:500]
    if not reason:
        raise DomainError(_("Say why you mute this member."), field="reason")
    if member is None or member.pk == actor.pk:
        raise DomainError(_("You cannot mute yourself."), field="member")
    target = room_access(user=member, room=room)
    if not target.can_read:
        raise DomainError(_("This member is not in the room."), field="member")
    if target.can_moderate:
        raise DomainError(_("Moderators cannot be muted."), field="member")
    rate_limit_hit(action="chat_moderate", key=actor.pk)
    until = timezone.now() + timedelta(minutes=minutes)
    with transaction.atomic():
        # A new mute replaces the current one, so it can be shortened as well as lengthened.
        RoomMute.objects.filter(
            room=room, member=member, until__gt=timezone.now(), lifted_at__isnull=True
        ).update(lifted_at=timezone.now())
        mute = RoomMute.objects.create(
            room=room, member=member, until=until, reason=reason, created_by=actor
        )
        club_audit_record(
            club=_club_of(room),
            actor=actor,
            action=ClubAuditEntry.Action.CHAT_MUTE,
            member=member,
            reason=_("%(minutes)d minutes: %(reason)s") % {"minutes": minutes, "reason": reason},
        )
    return mute


def room_unmute(*, actor, room: Room, member) -> int:
    access_room_moderate(user=actor, room=room)
    with transaction.atomic():
        lifted = RoomMute.objects.filter(
            room=room, member=member, until__gt=timezone.now(), lifted_at__isnull=True
        ).update(lifted_at=timezone.now())
        if lifted:
            club_audit_record(
                club=_club_of(room),
                actor=actor,
                action=ClubAuditEntry.Action.CHAT_UNMUTE,
                member=member,
            )
    return lifted
