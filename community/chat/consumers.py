"""The live socket: one per browser tab, carrying chat rooms and notifications.

Thin by design: it parses frames, calls one chat service per frame through
`database_sync_to_async` (access is checked there, on every frame), and forwards events
that services broadcast after commit. Every bad frame gets an error frame with a
translated reason; the socket stays open except when the session is missing or the
member has too many sockets. The protocol is described in docs/architecture.md.
"""

import asyncio
import json
import logging
import time
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from community import realtime
from community.chat import services
from community.chat.payloads import message_payload
from community.errors import AccessDenied, Conflict, DomainError, NotFound, RateLimited
from community.members.notifications import notification_unread_count, render_notification

logger = logging.getLogger(__name__)

CLOSE_LOGIN_REQUIRED = 4401
CLOSE_TOO_MANY = 4008
MAX_REF_LENGTH = 40
MAX_ID = 2**63 - 1
# Per socket (count, seconds): frames that cost queries but are not writes.
TYPING_RATE = (1, 2.0)  # per room
READ_RATE = (4, 1.0)  # per room
ROOM_OPEN_RATE = (10, 10.0)
PING_RATE = (6, 10.0)
ANY_ROOM_RATE = (20, 10.0)  # typing or read, whatever room ids a client cycles through
PASSED_THROUGH_CODES = {
    "muted",
    "sequence_ahead",
    "too_long",
    "too_many_connections",
}
# While the channel layer is down (Redis restarting), a socket waits this long (doubling
# up to the maximum) before it listens again, instead of ending.
LAYER_RETRY_SECONDS = (0.2, 5.0)


class FrameError(Exception):
    """A frame that is not what the protocol says: its message is shown as is."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def socket_language(scope, member) -> str:
    """The member's chosen language, else the language cookie, else Accept-Language."""
    candidates = [getattr(member, "preferred_language", "") or ""]
    candidates.append(scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, ""))
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            header = value.decode("latin-1")[:200]
            candidates.extend(code for code, _q in parse_accept_lang_header(header))
    for candidate in candidates:
        if not candidate or candidate == "*":
            continue
        try:
            return get_supported_language_variant(candidate)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _in_language(language, function, kwargs):
    with translation.override(language):
        return function(**kwargs)


def _error_code(exc: DomainError) -> str:
    if exc.code in PASSED_THROUGH_CODES:
        return exc.code
    if isinstance(exc, NotFound):
        return "not_found"
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, AccessDenied):
        return "forbidden"
    if isinstance(exc, Conflict):
        return "conflict"
    return "invalid"


def _encodable(frame) -> bool:
    """False when a "\\ud800"-style escape decoded to a lone surrogate: valid JSON, but
    text that neither the database nor the socket can encode."""
    try:
        json.dumps(frame, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _positive_int(frame: dict, field: str, *, required: bool = True, minimum: int = 1):
    value = frame.get(field)
    if value is None and not required:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not minimum <= value <= MAX_ID  # beyond a database integer
    ):
        raise FrameError("bad_frame", _("Missing or invalid field: %(field)s.") % {"field": field})
    return value


def _text(frame: dict, field: str, *, required: bool = True) -> str:
    value = frame.get(field, None if required else "")
    if value is None:
        value = "" if not required else None
    if not isinstance(value, str):
        raise FrameError("bad_frame", _("Missing or invalid field: %(field)s.") % {"field": field})
    return value


class LiveConsumer(AsyncWebsocketConsumer):
    member = None

    async def connect(self):
        self.member = None
        self.frame_times: dict[str, list[float]] = {}
        self.rooms: set[int] = set()  # groups this socket is in
        self.open_rooms: set[int] = set()  # rooms on screen (presence, typing)
        user = self.scope.get("user")
        self.language = settings.LANGUAGE_CODE
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            with translation.override(socket_language(self.scope, None)):
                await self.send_error("login_required", _("Please log in to chat."))
            await self.close(code=CLOSE_LOGIN_REQUIRED)
            return
        self.language = socket_language(self.scope, user)
        try:
            await self.call(services.connection_open, member=user, channel_name=self.channel_name)
        except DomainError as exc:
            await self.send_error(_error_code(exc), str(exc.message))
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.member = user
        await self.layer_group("add", realtime.member_group(user.pk))
        hello = await self.call(services.live_hello, member=user)
        for room in hello["rooms"]:
            await self.join_room_group(room["id"])
        await self.send_json(hello)

    async def disconnect(self, code):
        if self.member is None:
            return
        for room_id in list(self.rooms):
            await self.layer_group("discard", realtime.room_group(room_id))
        for room_id in list(self.open_rooms):
            await self.layer_group("discard", realtime.room_open_group(room_id))
        await self.layer_group("discard", realtime.member_group(self.member.pk))
        try:
            await self.call(services.connection_close, channel_name=self.channel_name)
        except Exception:  # the socket is gone either way; stale rows expire
            logger.warning("Could not close live connection", exc_info=True)
        self.member = None

    # --- plumbing -------------------------------------------------------------------

    async def call(self, function, **kwargs):
        """A service call in a worker thread, its messages in the socket's language."""
        return await database_sync_to_async(_in_language)(self.language, function, kwargs)

    async def send_json(self, payload: dict):
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))

    async def send_error(self, code: str, message: str, ref=None, **extra):
        frame = {"type": "error", "code": code, "message": str(message)}
        if ref is not None:
            frame["ref"] = ref
        frame.update(extra)
        await self.send_json(frame)

    async def layer_group(self, action: str, group: str) -> bool:
        """Join or leave a group. A layer that is down (Redis restarting) is logged, not
        raised: the socket keeps working on the database, and the client's next ping
        joins the groups again."""
        layer = self.channel_layer
        method = layer.group_add if action == "add" else layer.group_discard
        try:
            await method(group, self.channel_name)
        except Exception:
            logger.warning("Channel layer: group_%s %s failed", action, group, exc_info=True)
            return False
        return True

    # AsyncConsumer.__call__ sets `channel_receive` to the layer's receive and listens on
    # it beside the socket; an exception there would end the socket. Listen through
    # `_receive_from_layer` instead, which outlasts a layer that is down for a while.
    @property
    def channel_receive(self):
        return self._receive_from_layer

    @channel_receive.setter
    def channel_receive(self, receive):
        self._layer_receive = receive

    async def _receive_from_layer(self):
        delay, longest = LAYER_RETRY_SECONDS
        failures = 0
        while True:
            try:
                event = await self._layer_receive()
            except Exception:
                if failures == 0:
                    logger.warning("Channel layer: receive failed; retrying", exc_info=True)
                failures += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, longest)
                continue
            if failures:
                logger.warning("Channel layer: receiving again after %d failures", failures)
            return event

    def throttle(self, key: str, count: int, seconds: float) -> bool:
        """At most `count` frames of a kind per `seconds` on this socket: cheap frames
        (typing, read, open, ping) are limited here, writes by the services."""
        now = time.monotonic()
        if len(self.frame_times) > 100:  # forget keys whose frames are long past
            self.frame_times = {
                name: times for name, times in self.frame_times.items() if now - times[-1] < 60
            }
        recent = [t for t in self.frame_times.get(key, ()) if now - t < seconds]
        if len(recent) >= count:
            self.frame_times[key] = recent
            return False
        recent.append(now)
        self.frame_times[key] = recent
        return True

    async def still_signed_in(self, ref=None) -> bool:
        """The session may have ended (log-out, password change) or the account been
        closed since the socket opened: re-read both before acting on a frame."""
        member = await self.call(
            _current_member,
            session_key=self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME, ""),
            member_pk=self.member.pk,
        )
        if member is None:
            await self.send_error("login_required", _("Please log in to chat."), ref)
            await self.close(code=CLOSE_LOGIN_REQUIRED)
            await self.disconnect(CLOSE_LOGIN_REQUIRED)
            return False
        self.member = member
        return True

    async def join_room_group(self, room_id: int):
        await self.layer_group("add", realtime.room_group(room_id))
        self.rooms.add(room_id)

    async def leave_room_group(self, room_id: int):
        await self.layer_group("discard", realtime.room_group(room_id))
        self.rooms.discard(room_id)
        await self.close_room_tab(room_id)

    async def close_room_tab(self, room_id: int):
        """The room is no longer on this tab's screen: no presence, no typing."""
        if room_id in self.open_rooms:
            self.open_rooms.discard(room_id)
            await self.layer_group("discard", realtime.room_open_group(room_id))
            await self.call(
                services.presence_leave, room_id=room_id, channel_name=self.channel_name
            )

    # --- frames from the browser ------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.member is None:
            return
        with translation.override(self.language):
            ref = None
            try:
                if text_data is None:
                    raise FrameError("bad_frame", _("Frames must be JSON text."))
                if len(text_data.encode("utf-8")) > settings.CHAT_MAX_FRAME_BYTES:
                    raise FrameError("too_large", _("That frame is too large."))
                try:
                    frame = json.loads(text_data)
                except (ValueError, RecursionError):  # (nested too deep for the parser)
                    raise FrameError("bad_json", _("That frame is not valid JSON.")) from None
                if not _encodable(frame):
                    raise FrameError("bad_frame", _("A frame must be valid Unicode text."))
                if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                    raise FrameError("bad_frame", _("A frame is a JSON object with a type."))
                raw_ref = frame.get("ref")
                if isinstance(raw_ref, str | int) and len(str(raw_ref)) <= MAX_REF_LENGTH:
                    ref = raw_ref
                handler = self.FRAME_HANDLERS.get(frame["type"])
                if handler is None:
                    raise FrameError("unknown_type", _("Unknown frame type."))
                if not await self.still_signed_in(ref):
                    return
                await handler(self, frame, ref)
            except FrameError as exc:
                await self.send_error(exc.code, exc.message, ref)
            except RateLimited as exc:
                await self.send_error("rate_limited", str(exc.message), ref, retry_after=60)
            except DomainError as exc:
                await self.send_error(_error_code(exc), str(exc.message), ref)
            except Exception:  # a bug or the database away: this frame fails, not the socket
                logger.exception("Live socket frame failed")
                await self.send_error(
                    "server_error", _("Something went wrong on our side. Please try again."), ref
                )

    async def on_room_open(self, frame, ref):
        room_id = _positive_int(frame, "room")
        after = _positive_int(frame, "after", required=False, minimum=0) or 0
        if not self.throttle("room.open", *ROOM_OPEN_RATE):
            raise RateLimited(_("You are doing that too often. Please wait a moment."))
        # Join the room's group before reading the catch-up, so that nothing committed
        # in between falls through the gap (a repeat is harmless: clients upsert by id).
        joined_now = room_id not in self.rooms
        if joined_now:
            await self.join_room_group(room_id)
        await self.layer_group("add", realtime.room_open_group(room_id))
        try:
            opened = await self.call(
                services.live_room_open,
                member=self.member,
                room_id=room_id,
                after=after,
                channel_name=self.channel_name,
            )
        except BaseException:
            if room_id not in self.open_rooms:
                await self.layer_group("discard", realtime.room_open_group(room_id))
            if joined_now:
                await self.leave_room_group(room_id)
            raise
        self.open_rooms.add(room_id)
        for payload in opened["messages"]:
            await self.send_json(
                {"type": "message", "room": room_id, "message": payload, "catchup": True}
            )
        if opened["gap"]:
            await self.send_json({"type": "room.gap", "room": room_id})
        reply = {
            "type": "room.opened",
            "room": room_id,
            "last_sequence": opened["last_sequence"],
            "online": opened["online"],
        }
        if ref is not None:
            reply["ref"] = ref
        await self.send_json(reply)

    async def on_room_close(self, frame, ref):
        await self.close_room_tab(_positive_int(frame, "room"))

    async def on_message_send(self, frame, ref):
        room_id = _positive_int(frame, "room")
        body = _text(frame, "body")
        reply_to = _positive_int(frame, "reply_to", required=False)
        client_id = _text(frame, "client_id", required=False)
        payload = await self.call(
            _send_message,
            member=self.member,
            room_id=room_id,
            body=body,
            reply_to=reply_to,
            client_id=client_id,
        )
        await self.send_json({"type": "ack", "ref": ref, "message": payload})

    async def on_message_edit(self, frame, ref):
        message_id = _positive_int(frame, "message")
        body = _text(frame, "body")
        payload = await self.call(
            _edit_message, member=self.member, message_id=message_id, body=body
        )
        await self.send_json({"type": "ack", "ref": ref, "message": payload})

    async def on_message_delete(self, frame, ref):
        message_id = _positive_int(frame, "message")
        reason = _text(frame, "reason", required=False)
        payload = await self.call(
            _delete_message, member=self.member, message_id=message_id, reason=reason
        )
        await self.send_json({"type": "ack", "ref": ref, "message": payload})

    async def on_reaction_toggle(self, frame, ref):
        message_id = _positive_int(frame, "message")
        emoji = _text(frame, "emoji")
        payload = await self.call(
            _toggle_reaction, member=self.member, message_id=message_id, emoji=emoji
        )
        await self.send_json({"type": "ack", "ref": ref, "message": payload})

    async def on_typing(self, frame, ref):
        room_id = _positive_int(frame, "room")
        if not (
            self.throttle(f"typing:{room_id}", *TYPING_RATE)
            and self.throttle("typing", *ANY_ROOM_RATE)
        ):
            return  # the others already see "typing…"; nothing is lost by dropping it
        await self.call(services.live_typing, member=self.member, room_id=room_id)

    async def on_read(self, frame, ref):
        room_id = _positive_int(frame, "room")
        sequence = _positive_int(frame, "sequence", minimum=0)
        if not (
            self.throttle(f"read:{room_id}", *READ_RATE) and self.throttle("read", *ANY_ROOM_RATE)
        ):
            raise RateLimited(_("You are doing that too often. Please wait a moment."))
        await self.call(_mark_read, member=self.member, room_id=room_id, sequence=sequence)

    async def on_ping(self, frame, ref):
        """Keeps presence alive, re-checks access and re-joins groups (a restarted Redis
        forgets them), and tells the client each room's last sequence so it can catch
        up on anything a lost broadcast did not bring."""
        if not self.throttle("ping", *PING_RATE):
            raise RateLimited(_("You are doing that too often. Please wait a moment."))
        await self.call(services.connection_touch, channel_name=self.channel_name)
        rooms = await self.resync_rooms()
        await self.layer_group("add", realtime.member_group(self.member.pk))
        for room_id in self.rooms:
            await self.layer_group("add", realtime.room_group(room_id))
        for room_id in self.open_rooms:
            await self.layer_group("add", realtime.room_open_group(room_id))
        sequences = {pk: room["last_sequence"] for pk, room in rooms.items()}
        missing = [pk for pk in self.open_rooms if pk not in sequences]
        if missing:
            sequences.update(await self.call(services.room_sequences, room_ids=missing))
        await self.send_json(
            {
                "type": "pong",
                "ref": ref,
                "rooms": {str(pk): sequence for pk, sequence in sequences.items()},
            }
        )

    FRAME_HANDLERS = {
        "room.open": on_room_open,
        "room.close": on_room_close,
        "message.send": on_message_send,
        "message.edit": on_message_edit,
        "message.delete": on_message_delete,
        "reaction.toggle": on_reaction_toggle,
        "typing": on_typing,
        "read": on_read,
        "ping": on_ping,
    }

    async def resync_rooms(self) -> dict:
        """Follow exactly the rooms the member may read now (plus open rooms still
        readable, such as a club room a site moderator opened)."""
        rooms = await self.call(services.live_rooms, member=self.member)
        for room_id in list(self.rooms):
            if room_id in rooms:
                continue
            # Open rooms (a site moderator's) and rooms past the list's cap are checked
            # one by one before they are given up.
            if room_id in self.open_rooms or len(rooms) >= services.MAX_LIVE_ROOMS:
                try:
                    await self.call(services.room_for_frame, member=self.member, room_id=room_id)
                    continue
                except DomainError:
                    pass
            await self.leave_room_group(room_id)
            await self.send_json({"type": "room.revoked", "room": room_id})
        for room_id, room in rooms.items():
            if room_id not in self.rooms:
                await self.join_room_group(room_id)
                await self.send_json({"type": "room.added", "room": room})
        return rooms

    # --- events from services (channel layer) ----------------------------------------

    async def chat_message(self, event):
        if event["room"] in self.rooms:
            await self.send_json(
                {"type": "message", "room": event["room"], "message": event["message"]}
            )

    async def chat_typing(self, event):
        member = event.get("member") or {}
        if event["room"] in self.open_rooms and member.get("id") != self.member.pk:
            await self.send_json({"type": "typing", "room": event["room"], "member": member})

    async def chat_presence(self, event):
        if event["room"] in self.open_rooms:
            await self.send_json({**event, "type": "presence"})

    async def chat_unread(self, event):
        await self.send_json({**event, "type": "unread"})

    async def access_changed(self, event):
        await self.resync_rooms()

    async def notification_created(self, event):
        text = render_notification(event["kind"], event.get("params") or {}, self.language)
        unread = await self.call(notification_unread_count, member=self.member)
        await self.send_json(
            {
                "type": "notification",
                "id": event.get("id"),
                "text": text,
                "url": event.get("url", ""),  # what it is about
                "open_url": event.get("open_url") or event.get("url", ""),  # marks it read
                "created_at": event.get("created_at"),
                "unread": unread,
            }
        )


# --- one service call per frame (run in a worker thread) ---------------------------


def _current_member(*, session_key: str, member_pk: int):
    """The member the session still belongs to (None after log-out, a password change
    or a closed account), read afresh rather than from the socket's first look."""
    from importlib import import_module

    from django.contrib.auth import get_user

    if not session_key:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(SimpleNamespace(session=session))
    if not user.is_authenticated or not user.is_active or user.pk != member_pk:
        return None
    return user


def _send_message(*, member, room_id, body, reply_to, client_id):
    room = services.room_get(pk=room_id)
    message = services.message_send(
        author=member, room=room, body=body, reply_to_id=reply_to, client_id=client_id
    )
    return message_payload(message)


def _edit_message(*, member, message_id, body):
    message = services.message_get(user=member, pk=message_id)
    return message_payload(services.message_edit(actor=member, message=message, body=body))


def _delete_message(*, member, message_id, reason):
    message = services.message_get(user=member, pk=message_id)
    return message_payload(services.message_delete(actor=member, message=message, reason=reason))


def _toggle_reaction(*, member, message_id, emoji):
    message = services.message_get(user=member, pk=message_id)
    services.reaction_toggle(member=member, message=message, emoji=emoji)
    return message_payload(services.message_get(user=member, pk=message_id))


def _mark_read(*, member, room_id, sequence):
    room = services.room_get(pk=room_id)
    return services.room_mark_read(member=member, room=room, sequence=sequence)
