"""What the live socket asks of the chat: one call per frame, access checked each time."""

from django.conf import settings
from django.utils.translation import gettext as _

from community import realtime
from community.chat.models import MAX_LISTED_ROOMS, Room
from community.chat.payloads import member_payload, message_payload
from community.chat.services.access import access_room_post, access_room_read
from community.chat.services.presence import presence_enter, presence_online
from community.chat.services.rooms import room_get, room_title, subscription_ensure
from community.errors import DomainError

MAX_LIVE_ROOMS = MAX_LISTED_ROOMS


def live_rooms(*, member) -> dict[int, dict]:
    """The rooms the member's sockets follow: {id: {"id", "title", "unread",
    "last_sequence"}}, in one query."""
    from community.chat.selectors import rooms_for_member

    return {
        room.pk: {
            "id": room.pk,
            "title": room_title(room, viewer=member),
            "unread": room.unread,
            "followed": room.followed,
            "last_sequence": room.last_sequence,
        }
        for room in rooms_for_member(member=member)
    }


def live_hello(*, member) -> dict:
    from community.members.notifications import notification_unread_count

    rooms = live_rooms(member=member)
    return {
        "type": "hello",
        "member": {"id": member.pk, "name": str(member.public_name)},
        "rooms": list(rooms.values()),
        "unread_total": sum(room["unread"] for room in rooms.values()),
        "notifications_unread": notification_unread_count(member=member),
    }


def live_room_open(*, member, room_id: int, after: int, channel_name: str) -> dict:
    """A tab opens a room: access, catch-up from sequence `after`, presence."""
    room = room_get(pk=room_id)
    access_room_read(user=member, room=room)
    if after > room.last_sequence:
        raise DomainError(
            _("That sequence number is ahead of the room: reload the history."),
            code="sequence_ahead",
        )
    from community.chat.selectors import room_changes_after

    limit = settings.CHAT_CATCHUP_LIMIT
    changes = room_changes_after(room=room, after=after, limit=limit)
    gap = len(changes) > limit
    if gap:  # the client reloads the latest page instead: send none of them
        changes = []
    subscription_ensure(room=room, member=member)
    presence_enter(room=room, member=member, channel_name=channel_name)
    return {
        "room": room.pk,
        "last_sequence": room.last_sequence,
        "messages": [message_payload(message) for message in changes[:limit]],
        "gap": gap,
        "online": presence_online(room_id=room.pk),
    }


def live_typing(*, member, room_id: int) -> None:
    """Typing is shown only by people who may post; nothing is saved."""
    room = room_get(pk=room_id)
    access_room_post(user=member, room=room)
    realtime.broadcast_on_commit(
        realtime.room_open_group(room.pk),
        {"type": "chat.typing", "room": room.pk, "member": member_payload(member)},
    )


def room_sequences(*, room_ids) -> dict[int, int]:
    """Last sequences of rooms a socket has open (already access-checked)."""
    return dict(Room.objects.filter(pk__in=list(room_ids)).values_list("pk", "last_sequence"))


def room_for_frame(*, member, room_id: int) -> Room:
    room = room_get(pk=room_id)
    access_room_read(user=member, room=room)
    return room
