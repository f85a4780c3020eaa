"""Behaviour added after the chat review: sockets re-check the session on every frame,
room lists by latest activity, refusals before photo decoding, mutes that shorten,
"notify: none", idempotent sends (client_id) on all three layers, per-socket throttles,
read marks that never go back, cleaned moderation reasons and forgotten excerpts, photo
files removed on rollback, site moderators' open rooms in pongs, and overflowing ids
over HTTP. Socket tests run on the in-memory layer and, with REDIS_URL set, on Redis."""

import os
import uuid
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from brand_clubs.models import ClubAuditEntry
from community.chat import selectors, services
from community.chat.models import LiveConnection, Message, MessagePhoto, Room, RoomSubscription
from community.chat.services import messages as message_services
from community.errors import AccessDenied, DomainError, RateLimited
from community.members.models import Member, Notification
from tests.chat.conftest import club_with_room, connect, db_call, live_test, send
from tests.factories import ClubMembershipFactory, MemberFactory, ModeratorFactory, image_upload

BAD_CLIENT_IDS = ["x", "<script>", "a" * 65]


async def count(model, **filters) -> int:
    return await db_call(lambda: model.objects.filter(**filters).count())()


async def eventually(check, timeout: float = 5.0) -> bool:
    """Whether the synchronous `check` (run in a worker thread) turns true in time."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if await db_call(check)():
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.05)


def _private_files() -> set[str]:
    root = str(django_settings.PRIVATE_MEDIA_ROOT)
    found = set()
    for folder, _dirs, files in os.walk(root):
        found.update(os.path.join(folder, name) for name in files)
    return found


def _mention(member) -> str:
    return f"@**{member.display_name}**"


@pytest.fixture
def world(db):
    return club_with_room()


# --- 1. the session is re-read on every frame ---------------------------------------


def _deactivate(member):
    Member.objects.filter(pk=member.pk).update(is_active=False)


def _log_out(member):
    """Log-out: the member's session rows go (as django.contrib.auth.logout does)."""
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    keys = [
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(member.pk)
    ]
    assert keys, "the socket's session should exist"
    for key in keys:
        store(key).delete()
    assert not Session.objects.filter(session_key__in=keys).exists()


@pytest.mark.parametrize("end", [_deactivate, _log_out], ids=["deactivated", "logged_out"])
@live_test
async def test_a_socket_whose_login_ended_is_closed_at_its_next_frame(club_room, end):
    ann, bob = club_room.members
    room = club_room.room
    socket = await connect(ann)
    ack = await socket.request({"type": "message.send", "room": room.pk, "body": "before"})
    assert ack["type"] == "ack"
    assert await count(LiveConnection, member=ann) == 1

    await db_call(end)(ann)
    await socket.send({"type": "message.send", "room": room.pk, "body": "after", "ref": "late"})
    error = await socket.expect("error")
    assert error["code"] == "login_required"
    assert error["message"]
    assert (await socket.expect("<close>"))["code"] == 4401
    assert socket.closed
    # Nothing of that frame was saved, and the socket's connection row is gone.
    assert await count(Message, body="after") == 0
    assert await count(Message, author=ann) == 1
    assert await eventually(lambda: not LiveConnection.objects.filter(member=ann).exists())
    # Another member's socket carries on.
    bob_socket = await connect(bob)
    assert (await bob_socket.ping())["rooms"][str(room.pk)] == 1


# --- 2. room lists by latest activity -----------------------------------------------


@pytest.mark.django_db
def test_rooms_are_listed_by_their_latest_message_not_their_counters():
    ann = MemberFactory()
    friend = MemberFactory()
    # Created first (lowest id): a conversation that got one message just now.
    conversation = services.expert_room_open(member=ann, expert=friend)
    # A busy room whose many messages are two days old.
    busy = club_with_room(members=1)
    ClubMembershipFactory(club=busy.club, member=ann)
    for n in range(12):
        send(busy.members[0], busy.room, f"old {n}")
    Message.objects.filter(room=busy.room).update(created_at=timezone.now() - timedelta(days=2))
    # Created last (highest id): a room with no message at all.
    quiet = club_with_room(members=1)
    ClubMembershipFactory(club=quiet.club, member=ann)
    send(friend, conversation, "hi, new here")

    rooms = list(selectors.rooms_for_member(member=ann))
    assert [room.pk for room in rooms] == [conversation.pk, busy.room.pk, quiet.room.pk]
    assert busy.room.pk < quiet.room.pk and conversation.pk < busy.room.pk
    counters = {room.pk: room.last_sequence for room in rooms}
    assert counters[busy.room.pk] == 12 > counters[conversation.pk] == 1
    assert rooms[0].last_message_body == "hi, new here"
    assert rooms[2].last_message_at is None

    # The busy room speaks again: it comes first.
    send(busy.members[0], busy.room, "back")
    rooms = list(selectors.rooms_for_member(member=ann))
    assert [room.pk for room in rooms] == [busy.room.pk, conversation.pk, quiet.room.pk]


# --- 3. refusals come before the photo is decoded -----------------------------------


@pytest.fixture
def no_photo_decoding(monkeypatch):
    def photos_prepare(*args, **kwargs):
        pytest.fail("photos_prepare must not run for a refused message")

    monkeypatch.setattr("community.reviews.photos.photos_prepare", photos_prepare)


@pytest.mark.django_db
def test_a_muted_member_sending_a_photo_is_refused_before_decoding(world, no_photo_decoding):
    bob = world.members[1]
    services.room_mute(
        actor=world.moderator, room=world.room, member=bob, minutes=60, reason="Spam"
    )
    with pytest.raises(AccessDenied) as info:
        send(bob, world.room, "look", photo=image_upload())
    assert info.value.code == "muted"
    assert not Message.objects.exists()
    assert _private_files() == set()


@pytest.mark.django_db
def test_a_member_over_the_rate_limit_sending_a_photo_is_refused_before_decoding(
    world, settings, monkeypatch
):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "chat_message": (1, 3600)}
    ann = world.members[0]
    send(ann, world.room, "first")
    monkeypatch.setattr(
        "community.reviews.photos.photos_prepare",
        lambda *a, **k: pytest.fail("photos_prepare must not run past the rate limit"),
    )
    with pytest.raises(RateLimited):
        send(ann, world.room, "second", photo=image_upload())
    assert Message.objects.count() == 1
    assert _private_files() == set()


# --- 4. a new mute replaces the old one -----------------------------------------------


@pytest.mark.django_db
def test_muting_again_for_ten_minutes_shortens_a_thirty_day_mute(world):
    bob = world.members[1]
    room = world.room
    services.room_mute(
        actor=world.moderator, room=room, member=bob, minutes=30 * 24 * 60, reason="Spam"
    )
    long_mute = services.active_mute(room=room, member=bob)
    assert long_mute.until > timezone.now() + timedelta(days=29)

    services.room_mute(actor=world.moderator, room=room, member=bob, minutes=10, reason="Less")
    mute = services.active_mute(room=room, member=bob)
    now = timezone.now()
    assert now + timedelta(minutes=9) < mute.until <= now + timedelta(minutes=11)
    assert mute.pk != long_mute.pk
    long_mute.refresh_from_db()
    assert long_mute.lifted_at is not None
    with pytest.raises(AccessDenied) as info:
        send(bob, room, "still muted")
    assert info.value.code == "muted"


# --- 5. "notify: none" silences mentions and replies ----------------------------------


@pytest.mark.django_db
def test_a_member_who_chose_none_gets_no_mention_and_no_reply_notification():
    data = club_with_room(members=3)
    ann, bob, cleo = data.members
    room = data.room
    services.room_notify_set(member=bob, room=room, level=RoomSubscription.Notify.NONE)
    bobs = send(bob, room, "my question")
    send(ann, room, f"{_mention(bob)} and {_mention(cleo)}: look")
    send(ann, room, "an answer", reply_to_id=bobs.pk)
    assert not Notification.objects.filter(recipient=bob).exists()
    # The others are still told.
    assert Notification.objects.filter(recipient=cleo, kind="chat_mention").count() == 1
    cleos = send(cleo, room, "mine")
    send(ann, room, "yours", reply_to_id=cleos.pk)
    assert Notification.objects.filter(recipient=cleo, kind="chat_reply").count() == 1
    assert not Notification.objects.filter(recipient=bob).exists()


# --- 6. idempotent sends --------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_client_id_twice_saves_one_message(world):
    ann = world.members[0]
    room = world.room
    client_id = str(uuid.uuid4())
    first = send(ann, room, "once", client_id=client_id)
    room.refresh_from_db()
    assert room.last_sequence == 1
    again = send(ann, room, "once", client_id=client_id)
    assert again.pk == first.pk
    assert (again.sequence, again.body, again.client_id) == (1, "once", client_id)
    room.refresh_from_db()
    assert room.last_sequence == 1
    assert Message.objects.count() == 1
    # A new composition is a new message.
    other = send(ann, room, "once", client_id=str(uuid.uuid4()))
    assert other.pk != first.pk and other.sequence == 2


@pytest.mark.django_db
def test_different_authors_may_use_the_same_client_id(world):
    ann, bob = world.members
    client_id = str(uuid.uuid4())
    mine = send(ann, world.room, "mine", client_id=client_id)
    theirs = send(bob, world.room, "theirs", client_id=client_id)
    assert mine.pk != theirs.pk
    assert Message.objects.filter(client_id=client_id).count() == 2


@pytest.mark.parametrize("client_id", [*BAD_CLIENT_IDS, 12345678, ["a" * 10]])
@pytest.mark.django_db
def test_an_invalid_client_id_is_refused(world, client_id):
    with pytest.raises(DomainError) as info:
        send(world.members[0], world.room, "hello", client_id=client_id)
    assert info.value.field == "client_id"
    assert not Message.objects.exists()
    world.room.refresh_from_db()
    assert world.room.last_sequence == 0


@live_test
async def test_two_socket_sends_with_the_same_client_id_are_one_message(club_room):
    ann, bob = club_room.members
    room_id = club_room.room.pk
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    await bob_socket.open_room(room_id)
    client_id = str(uuid.uuid4())
    frame = {"type": "message.send", "room": room_id, "body": "hello", "client_id": client_id}
    first = await ann_socket.request(frame, ref="a1")
    second = await ann_socket.request(frame, ref="a2")
    assert first["type"] == second["type"] == "ack"
    assert first["message"]["id"] == second["message"]["id"]
    assert first["message"]["client_id"] == second["message"]["client_id"] == client_id
    assert await count(Message) == 1
    assert (await ann_socket.ping())["rooms"][str(room_id)] == 1
    broadcasts = await bob_socket.frames_of("message")
    assert [f["message"]["id"] for f in broadcasts] == [first["message"]["id"]]

    # Bob may use the same id for his own message.
    theirs = await bob_socket.request({**frame, "body": "mine"}, ref="b1")
    assert theirs["type"] == "ack"
    assert theirs["message"]["id"] != first["message"]["id"]
    assert await count(Message) == 2


@live_test
async def test_an_invalid_client_id_over_the_socket_is_an_invalid_error(club_room):
    socket = await connect(club_room.members[0])
    room_id = club_room.room.pk
    for client_id in BAD_CLIENT_IDS:
        reply = await socket.request(
            {"type": "message.send", "room": room_id, "body": "hi", "client_id": client_id}
        )
        assert reply["type"] == "error"
        assert reply["code"] == "invalid", (client_id, reply)
        assert reply["message"]
    assert await count(Message) == 0
    assert not socket.closed
    ack = await socket.request({"type": "message.send", "room": room_id, "body": "fine"})
    assert ack["type"] == "ack" and ack["message"]["client_id"] == ""


@pytest.mark.django_db
def test_http_sends_with_the_same_client_id_are_one_message(client, world):
    ann = world.members[0]
    client.force_login(ann)
    url = reverse("chat:send", args=[world.room.pk])
    client_id = str(uuid.uuid4())
    first = client.post(url, {"body": "hello", "client_id": client_id})
    second = client.post(url, {"body": "hello", "client_id": client_id})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    message = Message.objects.get()
    assert message.client_id == client_id
    assert first["Location"].endswith(f"#m-{message.pk}")

    json_id = str(uuid.uuid4())
    answers = [
        client.post(url, {"body": "json", "client_id": json_id}, HTTP_ACCEPT="application/json")
        for _ in range(2)
    ]
    assert [answer.status_code for answer in answers] == [201, 201]
    ids = {answer.json()["message"]["id"] for answer in answers}
    assert len(ids) == 1
    assert answers[0].json()["message"]["client_id"] == json_id
    assert Message.objects.count() == 2
    world.room.refresh_from_db()
    assert world.room.last_sequence == 2


@pytest.mark.parametrize("client_id", BAD_CLIENT_IDS)
@pytest.mark.django_db
def test_http_send_with_an_invalid_client_id_is_refused(client, world, client_id):
    client.force_login(world.members[0])
    url = reverse("chat:send", args=[world.room.pk])
    page = client.post(url, {"body": "hello", "client_id": client_id})
    assert page.status_code == 400
    assert page.context["form"].errors.get("client_id")
    answer = client.post(
        url, {"body": "hello", "client_id": client_id}, HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error.get("field") == "client_id" or "client_id" in error.get("fields", {})
    assert not Message.objects.exists()


# --- 7. per-socket throttles ----------------------------------------------------------


@live_test
async def test_typing_twice_in_a_row_reaches_the_others_once(club_room):
    ann, bob = club_room.members
    room_id = club_room.room.pk
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    await ann_socket.open_room(room_id)
    await bob_socket.open_room(room_id)
    await bob_socket.drain()
    await ann_socket.send({"type": "typing", "room": room_id})
    await ann_socket.send({"type": "typing", "room": room_id})
    typing = await bob_socket.frames_of("typing", quiet=0.6)
    assert len(typing) == 1
    assert typing[0]["member"]["id"] == ann.pk
    # The dropped frame is not an error.
    assert [f for f in await ann_socket.drain() if f["type"] == "error"] == []


@live_test
async def test_the_fifth_read_frame_at_once_is_rate_limited(club_room):
    ann = club_room.members[0]
    room_id = club_room.room.pk
    await db_call(send)(club_room.members[1], club_room.room, "hello")
    socket = await connect(ann)
    for n in range(1, 6):
        await socket.send({"type": "read", "room": room_id, "sequence": 1, "ref": f"r{n}"})
    error = await socket.expect("error", ref="r5")
    assert error["code"] == "rate_limited"
    assert error["message"]
    frames = await socket.drain()
    assert [f for f in frames if f["type"] == "error"] == []
    assert any(f["type"] == "unread" and f["room"] == room_id for f in frames)
    assert not socket.closed
    assert (await socket.ping())["rooms"][str(room_id)] == 1


@live_test
async def test_the_seventh_ping_at_once_is_rate_limited(club_room):
    socket = await connect(club_room.members[0])
    room_id = club_room.room.pk
    for n in range(1, 8):
        await socket.send({"type": "ping", "ref": f"p{n}"})
    error = await socket.expect("error", ref="p7")
    assert error["code"] == "rate_limited"
    frames = await socket.drain()
    pongs = [f for f in frames if f["type"] == "pong"]
    assert sorted(f["ref"] for f in pongs) == [f"p{n}" for n in range(1, 7)]
    assert [f for f in frames if f["type"] == "error"] == []
    # Still open: other frames work.
    assert not socket.closed
    _catchup, opened = await socket.open_room(room_id)
    assert opened["last_sequence"] == 0
    ack = await socket.request({"type": "message.send", "room": room_id, "body": "still here"})
    assert ack["type"] == "ack"


# --- 8. read marks --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_read_mark_never_goes_back_and_notices_wait_for_the_last_message(world):
    ann, bob = world.members
    room = world.room
    for n in range(4):
        send(bob, room, f"m{n + 1}")
    send(bob, room, f"{_mention(ann)} see this")  # 5
    send(bob, room, "m6")
    notice = Notification.objects.get(recipient=ann, kind="chat_mention")
    assert notice.read_at is None

    assert services.room_mark_read(member=ann, room=room, sequence=5) == 1
    subscription = RoomSubscription.objects.get(room=room, member=ann)
    assert subscription.last_read_sequence == 5
    notice.refresh_from_db()
    assert notice.read_at is None  # message 6 is still unread

    assert services.room_mark_read(member=ann, room=room, sequence=3) == 1
    subscription.refresh_from_db()
    assert subscription.last_read_sequence == 5
    notice.refresh_from_db()
    assert notice.read_at is None

    assert services.room_mark_read(member=ann, room=room, sequence=6) == 0
    subscription.refresh_from_db()
    assert subscription.last_read_sequence == 6
    notice.refresh_from_db()
    assert notice.read_at is not None


# --- 9. moderators' deletions ---------------------------------------------------------


@pytest.mark.django_db
def test_a_moderator_delete_cleans_the_reason_and_forgets_excerpts(world):
    ann, bob = world.members
    room = world.room
    question = send(ann, room, "what is a good route?")
    message = send(bob, room, f"{_mention(ann)} buy cheap watches", reply_to_id=question.pk)
    notice = Notification.objects.get(recipient=ann, kind="chat_mention")
    assert "cheap watches" in notice.params["excerpt"]

    deleted = services.message_delete(
        actor=world.moderator, message=message, reason="Spam\x00 and\x07 junk\x1b\x7f here"
    )
    assert deleted.is_deleted
    stored = Message.objects.get(pk=message.pk)
    assert stored.delete_reason == "Spam and junk here"
    assert stored.body == ""
    notice.refresh_from_db()
    assert notice.params["excerpt"] == "…"
    assert notice.params["message"] == str(message.pk)
    entry = ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.CHAT_DELETE)
    assert "buy cheap watches" in entry.target_repr
    assert entry.reason == "Spam and junk here"
    assert "\x00" not in entry.reason


@pytest.mark.django_db
def test_a_moderator_reason_of_control_characters_only_is_no_reason(world):
    message = send(world.members[0], world.room, "hello")
    with pytest.raises(DomainError) as info:
        services.message_delete(actor=world.moderator, message=message, reason="\x00\x01 \x1b")
    assert info.value.field == "reason"
    assert not Message.objects.get(pk=message.pk).is_deleted


# --- 10. photo files go with a rolled-back send --------------------------------------


@pytest.mark.parametrize("failing", ["_broadcast", "_notify_room"])
@pytest.mark.django_db
def test_a_failed_photo_send_leaves_no_files_and_no_message(monkeypatch, failing):
    data = club_with_room()
    ann = data.members[0]
    room = data.room
    kept = send(ann, room, "kept", photo=image_upload())  # files that must stay
    before = _private_files()
    assert len(before) == 6
    written = []

    def fail(*args, **kwargs):
        written.append(_private_files() - before)
        raise RuntimeError("database went away")

    monkeypatch.setattr(message_services, failing, fail)
    with pytest.raises(RuntimeError):
        send(ann, room, "lost", photo=image_upload(), client_id=str(uuid.uuid4()))
    assert written and len(written[0]) == 6  # the files were on disk when it failed
    assert _private_files() == before
    assert list(Message.objects.values_list("pk", flat=True)) == [kept.pk]
    assert MessagePhoto.objects.count() == 1
    assert Room.objects.get(pk=room.pk).last_sequence == 1


# --- 11. a site moderator's open room -------------------------------------------------


@live_test
async def test_a_site_moderator_gets_the_last_sequence_of_an_open_club_room(club_room):
    moderator = await db_call(ModeratorFactory)()
    room_id = club_room.room.pk
    for n in range(3):
        await db_call(send)(club_room.members[0], club_room.room, f"m{n}")
    socket = await connect(moderator)
    assert room_id not in [room["id"] for room in socket.hello["rooms"]]
    catchup, opened = await socket.open_room(room_id)
    assert opened["last_sequence"] == 3
    assert len(catchup) == 3
    pong = await socket.ping()
    assert pong["rooms"].get(str(room_id)) == 3
    await db_call(send)(club_room.members[1], club_room.room, "later")
    assert (await socket.expect("message"))["message"]["body"] == "later"
    assert (await socket.ping())["rooms"][str(room_id)] == 4
    assert [f for f in await socket.drain() if f["type"] == "room.revoked"] == []


# --- 12. overflowing numbers over HTTP ------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.django_db
def test_a_reply_to_beyond_any_id_is_a_form_error(client, world):
    client.force_login(world.members[0])
    url = reverse("chat:send", args=[world.room.pk])
    page = client.post(url, {"body": "hello", "reply_to": HUGE})
    assert page.status_code == 400
    assert page.context["form"].errors
    answer = client.post(url, {"body": "hello", "reply_to": HUGE}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"
    assert not Message.objects.exists()


@pytest.mark.parametrize("before", [HUGE, "abc", "-1", "1e5"])
@pytest.mark.django_db
def test_history_with_a_strange_before_is_not_a_server_error(client, world, before):
    ann = world.members[0]
    send(ann, world.room, "one")
    send(ann, world.room, "two")
    client.force_login(ann)
    answer = client.get(reverse("chat:history", args=[world.room.pk]), {"before": before})
    assert answer.status_code < 500
    if answer.status_code == 200:
        body = answer.json()
        assert body["has_more"] is False
        # Everything (the latest page) or nothing: never an error.
        assert [m["body"] for m in body["messages"]] in (["one", "two"], [])
    else:
        assert 400 <= answer.status_code < 500
    page = client.get(reverse("chat:room", args=[world.room.pk]), {"before": before})
    assert page.status_code < 500
