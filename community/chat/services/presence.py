"""Open sockets and who is online in a room.

A browser tab is a `LiveConnection`; a tab with a room open is a `RoomPresence`. Both
are refreshed by the client's ping every 25 s, so a member with several tabs stays
online until the last one goes, and a tab whose browser died without closing stops
counting after CHAT_PRESENCE_TTL. These functions are called by the socket consumer."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community import realtime
from community.chat.models import LiveConnection, Room, RoomPresence
from community.errors import DomainError
from community.members.badges import expert_label


def _cutoff():
    return timezone.now() - timedelta(seconds=settings.CHAT_PRESENCE_TTL)


def connection_open(*, member, channel_name: str) -> LiveConnection:
    """Refused past CHAT_MAX_SOCKETS_PER_MEMBER live tabs (dead ones do not count)."""
    with transaction.atomic():
        # One member's connects queue on their row, so the count below stays true.
        get_user_model().objects.select_for_update().filter(pk=member.pk).first()
        open_now = LiveConnection.objects.filter(member=member, last_seen__gte=_cutoff()).count()
        if open_now >= settings.CHAT_MAX_SOCKETS_PER_MEMBER:
            raise DomainError(
                _("You have too many chat windows open. Close one and reload this page."),
                code="too_many_connections",
            )
        return LiveConnection.objects.create(
            member=member, channel_name=channel_name, last_seen=timezone.now()
        )


MAX_ONLINE_LISTED = 100


def presence_online(*, room_id: int) -> list[dict]:
    """Members with a live tab on the room, once each, by name (at most
    MAX_ONLINE_LISTED; the rest are counted by the client from later changes)."""
    member_ids = (
        RoomPresence.objects.filter(room_id=room_id, last_seen__gte=_cutoff())
        .values("member_id")
        .distinct()
    )
    members = get_user_model().objects.filter(pk__in=member_ids).order_by("display_name", "pk")
    return [_presence_person(member) for member in members[:MAX_ONLINE_LISTED]]


def _presence_person(member) -> dict:
    """A name in the "online" list, with its byline label like every other name."""
    return {"id": member.pk, "name": str(member.public_name), "expert_label": expert_label(member)}


def _online_elsewhere(*, room_id: int, member_id: int, channel_name: str) -> bool:
    return (
        RoomPresence.objects.filter(room_id=room_id, member_id=member_id, last_seen__gte=_cutoff())
        .exclude(channel_name=channel_name)
        .exists()
    )


def _broadcast_change(room_id: int, **change) -> None:
    """One member came or went: a small change to the open tabs, not the whole list
    (a whole list per join would cost N² frames when N people open a room)."""
    realtime.broadcast_on_commit(
        realtime.room_open_group(room_id), {"type": "chat.presence", "room": room_id, **change}
    )


def presence_enter(*, room: Room, member, channel_name: str) -> None:
    already = _online_elsewhere(room_id=room.pk, member_id=member.pk, channel_name=channel_name)
    RoomPresence.objects.update_or_create(
        room=room,
        channel_name=channel_name,
        defaults={"member": member, "last_seen": timezone.now()},
    )
    if not already:
        _broadcast_change(room.pk, joined=_presence_person(member))


def _leave(rows) -> None:
    """Drop presence rows; members left with no live tab in a room are announced gone."""
    gone = list(rows.values_list("room_id", "member_id", "channel_name"))
    rows.delete()
    for room_id, member_id, channel_name in set(gone):
        if not _online_elsewhere(room_id=room_id, member_id=member_id, channel_name=channel_name):
            _broadcast_change(room_id, left=member_id)


def presence_leave(*, room_id: int, channel_name: str) -> None:
    _leave(RoomPresence.objects.filter(room_id=room_id, channel_name=channel_name))


def connection_touch(*, channel_name: str) -> None:
    """A ping: this tab is alive. Tabs that stopped pinging are dropped, and the rooms
    they were in learn who is gone."""
    now = timezone.now()
    LiveConnection.objects.filter(channel_name=channel_name).update(last_seen=now)
    RoomPresence.objects.filter(channel_name=channel_name).update(last_seen=now)
    _leave(RoomPresence.objects.filter(last_seen__lt=_cutoff()))
    LiveConnection.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()


def connection_close(*, channel_name: str) -> None:
    _leave(RoomPresence.objects.filter(channel_name=channel_name))
    LiveConnection.objects.filter(channel_name=channel_name).delete()
