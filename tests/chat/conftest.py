"""Shared helpers of the chat tests: clubs with a room, and live sockets.

Socket tests are `async def` functions decorated with `live_test`: it marks them
transactional (the consumer's database calls run in worker threads and must see
committed rows), gives them a fresh channel layer and runs them in their own event
loop (no pytest-asyncio needed). In such a test, `connect(member)` opens a socket to the
real ASGI application (origin and host checks, session login) and returns a `Socket`;
sockets still open at the end are closed. Synchronous database work in an async test
goes through `db_call(function)(...)`, so broadcasts reach the sockets on the same loop.

With REDIS_URL set the layer is channels_redis: each test gets its own key prefix, and
its keys are flushed at the end.
"""

import asyncio
import contextlib
import copy
import functools
import json
import uuid
from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from brand_clubs.models import Club, ClubMembership
from community.asgi import application  # (sets Django up again: at import, not mid-test)
from community.chat import services
from tests.factories import ClubFactory, ClubMembershipFactory, MemberFactory

TIMEOUT = 5.0  # seconds an expected frame may take (Redis included)
QUIET = 0.3  # no frame for this long: nothing else is coming
POLL = 0.005

db_call = database_sync_to_async
_open_sockets: list["Socket"] = []


# --- data -----------------------------------------------------------------------------


def club_with_room(*, members: int = 2, moderator: bool = True, **club_fields):
    """A club with `members` active members (and a club moderator), its member count
    right (the club services maintain it), and its chat room."""
    club = ClubFactory(**club_fields)
    people = [ClubMembershipFactory(club=club).member for _ in range(members)]
    mod = None
    if moderator:
        mod = ClubMembershipFactory(club=club, role=ClubMembership.Role.MODERATOR).member
    Club.objects.filter(pk=club.pk).update(member_count=members + (1 if moderator else 0))
    club.refresh_from_db()
    room = services.room_for_club(user=people[0] if people else mod, club=club)
    return SimpleNamespace(club=club, room=room, members=people, moderator=mod)


def send(author, room, body, **kwargs):
    """A message sent through the service (not a socket)."""
    return services.message_send(author=author, room=room, body=body, **kwargs)


@pytest.fixture
def club_room(db):
    """A public club with two members, a club moderator and its room."""
    return club_with_room()


@pytest.fixture
def other_club_room(db):
    return club_with_room(members=1)


@pytest.fixture
def outsider(db):
    return MemberFactory()


# --- live sockets ---------------------------------------------------------------------


@pytest.fixture
def fresh_channel_layer(settings):
    """A channel layer of this test only (bound to the test's event loop)."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    default = layers["default"]
    if "redis" in default["BACKEND"].lower():
        default.setdefault("CONFIG", {})["prefix"] = f"asgi-test-{uuid.uuid4().hex[:12]}"
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends.clear()
    yield
    layer = channel_layers.backends.get("default")
    if layer is not None and hasattr(layer, "flush"):
        # (a test that stopped its Redis leaves nothing to flush)
        with contextlib.suppress(Exception):
            async_to_sync(layer.flush)()
    channel_layers.backends.clear()


def live_test(test):
    """Run an `async def` test in its own event loop, transactional, on a fresh layer,
    closing the sockets it left open."""

    @pytest.mark.usefixtures("fresh_channel_layer")
    @pytest.mark.django_db(transaction=True)
    @functools.wraps(test)
    def run(*args, **kwargs):
        async def main():
            try:
                await test(*args, **kwargs)
            finally:
                await close_all_sockets()

        async_to_sync(main)()

    return run


async def close_all_sockets():
    while _open_sockets:
        socket = _open_sockets.pop()
        await socket.close()


def _session_cookie(member) -> str:
    client = Client()
    client.force_login(member)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def connect(member=None, *, origin: bytes = b"http://localhost", hello: bool = True):
    """A browser tab's socket to /ws/live/, logged in as `member` (anonymous if None).
    Waits for the hello frame unless `hello` is False or the handshake is refused."""
    headers = [(b"host", b"localhost"), (b"origin", origin)]
    if member is not None:
        cookie = await db_call(_session_cookie)(member)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _subprotocol = await communicator.connect(timeout=TIMEOUT)
    socket = Socket(communicator, member, connected)
    _open_sockets.append(socket)
    if connected and hello and member is not None:
        socket.hello = await socket.expect("hello")
    return socket


class Socket:
    """A test client: frames are dicts; a close from the server is the pseudo-frame
    {"type": "<close>", "code": n}. Frames skipped while waiting for another are kept,
    in order, for the next `expect`/`drain`."""

    def __init__(self, communicator, member, connected: bool):
        self.communicator = communicator
        self.member = member
        self.connected = connected
        self.closed = not connected
        self.hello = None
        self.buffer: list[dict] = []

    # sending
    async def send(self, frame):
        if isinstance(frame, bytes):
            await self.communicator.send_to(bytes_data=frame)
        elif isinstance(frame, str):
            await self.communicator.send_to(text_data=frame)
        else:
            await self.communicator.send_to(text_data=json.dumps(frame))

    # receiving, without ever cancelling the application on a timeout
    async def _next(self, timeout: float) -> dict | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        queue = self.communicator.output_queue
        while True:
            if not queue.empty():
                output = queue.get_nowait()
                if output["type"] == "websocket.close":
                    self.closed = True
                    return {"type": "<close>", "code": output.get("code", 1000)}
                if output.get("text") is not None:
                    return json.loads(output["text"])
                return {"type": "<bytes>", "bytes": output.get("bytes")}
            if self.communicator.future.done():
                self.communicator.future.result()  # the consumer's crash, if any
                return None
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(POLL)

    async def expect(self, frame_type: str, timeout: float = TIMEOUT, **fields) -> dict:
        """The next frame of `frame_type` (whose `fields` match); others are kept."""

        def matches(frame):
            return frame["type"] == frame_type and all(
                frame.get(key) == value for key, value in fields.items()
            )

        for index, frame in enumerate(self.buffer):
            if matches(frame):
                return self.buffer.pop(index)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self._next(max(deadline - loop.time(), 0))
            if frame is None:
                raise AssertionError(
                    f"no {frame_type!r} frame {fields or ''} within {timeout}s; got {self.buffer!r}"
                )
            if matches(frame):
                return frame
            self.buffer.append(frame)

    async def drain(self, quiet: float = QUIET) -> list[dict]:
        """Every frame kept or arriving until none comes for `quiet` seconds."""
        frames, self.buffer = self.buffer, []
        while True:
            frame = await self._next(quiet)
            if frame is None:
                return frames
            frames.append(frame)

    async def frames_of(self, frame_type: str, quiet: float = QUIET) -> list[dict]:
        """The frames of `frame_type` among those that arrive until quiet (the rest
        are kept)."""
        frames = await self.drain(quiet)
        self.buffer = [frame for frame in frames if frame["type"] != frame_type]
        return [frame for frame in frames if frame["type"] == frame_type]

    # protocol steps
    async def ping(self) -> dict:
        await self.send({"type": "ping"})
        return await self.expect("pong")

    async def open_room(self, room_id: int, after: int = 0) -> tuple[list[dict], dict]:
        """room.open: (the catch-up frames, in order, and the room.opened frame)."""
        await self.send({"type": "room.open", "room": room_id, "after": after})
        frames = []
        while True:
            frame = await self._next(TIMEOUT)
            if frame is None:
                raise AssertionError(f"no room.opened for room {room_id}; got {frames!r}")
            if frame["type"] == "room.opened" and frame["room"] == room_id:
                break
            if frame.get("catchup") or (frame["type"] == "room.gap"):
                frames.append(frame)
            else:
                self.buffer.append(frame)
        return frames, frame

    async def request(self, frame: dict, ref: str = "r") -> dict:
        """Send a frame with a ref; the ack or error that carries the ref."""
        await self.send({**frame, "ref": ref})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while True:
            reply = await self._next(max(deadline - loop.time(), 0))
            if reply is None:
                raise AssertionError(f"no reply to {frame!r}; got {self.buffer!r}")
            if reply["type"] in ("ack", "error") and reply.get("ref") == ref:
                return reply
            self.buffer.append(reply)

    async def close(self):
        """The tab goes away (also after the server closed: the consumer still gets
        its disconnect, as from a browser)."""
        self.closed = True
        if self.communicator.future.done():
            self.communicator.future.result()
            return
        await self.communicator.disconnect(timeout=TIMEOUT)
