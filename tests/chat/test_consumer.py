"""The live socket (/ws/live/) through the real ASGI stack: login and origin checks,
bad frames, access on every frame, delivery, moderation, limits, presence, unread
counts, mentions and catch-up. Run on the in-memory layer and, with REDIS_URL set, on
channels_redis."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from brand_clubs.models import ClubAuditEntry
from brand_clubs.services import clubs as club_services
from brand_clubs.services import events as event_services
from community.chat import services
from community.chat.models import (
    LiveConnection,
    Message,
    MessageReaction,
    Room,
    RoomPresence,
    RoomSubscription,
)
from community.members.models import Notification
from tests.chat.conftest import club_with_room, connect, db_call, live_test, send
from tests.factories import EventFactory, MemberFactory


async def count(model, **filters) -> int:
    return await db_call(lambda: model.objects.filter(**filters).count())()


# --- connecting -----------------------------------------------------------------------


@live_test
async def test_anonymous_socket_gets_login_required_then_close_4401():
    socket = await connect(None)
    assert socket.connected
    error = await socket.expect("error")
    assert error["code"] == "login_required"
    assert error["message"]
    assert (await socket.expect("<close>"))["code"] == 4401
    assert await count(LiveConnection) == 0


@live_test
async def test_foreign_origin_is_refused_at_the_handshake(club_room):
    socket = await connect(club_room.members[0], origin=b"http://evil.example")
    assert not socket.connected
    assert await count(LiveConnection) == 0


@live_test
async def test_inactive_member_is_refused(club_room):
    member = club_room.members[0]
    member.is_active = False
    await db_call(member.save)()
    socket = await connect(member, hello=False)
    assert (await socket.expect("error"))["code"] == "login_required"
    assert (await socket.expect("<close>"))["code"] == 4401
    assert await count(LiveConnection) == 0


@live_test
async def test_hello_lists_the_members_rooms_with_unread_counts(club_room, other_club_room):
    ann, bob = club_room.members
    room = club_room.room
    await db_call(services.subscription_ensure)(room=room, member=ann)  # ann follows the room
    await db_call(send)(ann, room, "mine do not count")  # (and mark the room read)
    await db_call(send)(bob, room, "first")
    await db_call(send)(bob, room, "second")
    await db_call(send)(other_club_room.members[0], other_club_room.room, "elsewhere")

    socket = await connect(ann)
    hello = socket.hello
    assert hello["member"] == {"id": ann.pk, "name": ann.public_name}
    assert hello["rooms"] == [
        {
            "id": room.pk,
            "title": club_room.club.name,
            "unread": 2,
            "followed": True,
            "last_sequence": 3,
        }
    ]
    assert hello["unread_total"] == 2
    assert hello["notifications_unread"] == 0
    assert await count(LiveConnection, member=ann) == 1


@live_test
async def test_too_many_sockets_are_refused_and_stale_ones_do_not_count(settings, club_room):
    settings.CHAT_MAX_SOCKETS_PER_MEMBER = 2
    ann = club_room.members[0]
    # A tab whose browser died an hour ago without closing.
    await db_call(LiveConnection.objects.create)(
        member=ann, channel_name="dead.tab", last_seen=timezone.now() - timedelta(hours=1)
    )
    first = await connect(ann)
    second = await connect(ann)
    assert first.hello and second.hello
    third = await connect(ann, hello=False)
    error = await third.expect("error")
    assert error["code"] == "too_many_connections"
    assert error["message"]
    assert (await third.expect("<close>"))["code"] == 4008
    assert (
        await count(
            LiveConnection, member=ann, last_seen__gte=timezone.now() - timedelta(minutes=1)
        )
        == 2
    )
    # Closing a tab frees its place.
    await first.close()
    fourth = await connect(ann)
    assert fourth.hello["type"] == "hello"


# --- bad frames -----------------------------------------------------------------------


@live_test
async def test_bad_frames_get_error_frames_and_the_socket_stays_open(settings, club_room):
    ann = club_room.members[0]
    room_id = club_room.room.pk
    socket = await connect(ann)
    frame = {"type": "message.send", "room": room_id}
    huge = json.dumps({**frame, "body": "x" * (settings.CHAT_MAX_FRAME_BYTES + 1)})
    cases = [
        ("{not json", "bad_json"),
        ("[1, 2, 3]", "bad_frame"),
        ('"message.send"', "bad_frame"),
        ("null", "bad_frame"),
        ('{"room": 1}', "bad_frame"),
        ('{"type": 5}', "bad_frame"),
        ('{"type": "message.explode"}', "unknown_type"),
        ('{"type": "message.send", "body": "hi"}', "bad_frame"),
        ('{"type": "message.send", "room": "abc", "body": "hi"}', "bad_frame"),
        ('{"type": "message.send", "room": true, "body": "hi"}', "bad_frame"),
        ('{"type": "message.send", "room": -3, "body": "hi"}', "bad_frame"),
        ('{"type": "message.send", "room": 1.5, "body": "hi"}', "bad_frame"),
        (json.dumps({**frame, "body": 5}), "bad_frame"),
        (json.dumps(frame), "bad_frame"),
        (json.dumps({**frame, "body": "   "}), "invalid"),
        (json.dumps({**frame, "body": "hi", "reply_to": "x"}), "bad_frame"),
        (json.dumps({"type": "room.open", "room": room_id, "after": -1}), "bad_frame"),
        (json.dumps({"type": "read", "room": room_id}), "bad_frame"),
        ('{"type": "reaction.toggle", "message": 1}', "bad_frame"),
        ('{"type": "message.edit", "message": {}, "body": "x"}', "bad_frame"),
        (b"\x00\x01binary", "bad_frame"),
        (huge, "too_large"),
    ]
    cases += [
        ("[" * 5000, "bad_json"),  # nested past the parser's recursion limit
        (json.dumps({**frame, "room": 2**64, "body": "hi"}), "bad_frame"),  # past any database id
        (json.dumps({"type": "message.edit", "message": 2**64, "body": "x"}), "bad_frame"),
        # A lone surrogate escape decodes to a str that cannot be stored or sent.
        (json.dumps({**frame, "body": "\ud800"}), "bad_frame"),
        (json.dumps({**frame, "body": "ok", "ref": "\udfff"}), "bad_frame"),
    ]
    for raw, code in cases:
        await socket.send(raw)
        error = await socket.expect("error")
        assert error["code"] == code, (raw[:80], error)
        assert error["message"], raw[:80]
    # Too long a body is refused by the service with its own reason.
    reply = await socket.request(
        {
            "type": "message.send",
            "room": room_id,
            "body": "y" * (settings.CHAT_MESSAGE_MAX_LENGTH + 1),
        }
    )
    assert reply["type"] == "error" and reply["code"] == "too_long"
    # The ref of a bad frame is echoed when it can be read.
    reply = await socket.request({"type": "message.send", "room": "abc", "body": "x"}, ref="c7")
    assert reply == {**reply, "type": "error", "code": "bad_frame", "ref": "c7"}
    pong = await socket.ping()
    assert pong["rooms"] == {str(room_id): 0}
    assert await count(Message) == 0
    assert not socket.closed


@live_test
async def test_rooms_the_member_cannot_read_are_not_found(club_room, other_club_room):
    ann = club_room.members[0]
    x, y = await db_call(MemberFactory.create_batch)(2)
    a, b = sorted([x, y], key=lambda m: m.pk)
    direct = await db_call(Room.objects.create)(
        kind=Room.Kind.DIRECT, participant_a=a, participant_b=b
    )
    await db_call(send)(other_club_room.members[0], other_club_room.room, "private")
    foreign_message = await db_call(lambda: Message.objects.get())()
    socket = await connect(ann)
    for room_id in (other_club_room.room.pk, direct.pk, 999_999):
        for frame in (
            {"type": "message.send", "room": room_id, "body": "let me in"},
            {"type": "room.open", "room": room_id, "after": 0},
            {"type": "typing", "room": room_id},
            {"type": "read", "room": room_id, "sequence": 0},
        ):
            reply = await socket.request(frame)
            assert reply["code"] == "not_found", (frame, reply)
    for frame in (
        {"type": "message.edit", "message": foreign_message.pk, "body": "mine now"},
        {"type": "message.delete", "message": foreign_message.pk, "reason": "spam"},
        {"type": "reaction.toggle", "message": foreign_message.pk, "emoji": "👍"},
    ):
        reply = await socket.request(frame)
        assert reply["code"] == "not_found", (frame, reply)
    # Replying in one's own room to a message of another room.
    reply = await socket.request(
        {
            "type": "message.send",
            "room": club_room.room.pk,
            "body": "quoting",
            "reply_to": foreign_message.pk,
        }
    )
    assert reply["code"] == "not_found"
    assert await count(Message) == 1
    assert await count(MessageReaction) == 0
    assert await count(RoomPresence) == 0
    assert (await db_call(Message.objects.get)()).body == "private"
    # No frame of the other rooms came.
    assert [f for f in await socket.drain() if f["type"] in ("message", "presence")] == []


@live_test
async def test_a_sequence_from_the_future_is_refused(club_room):
    ann, bob = club_room.members
    await db_call(send)(bob, club_room.room, "one")
    socket = await connect(ann)
    reply = await socket.request({"type": "room.open", "room": club_room.room.pk, "after": 2})
    assert reply["code"] == "sequence_ahead"
    reply = await socket.request({"type": "read", "room": club_room.room.pk, "sequence": 5})
    assert reply["code"] == "sequence_ahead"
    frames, opened = await socket.open_room(club_room.room.pk, after=1)
    assert frames == [] and opened["last_sequence"] == 1


# --- messages -------------------------------------------------------------------------


@live_test
async def test_a_message_reaches_every_socket_of_the_room_and_no_other(club_room, other_club_room):
    ann, bob = club_room.members
    room_id = club_room.room.pk
    ann_tab1, ann_tab2 = await connect(ann), await connect(ann)
    bob_tab = await connect(bob)
    carl_tab = await connect(other_club_room.members[0])

    ack = await ann_tab1.request(
        {"type": "message.send", "room": room_id, "body": "Hello **all**", "reply_to": None},
        ref="c1",
    )
    assert ack["type"] == "ack" and ack["ref"] == "c1"
    message = ack["message"]
    assert message["room"] == room_id
    assert message["sequence"] == message["updated_sequence"] == 1
    assert message["author"]["id"] == ann.pk
    assert message["body"] == "Hello **all**"
    assert "<strong>all</strong>" in message["body_html"]
    assert message["edited"] is False and message["deleted"] is False
    assert message["reactions"] == [] and message["reply_to"] is None
    for socket in (ann_tab1, ann_tab2, bob_tab):
        frame = await socket.expect("message")
        assert frame == {"type": "message", "room": room_id, "message": message}
    assert await carl_tab.frames_of("message") == []

    reply = await bob_tab.request(
        {"type": "message.send", "room": room_id, "body": "Hi Ann", "reply_to": message["id"]},
        ref="c2",
    )
    second = reply["message"]
    assert second["sequence"] == 2
    assert second["reply_to"]["id"] == message["id"]
    assert second["reply_to"]["excerpt"] == "Hello **all**"
    for socket in (ann_tab1, ann_tab2, bob_tab):
        assert (await socket.expect("message"))["message"]["id"] == second["id"]
    assert await carl_tab.frames_of("message") == []
    saved = await db_call(
        lambda: list(Message.objects.order_by("sequence").values_list("sequence", "body"))
    )()
    assert saved == [(1, "Hello **all**"), (2, "Hi Ann")]
    # Each socket got each message once.
    for socket in (ann_tab1, ann_tab2, bob_tab):
        assert await socket.frames_of("message") == []


@live_test
async def test_edit_and_delete_own_messages_and_moderator_deletes(club_room):
    ann, bob = club_room.members
    mod = club_room.moderator
    room_id = club_room.room.pk
    ann_socket, bob_socket, mod_socket = await connect(ann), await connect(bob), await connect(mod)
    first = (await ann_socket.request({"type": "message.send", "room": room_id, "body": "tpyo"}))[
        "message"
    ]
    second = (await ann_socket.request({"type": "message.send", "room": room_id, "body": "rude"}))[
        "message"
    ]
    third = (await ann_socket.request({"type": "message.send", "room": room_id, "body": "bye"}))[
        "message"
    ]
    await bob_socket.drain()

    edited = (
        await ann_socket.request({"type": "message.edit", "message": first["id"], "body": "typo"})
    )["message"]
    assert edited["id"] == first["id"] and edited["sequence"] == first["sequence"]
    assert edited["edited"] is True and edited["body"] == "typo"
    assert edited["updated_sequence"] == 4
    assert (await bob_socket.expect("message"))["message"] == edited

    reply = await bob_socket.request(
        {"type": "message.edit", "message": first["id"], "body": "mine"}
    )
    assert reply["code"] == "forbidden"
    reply = await bob_socket.request(
        {"type": "message.delete", "message": first["id"], "reason": "x"}
    )
    assert reply["code"] == "forbidden"
    assert (await db_call(Message.objects.get)(pk=first["id"])).body == "typo"

    deleted = (await ann_socket.request({"type": "message.delete", "message": third["id"]}))[
        "message"
    ]
    assert deleted["deleted"] is True and deleted["body"] == "" and deleted["body_html"] == ""
    assert deleted["updated_sequence"] == 5
    assert (await bob_socket.expect("message"))["message"] == deleted
    reply = await ann_socket.request(
        {"type": "message.edit", "message": third["id"], "body": "back"}
    )
    assert reply["code"] == "conflict"

    reply = await mod_socket.request({"type": "message.delete", "message": second["id"]})
    assert reply["code"] == "invalid"  # a moderator says why
    assert (await db_call(Message.objects.get)(pk=second["id"])).deleted_at is None
    removed = (
        await mod_socket.request(
            {"type": "message.delete", "message": second["id"], "reason": "Insults"}
        )
    )["message"]
    assert removed["deleted"] is True and removed["updated_sequence"] == 6
    assert (await bob_socket.expect("message"))["message"] == removed
    row = await db_call(Message.objects.get)(pk=second["id"])
    assert row.deleted_by_id == mod.pk and row.delete_reason == "Insults" and row.body == ""
    entries = await db_call(
        lambda: list(
            ClubAuditEntry.objects.filter(club=club_room.club).values_list(
                "action", "actor_id", "target_member_id", "reason"
            )
        )
    )()
    assert entries == [(ClubAuditEntry.Action.CHAT_DELETE, mod.pk, ann.pk, "Insults")]
    own = await db_call(Message.objects.get)(pk=third["id"])
    assert own.deleted_by_id == ann.pk and own.delete_reason == ""


@live_test
async def test_reactions_toggle_on_and_off(club_room):
    ann, bob = club_room.members
    room_id = club_room.room.pk
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    message = (
        await ann_socket.request({"type": "message.send", "room": room_id, "body": "Ride?"})
    )["message"]
    await ann_socket.drain()
    await bob_socket.drain()

    on = (
        await bob_socket.request(
            {"type": "reaction.toggle", "message": message["id"], "emoji": "👍"}
        )
    )["message"]
    assert on["reactions"] == [{"emoji": "👍", "count": 1, "members": [bob.pk]}]
    assert on["updated_sequence"] == 2
    assert (await ann_socket.expect("message"))["message"]["reactions"] == on["reactions"]
    assert await count(MessageReaction, message_id=message["id"], member=bob) == 1

    off = (
        await bob_socket.request(
            {"type": "reaction.toggle", "message": message["id"], "emoji": "👍"}
        )
    )["message"]
    assert off["reactions"] == [] and off["updated_sequence"] == 3
    assert (await ann_socket.expect("message"))["message"]["reactions"] == []
    assert await count(MessageReaction) == 0

    for emoji in ("💩", "", "<b>"):
        reply = await bob_socket.request(
            {"type": "reaction.toggle", "message": message["id"], "emoji": emoji}
        )
        assert reply["code"] == "invalid"
    assert await count(MessageReaction) == 0
    assert (await db_call(Message.objects.get)(pk=message["id"])).updated_sequence == 3


# --- moderation and access on every frame ---------------------------------------------


@live_test
async def test_a_muted_member_cannot_post_or_type_until_unmuted(club_room):
    ann, bob = club_room.members
    room = club_room.room
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    await ann_socket.open_room(room.pk)
    await db_call(services.room_mute)(
        actor=club_room.moderator, room=room, member=bob, minutes=60, reason="Spam"
    )
    reply = await bob_socket.request({"type": "message.send", "room": room.pk, "body": "buy now"})
    assert reply["code"] == "muted" and reply["message"]
    reply = await bob_socket.request({"type": "typing", "room": room.pk})
    assert reply["code"] == "muted"
    message = await db_call(send)(ann, room, "hello")
    reply = await bob_socket.request(
        {"type": "reaction.toggle", "message": message.pk, "emoji": "👍"}
    )
    assert reply["code"] == "muted"
    assert await count(Message, author=bob) == 0
    assert [f for f in await ann_socket.drain() if f["type"] == "typing"] == []
    # Muted members still read.
    assert (await bob_socket.expect("message"))["message"]["id"] == message.pk

    await db_call(services.room_unmute)(actor=club_room.moderator, room=room, member=bob)
    ack = await bob_socket.request({"type": "message.send", "room": room.pk, "body": "sorry"})
    assert ack["type"] == "ack"
    assert await count(Message, author=bob) == 1


@pytest.mark.parametrize("how", ["remove", "ban"])
@live_test
async def test_a_member_removed_while_connected_loses_the_room_at_once(club_room, how):
    ann, bob = club_room.members
    room = club_room.room
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    await bob_socket.open_room(room.pk)
    await db_call(send)(ann, room, "before")
    assert (await bob_socket.expect("message"))["message"]["body"] == "before"
    await ann_socket.drain()

    action = club_services.club_member_remove if how == "remove" else club_services.club_member_ban
    await db_call(action)(
        club=club_room.club, actor=club_room.moderator, member=bob, reason="Rules"
    )

    revoked = await bob_socket.expect("room.revoked")
    assert revoked == {"type": "room.revoked", "room": room.pk}
    await db_call(send)(ann, room, "after")
    assert (await ann_socket.expect("message", timeout=5))["message"]["body"] == "after"
    assert await bob_socket.frames_of("message") == []
    for frame in (
        {"type": "message.send", "room": room.pk, "body": "still here?"},
        {"type": "typing", "room": room.pk},
        {"type": "room.open", "room": room.pk, "after": 0},
    ):
        reply = await bob_socket.request(frame)
        assert reply["code"] == "not_found", (frame, reply)
    assert await count(Message, author=bob) == 0
    pong = await bob_socket.ping()
    assert str(room.pk) not in pong["rooms"]
    # bob's presence in the room is gone too.
    assert await count(RoomPresence, member=bob) == 0


@live_test
async def test_rate_limit_gives_an_error_frame_and_keeps_the_socket(settings, club_room):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "chat_message": (3, 3600)}
    ann = club_room.members[0]
    socket = await connect(ann)
    for n in range(3):
        reply = await socket.request(
            {"type": "message.send", "room": club_room.room.pk, "body": f"m{n}"}
        )
        assert reply["type"] == "ack"
    reply = await socket.request({"type": "message.send", "room": club_room.room.pk, "body": "m3"})
    assert reply["code"] == "rate_limited"
    assert reply["message"]
    assert isinstance(reply["retry_after"], int) and reply["retry_after"] > 0
    assert await count(Message) == 3
    assert (await socket.ping())["rooms"] == {str(club_room.room.pk): 3}
    assert not socket.closed


# --- typing and presence --------------------------------------------------------------


@live_test
async def test_typing_goes_to_the_others_with_the_room_open(settings):
    data = await db_call(club_with_room)(members=3)
    ann, bob, cleo = data.members
    room_id = data.room.pk
    ann_socket, bob_socket, cleo_socket = (
        await connect(ann),
        await connect(bob),
        await connect(cleo),
    )
    await ann_socket.open_room(room_id)
    await bob_socket.open_room(room_id)  # cleo follows the room but is elsewhere
    await ann_socket.drain()
    await bob_socket.drain()

    await ann_socket.send({"type": "typing", "room": room_id})
    typing = await bob_socket.expect("typing")
    assert typing == {
        "type": "typing",
        "room": room_id,
        "member": {
            "id": ann.pk,
            "name": ann.public_name,
            "url": ann.get_absolute_url(),
            "expert_label": "",
        },
    }
    assert await ann_socket.frames_of("typing") == []
    assert await cleo_socket.frames_of("typing") == []
    assert await count(Message) == 0


@live_test
async def test_presence_counts_a_member_once_across_tabs_until_the_last_closes(club_room):
    ann, bob = club_room.members
    room_id = club_room.room.pk
    ann_tab1, ann_tab2, bob_tab = await connect(ann), await connect(ann), await connect(bob)
    await ann_tab1.open_room(room_id)
    await ann_tab2.open_room(room_id)
    _frames, opened = await bob_tab.open_room(room_id)
    everyone = sorted(
        [
            {"id": ann.pk, "name": ann.public_name, "expert_label": ""},
            {"id": bob.pk, "name": bob.public_name, "expert_label": ""},
        ],
        key=lambda m: m["name"].lower(),
    )
    assert opened["online"] == everyone
    assert await count(RoomPresence, room_id=room_id) == 3
    # Ann's tabs heard of Bob's arrival as a change, once each; not of Ann's second tab.
    assert [f["joined"] for f in await ann_tab1.frames_of("presence")] == [
        {"id": ann.pk, "name": ann.public_name, "expert_label": ""},
        {"id": bob.pk, "name": bob.public_name, "expert_label": ""},
    ]
    await bob_tab.drain()

    await ann_tab1.close()  # Ann is still there in her other tab: nothing to say
    assert await bob_tab.frames_of("presence") == []
    await ann_tab2.close()
    presence = await bob_tab.expect("presence")
    assert presence == {"type": "presence", "room": room_id, "left": ann.pk}
    assert await count(RoomPresence, room_id=room_id) == 1
    assert await count(LiveConnection, member=ann) == 0


@live_test
async def test_a_tab_that_stops_pinging_is_dropped_at_the_next_ping(settings, club_room):
    ann, bob = club_room.members
    room_id = club_room.room.pk
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    await ann_socket.open_room(room_id)
    await bob_socket.open_room(room_id)
    await bob_socket.drain()
    old = timezone.now() - timedelta(seconds=settings.CHAT_PRESENCE_TTL + 5)
    await db_call(lambda: RoomPresence.objects.filter(member=ann).update(last_seen=old))()

    await bob_socket.ping()
    presence = await bob_socket.expect("presence")
    assert presence == {"type": "presence", "room": room_id, "left": ann.pk}
    assert await count(RoomPresence, member=ann) == 0
    assert await count(RoomPresence, member=bob) == 1


# --- unread counts and notifications --------------------------------------------------


@live_test
async def test_read_sends_unread_counts_to_all_the_members_tabs(club_room):
    ann, bob = club_room.members
    room = club_room.room
    ann_tab1, ann_tab2 = await connect(ann), await connect(ann)
    await ann_tab1.open_room(room.pk)  # follows the room from now on
    for n in range(3):
        await db_call(send)(bob, room, f"news {n}")
    await ann_tab1.send({"type": "read", "room": room.pk, "sequence": 2})
    expected = {
        "type": "unread",
        "room": room.pk,
        "unread": 1,
        "unread_total": 1,
        "notifications_unread": 0,
    }
    assert await ann_tab1.expect("unread") == expected
    assert await ann_tab2.expect("unread") == expected
    subscription = await db_call(RoomSubscription.objects.get)(room=room, member=ann)
    assert subscription.last_read_sequence == 2
    # Never backwards.
    await ann_tab2.send({"type": "read", "room": room.pk, "sequence": 3})
    assert (await ann_tab1.expect("unread"))["unread"] == 0
    await ann_tab2.send({"type": "read", "room": room.pk, "sequence": 1})
    assert (await ann_tab2.expect("unread", unread=0))["unread_total"] == 0
    assert (
        await db_call(RoomSubscription.objects.get)(room=room, member=ann)
    ).last_read_sequence == 3


@live_test
async def test_a_mention_notifies_the_mentioned_reader_live(club_room, outsider):
    ann, bob = club_room.members
    room_id = club_room.room.pk
    ann_socket, bob_socket, outsider_socket = (
        await connect(ann),
        await connect(bob),
        await connect(outsider),
    )
    ack = await ann_socket.request(
        {
            "type": "message.send",
            "room": room_id,
            "body": f"@**{bob.public_name}** and @**{outsider.public_name}**, look",
        }
    )
    assert ack["message"]["mentions"] == [bob.pk]
    notification = await bob_socket.expect("notification")
    stored = await db_call(Notification.objects.get)(recipient=bob, kind="chat_mention")
    assert notification["id"] == stored.pk
    assert ann.public_name in notification["text"]
    # The link goes through the notification centre, which marks it read on the way.
    assert notification["open_url"] == reverse("members:notification_open", args=[stored.pk])
    assert notification["url"] == stored.url == club_room.room.get_absolute_url()
    assert notification["unread"] == 1
    assert await count(Notification, recipient=outsider) == 0
    assert await outsider_socket.frames_of("notification") == []
    assert await outsider_socket.frames_of("message") == []


# --- catch-up -------------------------------------------------------------------------


@live_test
async def test_catch_up_returns_exactly_what_changed_after_the_sequence(club_room):
    ann, bob = club_room.members
    room = club_room.room
    first = await db_call(send)(bob, room, "one")
    second = await db_call(send)(bob, room, "two")
    third = await db_call(send)(bob, room, "three")
    seen = 3
    # While ann is away: a new message, an edit, a reaction and a deletion of older ones.
    fourth = await db_call(send)(bob, room, "four")
    await db_call(services.message_edit)(actor=bob, message=first, body="one, edited")
    await db_call(services.reaction_toggle)(member=bob, message=second, emoji="❤️")
    await db_call(services.message_delete)(actor=bob, message=third)

    socket = await connect(ann)
    frames, opened = await socket.open_room(room.pk, after=seen)
    assert all(frame["type"] == "message" and frame["catchup"] is True for frame in frames)
    got = [(f["message"]["id"], f["message"]["updated_sequence"]) for f in frames]
    assert got == [(fourth.pk, 4), (first.pk, 5), (second.pk, 6), (third.pk, 7)]
    by_id = {f["message"]["id"]: f["message"] for f in frames}
    assert by_id[first.pk]["body"] == "one, edited" and by_id[first.pk]["edited"]
    assert by_id[second.pk]["reactions"] == [{"emoji": "❤️", "count": 1, "members": [bob.pk]}]
    assert by_id[third.pk]["deleted"] and by_id[third.pk]["body"] == ""
    assert opened["last_sequence"] == 7
    # Opening again from the last sequence brings nothing; from 0, every message once.
    frames, _opened = await socket.open_room(room.pk, after=7)
    assert frames == []
    frames, _opened = await socket.open_room(room.pk, after=0)
    assert sorted(f["message"]["id"] for f in frames) == sorted(
        [first.pk, second.pk, third.pk, fourth.pk]
    )


@live_test
async def test_catch_up_beyond_the_limit_reports_a_gap(settings, club_room):
    settings.CHAT_CATCHUP_LIMIT = 3
    ann, bob = club_room.members
    for n in range(5):
        await db_call(send)(bob, club_room.room, f"m{n}")
    socket = await connect(ann)
    frames, opened = await socket.open_room(club_room.room.pk, after=0)
    # Past the limit nothing is sent message by message: the client reloads the page.
    assert frames == [{"type": "room.gap", "room": club_room.room.pk}]
    assert opened["last_sequence"] == 5


# --- conversations and event rooms: rooms that appear and go while connected ----------


@live_test
async def test_a_new_conversation_appears_live_and_notifies_once_until_read():
    ann, bob = await db_call(MemberFactory.create_batch)(2)
    bob.direct_messages = "everyone"
    await db_call(bob.save)()
    ann_socket, bob_socket = await connect(ann), await connect(bob)
    assert bob_socket.hello["rooms"] == []

    room = await db_call(services.direct_room_open)(sender=ann, recipient=bob)
    added = await bob_socket.expect("room.added")
    assert added["room"] == {
        "id": room.pk,
        "title": ann.public_name,
        "unread": 0,
        "followed": True,  # both people follow their conversation from the start
        "last_sequence": 0,
    }
    assert (await ann_socket.expect("room.added"))["room"]["title"] == bob.public_name

    first = await ann_socket.request({"type": "message.send", "room": room.pk, "body": "Hi Bob"})
    assert (await bob_socket.expect("message"))["message"]["id"] == first["message"]["id"]
    # Conversations notify every message, but one unread notice per room at a time.
    notice = await bob_socket.expect("notification")
    assert notice["unread"] == 1 and ann.public_name in notice["text"]
    await ann_socket.request({"type": "message.send", "room": room.pk, "body": "You there?"})
    await bob_socket.expect("message")
    assert await bob_socket.frames_of("notification") == []
    assert await count(Notification, recipient=bob, kind="chat_message") == 1

    await bob_socket.send({"type": "read", "room": room.pk, "sequence": 2})
    unread = await bob_socket.expect("unread")
    assert unread == {
        "type": "unread",
        "room": room.pk,
        "unread": 0,
        "unread_total": 0,
        "notifications_unread": 0,  # reading the room read its notice too
    }
    assert await count(Notification, recipient=bob, read_at__isnull=True) == 0
    await ann_socket.request({"type": "message.send", "room": room.pk, "body": "Later then"})
    assert (await bob_socket.expect("notification"))["unread"] == 1
    # Nobody else can see the conversation.
    carl = await db_call(MemberFactory)()
    carl_socket = await connect(carl)
    reply = await carl_socket.request({"type": "room.open", "room": room.pk, "after": 0})
    assert reply["code"] == "not_found"


@live_test
async def test_an_event_room_opens_with_the_rsvp_and_closes_with_the_cancellation(club_room):
    bob = club_room.members[1]
    event = await db_call(EventFactory)(club=club_room.club, capacity=None)
    room = await db_call(services.room_for_event)(user=club_room.moderator, event=event)
    bob_socket = await connect(bob)
    assert [r["id"] for r in bob_socket.hello["rooms"]] == [club_room.room.pk]

    await db_call(event_services.event_rsvp)(event=event, member=bob)
    added = await bob_socket.expect("room.added")
    assert added["room"]["id"] == room.pk and added["room"]["title"] == event.title
    await db_call(send)(club_room.moderator, room, "See you there")
    assert (await bob_socket.expect("message"))["message"]["room"] == room.pk

    await db_call(event_services.event_rsvp_cancel)(event=event, member=bob)
    assert await bob_socket.expect("room.revoked") == {"type": "room.revoked", "room": room.pk}
    await db_call(send)(club_room.moderator, room, "Pity")
    assert [f for f in await bob_socket.drain() if f["type"] == "message"] == []
    reply = await bob_socket.request({"type": "message.send", "room": room.pk, "body": "wait"})
    assert reply["code"] == "not_found"
    assert await count(Message, room=room) == 2
