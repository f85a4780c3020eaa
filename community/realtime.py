"""Sending live events to sockets, only after the data they describe is saved.

Services call `broadcast_on_commit(group, event)`: the event goes through the channel
layer in `transaction.on_commit`, so a rolled-back write never reaches a socket and a
socket never sees a message it cannot then load. A failed send (Redis down) is logged
and swallowed: the write has succeeded, and clients catch up from the database by
sequence number when they reconnect or ping.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def room_group(room_id: int) -> str:
    return f"chat.room.{room_id}"


def room_open_group(room_id: int) -> str:
    """Tabs that have the room on screen: presence and typing go only to them."""
    return f"chat.room.{room_id}.open"


def member_group(member_id: int) -> str:
    return f"member.{member_id}"


def _send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the layer is down: the data is saved, clients catch up
        logger.warning("Live event to %s not sent", group, exc_info=True)


def broadcast_on_commit(group: str, event: dict) -> None:
    """Send `event` to `group` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(group, event))


def member_access_changed(member_id: int) -> None:
    """Tell the member's open sockets to re-check which rooms they may still follow:
    called by services that end a membership, a ban or a seat."""
    broadcast_on_commit(member_group(member_id), {"type": "access.changed"})
