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


def presence_online(*, room_id: int) -> list[dict]:
    """Members with a live tab on the room, once each, by name."""
    rows = (
        RoomPresence.objects.filter(room_id=room_id, last_seen__gte=_cutoff())
        .select_related("member")
        .order_by("member_id")
    )
    seen = {}
    for row in rows:
        seen.setdefault(row.member_id, str(row.member.public_name))
    return sorted(
        ({"id": pk, "name": name} for pk, name in seen.items()), key=lambda m: m["name"].lower()
    )


def _broadcast_presence(room_ids) -> None:
    for room_id in set(room_ids):
        realtime.broadcast_on_commit(
            realtime.room_group(room_id),
            {"type": "chat.presence", "room": room_id, "online": presence_online(room_id=room_id)},
        )


def presence_enter(*, room: Room, member, channel_name: str) -> None:
    RoomPresence.objects.update_or_create(
        room=room,
        channel_name=channel_name,
        defaults={"member": member, "last_seen": timezone.now()},
    )
    _broadcast_presence([room.pk])


def presence_leave(*, room_id: int, channel_name: str) -> None:
    deleted, _rows = RoomPresence.objects.filter(
        room_id=room_id, channel_name=channel_name
    ).delete()
    if deleted:
        _broadcast_presence([room_id])


def connection_touch(*, channel_name: str) -> None:
    """A ping: this tab is alive. Tabs that stopped pinging are dropped, and the rooms
    they were in learn who is still online."""
    now = timezone.now()
    LiveConnection.objects.filter(channel_name=channel_name).update(last_seen=now)
    RoomPresence.objects.filter(channel_name=channel_name).update(last_seen=now)
    stale = RoomPresence.objects.filter(last_seen__lt=_cutoff())
    stale_rooms = list(stale.values_list("room_id", flat=True).distinct())
    if stale_rooms:
        stale.delete()
        _broadcast_presence(stale_rooms)
    LiveConnection.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()


def connection_close(*, channel_name: str) -> None:
    rooms = list(
        RoomPresence.objects.filter(channel_name=channel_name).values_list("room_id", flat=True)
    )
    RoomPresence.objects.filter(channel_name=channel_name).delete()
    LiveConnection.objects.filter(channel_name=channel_name).delete()
    _broadcast_presence(rooms)
