"""Faults: a client that was away, a channel layer (Redis) that restarts, a write that
rolls back. Whatever happens to the live path, every saved message reaches every
client once, by catch-up from the sequence numbers, and nothing unsaved is ever sent."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
from channels.layers import channel_layers
from django.db import transaction

from community import realtime
from community.chat.models import Message, Room
from community.chat.payloads import message_payload
from tests.chat.conftest import club_with_room, connect, db_call, live_test, send


def _ids(frames) -> list[int]:
    return [frame["message"]["id"] for frame in frames if frame["type"] == "message"]


def _last_live_sequence(frames, room_id, start: int) -> int:
    """What a client saw live: the highest sequence among broadcast "message" frames."""
    sequences = [
        frame["message"]["updated_sequence"]
        for frame in frames
        if frame["type"] == "message" and frame["room"] == room_id
    ]
    return max([start, *sequences])


@live_test
async def test_a_client_that_was_away_catches_up_with_none_lost_or_twice(club_room):
    ann, bob = club_room.members
    room_id = club_room.room.pk
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    await ann_socket.open_room(room_id)
    await bob_socket.open_room(room_id)
    await ann_socket.request({"type": "message.send", "room": room_id, "body": "still here?"})
    seen = (await bob_socket.expect("message"))["message"]["sequence"]
    await bob_socket.close()

    missed = []
    for n in range(5):
        ack = await ann_socket.request({"type": "message.send", "room": room_id, "body": f"m{n}"})
        missed.append(ack["message"]["id"])

    bob_again = await connect(bob)
    assert bob_again.hello["rooms"][0]["last_sequence"] == seen + 5
    frames, opened = await bob_again.open_room(room_id, after=seen)
    assert _ids(frames) == missed
    assert [f["message"]["sequence"] for f in frames] == list(range(seen + 1, seen + 6))
    assert opened["last_sequence"] == seen + 5
    # Nothing else arrives afterwards (no live copy of the missed ones).
    assert [f for f in await bob_again.drain() if f["type"] == "message"] == []
    # And the live path works again.
    await ann_socket.request({"type": "message.send", "room": room_id, "body": "welcome back"})
    assert (await bob_again.expect("message"))["message"]["sequence"] == seen + 6


@live_test
async def test_a_rolled_back_write_broadcasts_nothing(club_room):
    ann, bob = club_room.members
    room = club_room.room
    socket = await connect(ann)
    await socket.open_room(room.pk)
    await socket.drain()

    def write_then_fail():
        with transaction.atomic():
            message = send(bob, room, "never saved")
            realtime.broadcast_on_commit(
                realtime.room_group(room.pk),
                {"type": "chat.message", "room": room.pk, "message": message_payload(message)},
            )
            raise RuntimeError("the request failed after the write")

    with pytest.raises(RuntimeError):
        await db_call(write_then_fail)()
    assert await socket.drain() == []
    assert await db_call(Message.objects.count)() == 0
    assert (await db_call(Room.objects.get)(pk=room.pk)).last_sequence == 0
    # A write that commits is sent, with the sequence the rolled-back one did not keep.
    await db_call(send)(bob, room, "saved")
    frame = await socket.expect("message")
    assert frame["message"]["body"] == "saved" and frame["message"]["sequence"] == 1


# --- a private Redis that the test stops and starts -----------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on a port of its own (no persistence)."""

    def __init__(self, executable: str, port: int):
        self.executable = executable
        self.port = port
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def private_redis(settings, fresh_channel_layer):
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not on PATH")
    server = RedisServer(executable, _free_port())
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [server.url]},
        }
    }
    channel_layers.backends.clear()
    yield server
    server.stop()
    channel_layers.backends.clear()


@live_test
async def test_redis_restart_loses_nothing_and_duplicates_nothing(private_redis, caplog):
    caplog.set_level(logging.WARNING, logger="community.realtime")
    data = await db_call(club_with_room)(members=3)
    ann, bob, carl = data.members
    room_id = data.room.pk
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    await ann_socket.open_room(room_id)
    await bob_socket.open_room(room_id)
    await bob_socket.request({"type": "message.send", "room": room_id, "body": "before"})
    bob_seen = 1
    assert (await ann_socket.expect("message"))["message"]["sequence"] == 1
    ann_seen = 1
    await bob_socket.close()  # bob's tab is gone while Redis restarts

    private_redis.stop()
    # Writes during the outage are saved; their broadcasts fail, are logged, not raised.
    missed = []
    for n in range(3):
        reply = await ann_socket.request(
            {"type": "message.send", "room": room_id, "body": f"during {n}"}
        )
        assert reply["type"] == "ack", reply
        missed.append(reply["message"]["id"])
    for n in range(2):
        missed.append((await db_call(send)(carl, data.room, f"carl {n}")).pk)
    assert await db_call(Message.objects.count)() == 6
    assert any("not sent" in record.getMessage() for record in caplog.records)
    private_redis.start()  # empty: every group membership is forgotten

    # bob comes back and catches up from the last sequence he saw.
    bob_again = await connect(bob)
    frames, opened = await bob_again.open_room(room_id, after=bob_seen)
    assert _ids(frames) == missed
    assert opened["last_sequence"] == 6

    # ann never left: her ping re-joins the groups and tells her what she missed.
    frames = await ann_socket.drain()
    ann_seen = _last_live_sequence(frames, room_id, ann_seen)
    pong = await ann_socket.ping()
    assert pong["rooms"][str(room_id)] == 6
    assert ann_seen < 6
    frames, opened = await ann_socket.open_room(room_id, after=ann_seen)
    got = _ids(frames)
    assert len(got) == len(set(got))
    assert got == missed[ann_seen - 1 :]
    assert opened["last_sequence"] == 6

    # Live delivery works again, to both, once.
    await db_call(send)(carl, data.room, "after")
    for client in (ann_socket, bob_again):
        frame = await client.expect("message")
        assert frame["message"]["sequence"] == 7
        assert [f for f in await client.drain() if f["type"] == "message"] == []
