"""Reads of chat (community/chat/selectors.py): the room list in one query, history
pages in a fixed number of queries, catch-up in order of change."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import F

from brand_clubs.models import Event
from community.chat import services
from community.chat.models import Message, MessagePhoto, MessageReaction, Room
from community.chat.payloads import message_payload
from community.chat.selectors import (
    chat_unread_total,
    room_changes_after,
    room_history,
    rooms_for_member,
)
from community.reviews.photos import RENDITION_FIELDS
from tests.chat.conftest import club_with_room, send
from tests.factories import (
    ClubFactory,
    ClubMembershipFactory,
    EventFactory,
    EventRSVPFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db


def _post(room, author, body, **fields) -> Message:
    """A message written straight to the tables (fast, for large fixtures)."""
    Room.objects.filter(pk=room.pk).update(last_sequence=F("last_sequence") + 1)
    room.refresh_from_db(fields=["last_sequence"])
    return Message.objects.create(
        room=room,
        sequence=room.last_sequence,
        updated_sequence=room.last_sequence,
        author=author,
        body=body,
        body_html=f"<p>{body}</p>",
        **fields,
    )


def _rooms_of(member, count: int) -> list[Room]:
    """`count` rooms the member reads, of every kind, each with a message by someone
    else and a few read."""
    rooms = []
    for n in range(count):
        other = MemberFactory()
        kind = n % 3
        if kind == 0:
            club = ClubFactory()
            ClubMembershipFactory(club=club, member=member)
            room = Room.objects.create(kind=Room.Kind.CLUB, club=club)
        elif kind == 1:
            event = EventFactory(visibility=Event.Visibility.PUBLIC)
            EventRSVPFactory(event=event, member=member)
            room = Room.objects.create(kind=Room.Kind.EVENT, event=event)
        else:
            a, b = sorted([member, other], key=lambda m: m.pk)
            room = Room.objects.create(kind=Room.Kind.DIRECT, participant_a=a, participant_b=b)
        _post(room, other, f"hello {n}")
        _post(room, other, f"again {n}")
        services.subscription_ensure(room=room, member=member)
        rooms.append(room)
    return rooms


@pytest.mark.parametrize("count", [10, 50])
def test_rooms_for_member_is_one_query(django_assert_num_queries, count):
    member = MemberFactory()
    rooms = _rooms_of(member, count)
    MemberFactory()  # someone else's rooms are not listed
    _rooms_of(MemberFactory(), 3)
    with django_assert_num_queries(1):
        listed = list(rooms_for_member(member=member))
        titles = [services.room_title(room, viewer=member) for room in listed]
        summary = [
            (room.unread, room.last_message_body, room.last_message_author) for room in listed
        ]
    assert {room.pk for room in listed} == {room.pk for room in rooms}
    assert all(title for title in titles)
    assert all(unread == 2 for unread, _body, _author in summary)
    assert all(body.startswith("again ") for _unread, body, _author in summary)


def test_rooms_for_member_values_and_order():
    world = club_with_room()
    quiet = club_with_room(members=0)
    reader, writer = world.members
    ClubMembershipFactory(club=quiet.club, member=reader)
    services.subscription_ensure(room=world.room, member=reader)
    send(writer, world.room, "first")
    send(writer, world.room, "second")
    last = send(writer, world.room, "third")
    services.message_delete(actor=writer, message=last)
    rooms = list(rooms_for_member(member=reader))
    assert [room.pk for room in rooms] == [world.room.pk, quiet.room.pk]  # most active first
    busy = rooms[0]
    assert busy.unread == 2  # the deleted message counts nothing
    assert busy.last_message_body == "second"  # nor is it the latest
    assert busy.last_message_author_id == writer.pk
    assert busy.last_message_author == writer.display_name
    assert rooms[1].unread == 0 and rooms[1].last_message_body is None
    assert chat_unread_total(member=reader) == 2
    assert chat_unread_total(member=writer) == 0


def test_nobody_lists_nothing():
    club_with_room()
    assert list(rooms_for_member(member=AnonymousUser())) == []
    assert list(rooms_for_member(member=None)) == []
    assert chat_unread_total(member=AnonymousUser()) == 0
    assert list(rooms_for_member(member=MemberFactory())) == []


def _history_room(count: int):
    """A room with `count` messages, every third with a photo, every other a reply and
    reactions from two members."""
    world = club_with_room()
    alice, bob = world.members
    previous = None
    for n in range(count):
        author = alice if n % 2 else bob
        message = _post(world.room, author, f"message {n}", reply_to=previous if n % 2 else None)
        if n % 3 == 0:
            MessagePhoto.objects.create(
                message=message,
                width=640,
                height=480,
                **{name: f"chat/{world.room.pk}/{n}-{name}.jpg" for name in RENDITION_FIELDS},
            )
        if n % 2 == 0:
            MessageReaction.objects.create(message=message, member=alice, emoji="👍")
            MessageReaction.objects.create(message=message, member=bob, emoji="❤️")
        previous = message
    return world


@pytest.mark.parametrize("count", [10, 50])
def test_room_history_is_two_queries_whatever_the_length(django_assert_num_queries, count):
    world = _history_room(count)
    with django_assert_num_queries(2):  # the messages with their joins, and the reactions
        messages, has_more = room_history(room=world.room)
        payloads = [message_payload(message) for message in messages]
    assert len(payloads) == count and has_more is False
    assert [p["sequence"] for p in payloads] == list(range(1, count + 1))  # oldest first
    assert payloads[0]["photo"]["width"] == 640 and payloads[1]["photo"] is None
    assert payloads[1]["reply_to"]["id"] == payloads[0]["id"]
    assert payloads[0]["reactions"] == [
        {"emoji": "👍", "count": 1, "members": [world.members[0].pk]},
        {"emoji": "❤️", "count": 1, "members": [world.members[1].pk]},
    ]


def test_room_history_pages(settings):
    settings.CHAT_HISTORY_PAGE_SIZE = 50
    world = club_with_room()
    for n in range(120):
        _post(world.room, world.members[0], f"m{n}")
    page, has_more = room_history(room=world.room)
    assert [m.sequence for m in page] == list(range(71, 121)) and has_more
    page, has_more = room_history(room=world.room, before=71)
    assert [m.sequence for m in page] == list(range(21, 71)) and has_more
    page, has_more = room_history(room=world.room, before=21)
    assert [m.sequence for m in page] == list(range(1, 21)) and not has_more
    page, has_more = room_history(room=world.room, before=1)
    assert page == [] and not has_more
    page, has_more = room_history(room=world.room, before=11, limit=10)
    assert [m.sequence for m in page] == list(range(1, 11)) and not has_more


def test_room_history_exactly_one_page(settings):
    world = club_with_room()
    for n in range(50):
        _post(world.room, world.members[0], f"m{n}")
    _page, has_more = room_history(room=world.room, limit=50)
    assert not has_more
    _post(world.room, world.members[0], "one more")
    page, has_more = room_history(room=world.room, limit=50)
    assert has_more and page[0].sequence == 2


def test_room_history_keeps_deleted_messages_as_placeholders():
    world = club_with_room()
    alice = world.members[0]
    send(alice, world.room, "one")
    gone = send(alice, world.room, "two")
    services.message_delete(actor=alice, message=gone)
    messages, _has_more = room_history(room=world.room)
    payloads = [message_payload(m) for m in messages]
    assert [(p["body"], p["deleted"]) for p in payloads] == [("one", False), ("", True)]


def test_room_changes_after_in_order_of_change():
    world = club_with_room()
    alice, bob = world.members
    messages = [send(alice, world.room, f"m{n}") for n in range(5)]  # sequences 1..5
    services.message_edit(actor=alice, message=messages[1], body="m1 edited")  # 6
    services.reaction_toggle(member=bob, message=messages[0], emoji="👍")  # 7
    services.message_delete(actor=alice, message=messages[3])  # 8
    changes = room_changes_after(room=world.room, after=4, limit=10)
    assert [(m.pk, m.updated_sequence) for m in changes] == [
        (messages[4].pk, 5),
        (messages[1].pk, 6),
        (messages[0].pk, 7),
        (messages[3].pk, 8),
    ]
    assert changes[1].body == "m1 edited" and changes[3].is_deleted
    assert room_changes_after(room=world.room, after=8, limit=10) == []
    # One more than the limit, so that the caller can tell there is a gap.
    assert len(room_changes_after(room=world.room, after=0, limit=2)) == 3
    other = club_with_room(members=1)
    send(other.members[0], other.room, "elsewhere")
    changes = room_changes_after(room=world.room, after=0, limit=50)
    assert all(m.room_id == world.room.pk for m in changes)
