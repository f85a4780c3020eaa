"""Writes of chat, and the access rules beside them (services/access.py)."""

from community.chat.services.access import (
    RoomAccess,
    access_room_moderate,
    access_room_post,
    access_room_read,
    active_mute,
    room_access,
    room_readers,
    rooms_readable_q,
)
from community.chat.services.live import (
    live_hello,
    live_room_open,
    live_rooms,
    live_typing,
    room_for_frame,
)
from community.chat.services.messages import (
    message_delete,
    message_edit,
    message_get,
    message_send,
    reaction_toggle,
)
from community.chat.services.moderation import (
    MUTE_CHOICES_MINUTES,
    room_mute,
    room_unmute,
)
from community.chat.services.presence import (
    connection_close,
    connection_open,
    connection_touch,
    presence_enter,
    presence_leave,
    presence_online,
)
from community.chat.services.rooms import (
    direct_room_open,
    expert_room_open,
    room_for_club,
    room_for_event,
    room_get,
    room_mark_read,
    room_notify_set,
    room_title,
    subscription_ensure,
)

__all__ = [
    "MUTE_CHOICES_MINUTES",
    "RoomAccess",
    "access_room_moderate",
    "access_room_post",
    "access_room_read",
    "active_mute",
    "connection_close",
    "connection_open",
    "connection_touch",
    "direct_room_open",
    "expert_room_open",
    "live_hello",
    "live_room_open",
    "live_rooms",
    "live_typing",
    "message_delete",
    "message_edit",
    "message_get",
    "message_send",
    "presence_enter",
    "presence_leave",
    "presence_online",
    "reaction_toggle",
    "room_access",
    "room_for_club",
    "room_for_event",
    "room_for_frame",
    "room_get",
    "room_mark_read",
    "room_mute",
    "room_notify_set",
    "room_readers",
    "room_title",
    "room_unmute",
    "rooms_readable_q",
    "subscription_ensure",
]
