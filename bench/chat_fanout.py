"""How much slower does a chat message reach N open sockets than a bare group_send echo?

    python -m bench.chat_fanout [--clients 100 500] [--rounds 10] [--layers memory redis]
                                [--db sqlite|postgres] [--no-open]

A fresh database (SQLite under bench/.data; PostgreSQL like the other benches with
--db postgres), migrated, with one public club whose members are N members plus one
sender per client count, the club's chat room (community.chat.services.room_for_club)
and a logged-in session per member. For each channel layer (in-memory; Redis at REDIS_URL,
default redis://127.0.0.1:6379/14, skipped with a note when no server answers) ONE
Daphne process serves bench.chat_fanout_asgi:application: the site plus /ws/bench-echo/.

For each client count N: N members open /ws/live/, wait for "hello" and open the room
(room.open, after = the room's last sequence; not with --no-open, which leaves out the
presence broadcast of every open); N more sockets of the same members open
/ws/bench-echo/. Then rounds alternate: the sender sends "message.send" with a unique body
and every client times the "message" frame carrying it; one echo socket sends a unique
frame and every echo client times its copy. Latency is from just before the send to the
receipt, over all deliveries of all rounds (one warm-up round of each is not counted).
One line per layer and client count gives the delivery ratio, p50/p99 of each, the
chat/echo ratios and how long the sockets took to open and fall quiet. Exits non-zero
if any delivery is missing. The in-memory layer scans all its channels and groups on
every receive, so its echo grows faster than linearly with N: compare layers by ratio.
"""

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench import product_page
from bench.product_page import (
    DATA,
    BenchError,
    _env,
    _log_tail,
    _run,
    database_kinds,
    drop_database,
    fresh_database,
    stop_server,
)

NAME = "chat_fanout"
APPLICATION = "bench.chat_fanout_asgi:application"
CHAT_PATH = "/ws/live/"
ECHO_PATH = "/ws/bench-echo/"  # bench/chat_fanout_asgi.py
ECHO_GROUP = "bench.echo"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
LAYER_LABELS = {"memory": "in-memory", "redis": "redis"}
CONNECT_CONCURRENCY = 25  # handshakes in flight at once (Twisted's listen backlog is 50)
SETUP_TIMEOUT = 60  # seconds for one socket's handshake, hello and room.opened
ROUND_TIMEOUT = 20  # seconds for a round's deliveries before counting them as lost
SETTLE = 0.3  # seconds without a frame before a round starts (trailing frames drain)
SETUP_SETTLE = 1.0  # the same after the sockets opened (presence frames of every join)
QUIET_TIMEOUT = 300  # seconds to wait for the sockets to fall quiet
MAX_ROUNDS = 20  # the sender's WRITE_RATE_LIMITS["chat_message"] is 30 a minute


# --- the data: a child process with Django set up --------------------------------------


def _seed_only(members: int, senders: int) -> None:
    """Child process: the club, its members, its room and their sessions, as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from brand_clubs.models import Brand, Club, ClubMembership
    from community.chat.services import room_for_club
    from community.members.models import Member

    brand = Brand.objects.create(name="Bench Motors", slug="bench-motors")
    club = Club.objects.create(
        brand=brand,
        name="Bench riders",
        slug="bench-riders",
        visibility=Club.Visibility.PUBLIC,
        description="Riders who measure things.",
    )
    # Unusable passwords: hashing hundreds of real ones would take longer than the bench.
    people = Member.objects.bulk_create(
        Member(
            email=f"rider{i}@bench.example",
            display_name=f"Rider {i}",
            password=f"!bench{i}",
        )
        for i in range(members + senders)
    )
    now = timezone.now()
    ClubMembership.objects.bulk_create(
        ClubMembership(
            club=club,
            member=person,
            role=ClubMembership.Role.MEMBER,
            status=ClubMembership.Status.ACTIVE,
            joined_at=now,
        )
        for person in people
    )
    Club.objects.filter(pk=club.pk).update(member_count=len(people))
    room = room_for_club(user=people[0], club=club)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    keys = []
    for person in people:
        session = SessionStore()
        session[SESSION_KEY] = person._meta.pk.value_to_string(person)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    print(
        json.dumps(
            {
                "cookie": settings.SESSION_COOKIE_NAME,
                "room": room.pk,
                "members": [p.pk for p in people],
                "sessions": keys[:members],
                "senders": keys[members:],
            }
        )
    )


def prepare(env: dict[str, str], *, members: int, senders: int) -> dict:
    _run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0", "--skip-checks"],
        env,
        "migrate",
    )
    out = _run(
        [
            sys.executable,
            "-m",
            "bench.chat_fanout",
            "--seed-only",
            "--members",
            str(members),
            "--senders",
            str(senders),
        ],
        env,
        "seed",
    )
    return json.loads(out.strip().splitlines()[-1])


# --- the server and the channel layers ---------------------------------------------------


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    """Daphne serving APPLICATION (the site plus the bare echo consumer)."""
    return product_page.start_server(
        env,
        log,
        application=APPLICATION,
        # Hundreds of handshakes queue up while the room fills; Daphne's default of
        # 5 s would drop some before the consumer accepts them.
        daphne_args=("--websocket_connect_timeout", str(SETUP_TIMEOUT)),
    )


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def redis_problem(url: str) -> str | None:
    """Why Redis at `url` cannot be used, or None when it answers."""
    try:
        import redis
    except ImportError:
        return "the redis package is not installed"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return f"no server at {url} ({exc})"
    return None


def redis_forget_groups(url: str, groups: list[str]) -> None:
    """Drop the bench's groups left in Redis by an earlier run that did not close its
    sockets: their dead channels would still be sent every message (channels_redis keys
    groups as "asgi:group:<name>")."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.delete(*(f"asgi:group:{group}" for group in groups))
    finally:
        client.close()


def raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < needed:
            print(f"note: open files limited to {target} (hard limit); wanted {needed}")


# --- the clients ------------------------------------------------------------------------


class Round:
    """The frame every client waits for in the current round, and when each got it."""

    def __init__(self, token: str, expected: int, match):
        self.token = token
        self.match = match  # (raw frame) -> bool, run only on frames containing the token
        self.expected = expected
        self.arrivals: dict[int, float] = {}
        self.done = asyncio.Event()
        self.started = 0.0

    def arrived(self, index: int, at: float) -> None:
        if index not in self.arrivals:
            self.arrivals[index] = at
            if len(self.arrivals) >= self.expected:
                self.done.set()


class Client:
    """One socket. Its reader times the current round's frame the moment it is read
    (a substring test first, parsing only candidates) and queues the other frames the
    bench waits for; everything else (presence, unread, notifications) is dropped."""

    KEEP = frozenset({"hello", "room.opened", "ack", "error"})
    last_frame = 0.0  # when any socket last read a frame (see quiet())
    frames_read = 0  # by all sockets: what the setup cost in frames and characters
    chars_read = 0
    MARKERS = tuple(f'"{kind}"' for kind in KEEP)

    def __init__(self, index: int, ws, state: dict):
        self.index = index
        self.ws = ws
        self.state = state  # {"round": Round | None}, shared by all clients of one kind
        self.frames: asyncio.Queue = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                now = Client.last_frame = time.perf_counter()
                Client.frames_read += 1
                Client.chars_read += len(raw)
                current = self.state["round"]
                if current is not None and current.token in raw and current.match(raw):
                    current.arrived(self.index, now)
                    continue
                if not any(marker in raw for marker in self.MARKERS):
                    continue  # cheaper than parsing every presence or unread frame
                try:
                    frame = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(frame, dict) and frame.get("type") in self.KEEP:
                    self.frames.put_nowait(frame)
        except ConnectionClosed:
            pass
        finally:
            self.frames.put_nowait({"type": "closed"})

    async def expect(self, kind: str, timeout: float = SETUP_TIMEOUT) -> dict:
        """The next kept frame, which must be of `kind`."""
        try:
            frame = await asyncio.wait_for(self.frames.get(), timeout)
        except TimeoutError:
            raise BenchError(f"socket {self.index}: no {kind!r} within {timeout} s") from None
        if frame.get("type") != kind:
            raise BenchError(f"socket {self.index}: expected {kind!r}, got {frame}")
        return frame

    async def send(self, frame) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 10)
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)


async def _connect(port: int, path: str, cookie: str, index: int, state: dict) -> Client:
    from websockets.asyncio.client import connect

    ws = await connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
        ping_interval=None,  # keepalive pings would only add noise to short rounds
        max_size=2**22,
        max_queue=None,
        open_timeout=SETUP_TIMEOUT,
        close_timeout=5,
    )
    return Client(index, ws, state)


async def _bounded(jobs, limit: int = CONNECT_CONCURRENCY) -> list:
    """Await the coroutines `jobs` with at most `limit` in flight; the first error wins,
    but every job is awaited (so no socket is left half open)."""
    semaphore = asyncio.Semaphore(limit)

    async def one(job):
        async with semaphore:
            return await job

    results = await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        opened = [r for r in results if isinstance(r, Client)]
        await asyncio.gather(*(c.close() for c in opened))
        raise errors[0] if isinstance(errors[0], BenchError) else BenchError(repr(errors[0]))
    return results


async def open_chat(
    port: int, cookie: str, index: int, room: int, state: dict, *, open_room: bool
) -> Client:
    """A /ws/live/ socket that got its hello (and so follows the room) and, with
    `open_room`, opened the room as a browser tab showing it does."""
    client = await _connect(port, CHAT_PATH, cookie, index, state)
    try:
        hello = await client.expect("hello")
        rooms = {r["id"]: r for r in hello.get("rooms", [])}
        if room not in rooms:
            raise BenchError(f"socket {index}: room {room} not in hello {hello}")
        if open_room:
            after = rooms[room]["last_sequence"]
            await client.send({"type": "room.open", "room": room, "after": after})
            await client.expect("room.opened")
    except BaseException:
        await client.close()
        raise
    return client


async def quiet(idle: float) -> float:
    """Wait until no socket has read a frame for `idle` seconds; return the wait."""
    start = time.perf_counter()
    while True:
        now = time.perf_counter()
        if now - start > QUIET_TIMEOUT:
            raise BenchError(f"the sockets were still busy after {QUIET_TIMEOUT} s")
        gap = now - Client.last_frame
        if gap >= idle:
            return now - start
        await asyncio.sleep(idle - gap)


class Sockets:
    """Every socket of one client count, closed together."""

    def __init__(self):
        self.all: list[Client] = []

    async def close(self) -> None:
        await _bounded([c.close() for c in self.all], limit=100)


# --- the measurement ---------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p50: share 0.5)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def chat_round(sender: Client, room: int, state: dict, expected: int) -> Round:
    token = f"bench-{uuid.uuid4().hex}"

    def match(raw: str) -> bool:
        frame = json.loads(raw)
        return frame.get("type") == "message" and frame["message"].get("body") == token

    current = Round(token, expected, match)
    state["round"] = current
    ref = token[-12:]
    current.started = time.perf_counter()
    await sender.send({"type": "message.send", "room": room, "body": token, "ref": ref})
    reply = await asyncio.wait_for(sender.frames.get(), ROUND_TIMEOUT)
    if reply.get("type") != "ack" or reply.get("ref") != ref:
        raise BenchError(f"the sender got {reply} instead of an ack")
    with contextlib.suppress(TimeoutError):  # the missing deliveries count as lost
        await asyncio.wait_for(current.done.wait(), ROUND_TIMEOUT)
    state["round"] = None
    return current


async def echo_round(sender: Client, state: dict, expected: int) -> Round:
    token = f"bench-{uuid.uuid4().hex}"
    payload = json.dumps({"type": "bench.echo", "body": token})
    current = Round(token, expected, lambda raw: raw == payload)
    state["round"] = current
    current.started = time.perf_counter()
    await sender.send(payload)
    with contextlib.suppress(TimeoutError):  # the missing deliveries count as lost
        await asyncio.wait_for(current.done.wait(), ROUND_TIMEOUT)
    state["round"] = None
    return current


class Tally:
    def __init__(self):
        self.latencies: list[float] = []
        self.expected = 0

    def add(self, current: Round) -> None:
        self.expected += current.expected
        self.latencies.extend((at - current.started) * 1000 for at in current.arrivals.values())

    @property
    def delivered(self) -> float:
        return len(self.latencies) / self.expected if self.expected else 0.0

    def p(self, share: float) -> float:
        return percentile(self.latencies, share) if self.latencies else float("nan")


async def bench_clients(port: int, data: dict, clients: int, args, sender_key: str):
    """Connect `clients` chat and echo sockets, run the rounds, close: the two Tallies
    and (seconds, frames, characters) the sockets took to open and fall quiet."""
    cookie_name, room = data["cookie"], data["room"]
    chat_state: dict = {"round": None}
    echo_state: dict = {"round": None}
    sockets = Sockets()
    started = time.perf_counter()
    Client.frames_read = Client.chars_read = 0
    try:
        sender = await open_chat(
            port, f"{cookie_name}={sender_key}", -1, room, {"round": None}, open_room=args.open
        )
        sockets.all.append(sender)
        chat = await _bounded(
            open_chat(port, f"{cookie_name}={key}", i, room, chat_state, open_room=args.open)
            for i, key in enumerate(data["sessions"][:clients])
        )
        sockets.all.extend(chat)
        echo_sender = await _connect(
            port, ECHO_PATH, f"{cookie_name}={sender_key}", -1, {"round": None}
        )
        sockets.all.append(echo_sender)
        echo = await _bounded(
            _connect(port, ECHO_PATH, f"{cookie_name}={key}", i, echo_state)
            for i, key in enumerate(data["sessions"][:clients])
        )
        sockets.all.extend(echo)
        await quiet(SETUP_SETTLE)  # every join's presence frames, to every open socket
        setup = (time.perf_counter() - started, Client.frames_read, Client.chars_read)
        # This process holds a thousand sockets: keep its full collections out of the rounds.
        gc.collect()
        gc.freeze()
        # Warm-up, not counted: first calls fill caches and import lazily.
        await chat_round(sender, room, chat_state, clients)
        await quiet(SETTLE)
        await echo_round(echo_sender, echo_state, clients)
        chat_tally, echo_tally = Tally(), Tally()
        for _round in range(args.rounds):
            await quiet(SETTLE)
            chat_tally.add(await chat_round(sender, room, chat_state, clients))
            await quiet(SETTLE)
            echo_tally.add(await echo_round(echo_sender, echo_state, clients))
        return chat_tally, echo_tally, setup
    finally:
        gc.unfreeze()
        await sockets.close()


def result_line(layer: str, clients: int, chat: "Tally", echo: "Tally") -> str:
    return (
        f"{LAYER_LABELS[layer]}, {clients} clients: delivered {chat.delivered * 100:.1f}% "
        f"({len(chat.latencies)}/{chat.expected}), echo {echo.delivered * 100:.1f}%; "
        f"p50 {chat.p(0.5):.1f} ms vs echo {echo.p(0.5):.1f} ms "
        f"({chat.p(0.5) / echo.p(0.5):.2f}x), "
        f"p99 {chat.p(0.99):.1f} ms vs echo {echo.p(0.99):.1f} ms "
        f"({chat.p(0.99) / echo.p(0.99):.2f}x)"
    )


def bench_layer(layer: str, env: dict[str, str], data: dict, args) -> tuple[list[str], bool]:
    """One Daphne on `layer`; one line per client count, and whether all was delivered."""
    env = dict(env)
    if layer == "redis":
        env["REDIS_URL"] = redis_url()
        # Rate-limit counters live in the cache (Redis too): keep them apart per run.
        env["CACHE_KEY_PREFIX"] = f"bench-chat-{uuid.uuid4().hex[:8]}"
        redis_forget_groups(
            env["REDIS_URL"],
            [ECHO_GROUP, f"chat.room.{data['room']}", *(f"member.{m}" for m in data["members"])],
        )
    else:
        env.pop("REDIS_URL", None)
    log = DATA / f"daphne-{NAME}-{args.db}-{layer}.log"
    server, port = start_server(env, log)
    lines, complete = [], True
    try:
        for position, clients in enumerate(args.clients):
            try:
                chat, echo, setup = asyncio.run(
                    bench_clients(port, data, clients, args, data["senders"][position])
                )
            except BenchError as exc:
                raise BenchError(f"{exc}\nserver log {log}:\n{_log_tail(log)}") from exc
            line = result_line(layer, clients, chat, echo)
            seconds, frames, chars = setup
            opened = "" if args.open else ", rooms not opened"
            line += (
                f" [sockets ready in {seconds:.1f} s after {frames} frames, "
                f"{chars / 1e6:.1f} M characters{opened}]"
            )
            print(line, flush=True)
            lines.append(line)
            complete = complete and chat.delivered == 1.0 and echo.delivered == 1.0
    finally:
        stop_server(server)
    return lines, complete


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 500])
    # Daphne's full garbage collections (~0.2 s with a thousand sockets) land in about
    # one round in three, chat or echo alike: more rounds keep the p50s comparable.
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--layers", nargs="+", choices=["memory", "redis"], default=["memory", "redis"]
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--no-open",
        dest="open",
        action="store_false",
        help="do not send room.open: clients follow the room from their hello only, "
        "without presence (each open tells the tabs that have the room open who joined)",
    )
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--members", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--senders", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_only:
        _seed_only(args.members, args.senders)
        return 0
    if min(args.clients) < 1:
        parser.error("--clients must be positive")
    if not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--rounds must be between 1 and {MAX_ROUNDS} (the chat rate limit)")

    try:
        database_kinds(args.db)  # a clear message when PostgreSQL does not answer
    except BenchError as exc:
        print(f"chat fan-out: {exc}", file=sys.stderr)
        return 1
    layers = list(dict.fromkeys(args.layers))
    if "redis" in layers:
        problem = redis_problem(redis_url())
        if problem:
            print(f"note: Redis skipped: {problem}", flush=True)
            layers.remove("redis")
    # This process holds 2 sockets per client; Daphne (a child) inherits the limit too.
    raise_open_files_limit(4 * max(args.clients) + 256)

    started = time.monotonic()
    database_url = fresh_database(args.db, name=NAME)
    complete = True
    try:
        env = _env(database_url)
        env["PRIVATE_MEDIA_ROOT"] = str(DATA / "private_media")
        env["CHAT_MAX_SOCKETS_PER_MEMBER"] = "1000"
        data = prepare(env, members=max(args.clients), senders=len(args.clients))
        for layer in layers:
            _lines, layer_complete = bench_layer(layer, env, data, args)
            complete = complete and layer_complete
    except BenchError as exc:
        print(f"chat fan-out: FAILED: {exc}", flush=True)
        return 1
    finally:
        drop_database(args.db, name=NAME)
    print(f"chat fan-out: {time.monotonic() - started:.0f} s in all", flush=True)
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load > cores:
        print(f"note: load average {load:.1f} on {cores} cores: the figures are noisy")
    if not complete:
        print("chat fan-out: FAILED: some deliveries were lost", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
