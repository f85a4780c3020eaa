"""Rooms (community/chat/services/rooms.py): opening club, event and direct rooms,
read marks and unread counts, notification levels, and the brand_clubs services telling
a member's sockets that their access changed (community.realtime.member_access_changed).
"""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer

from brand_clubs.models import Club, ClubMembership, Event, EventRSVP
from brand_clubs.services.clubs import club_join, club_member_ban
from brand_clubs.services.events import event_rsvp, event_rsvp_cancel
from community import realtime
from community.chat import services
from community.chat.models import Room, RoomSubscription
from community.chat.selectors import chat_unread_total, room_unread
from community.errors import AccessDenied, DomainError, NotFound, RateLimited
from community.members.models import Notification
from tests.chat.conftest import club_with_room, send
from tests.factories import (
    ClubFactory,
    ClubMembershipFactory,
    EventFactory,
    EventRSVPFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db


def _dm_setting(member, value):
    member.direct_messages = value
    member.save(update_fields=["direct_messages"])


# --- club and event rooms -------------------------------------------------------------


def test_club_room_is_created_once_by_someone_who_may_read_it():
    club = ClubFactory()
    member = ClubMembershipFactory(club=club).member
    with pytest.raises(NotFound):
        services.room_for_club(user=MemberFactory(), club=club)
    assert not Room.objects.filter(club=club).exists()  # a refusal creates nothing
    room = services.room_for_club(user=member, club=club)
    assert room.kind == Room.Kind.CLUB and room.club == club
    assert services.room_for_club(user=member, club=club) == room
    assert Room.objects.filter(club=club).count() == 1


def test_event_room_is_for_people_going():
    event = EventFactory(visibility=Event.Visibility.PUBLIC)
    going = EventRSVPFactory(event=event).member
    waiting = EventRSVPFactory(event=event, status=EventRSVP.Status.WAITLISTED).member
    with pytest.raises(NotFound):
        services.room_for_event(user=waiting, event=event)
    assert not Room.objects.filter(event=event).exists()
    room = services.room_for_event(user=going, event=event)
    assert room.kind == Room.Kind.EVENT and room.event == event
    assert services.room_for_event(user=going, event=event) == room


def test_room_get_unknown_is_not_found():
    with pytest.raises(NotFound):
        services.room_get(pk=987654)


# --- direct conversations -------------------------------------------------------------


def test_direct_everyone_opens_and_the_same_pair_gets_the_same_room():
    sender, recipient = MemberFactory(), MemberFactory()
    _dm_setting(recipient, "everyone")
    room = services.direct_room_open(sender=sender, recipient=recipient)
    assert room.kind == Room.Kind.DIRECT
    assert (room.participant_a, room.participant_b) == tuple(
        sorted([sender, recipient], key=lambda m: m.pk)
    )
    assert services.direct_room_open(sender=sender, recipient=recipient) == room
    assert services.direct_room_open(sender=recipient, recipient=sender) == room
    assert Room.objects.filter(kind=Room.Kind.DIRECT).count() == 1
    # Both follow the conversation: every message counts and notifies.
    assert set(
        RoomSubscription.objects.filter(room=room, notify=RoomSubscription.Notify.ALL).values_list(
            "member_id", flat=True
        )
    ) == {sender.pk, recipient.pk}


def test_direct_club_mates_need_a_shared_active_club():
    sender, recipient = MemberFactory(), MemberFactory()
    _dm_setting(recipient, "club_mates")
    club = ClubFactory()
    ClubMembershipFactory(club=club, member=recipient)
    ClubMembershipFactory(club=club, member=sender, status=ClubMembership.Status.PENDING)
    ClubMembershipFactory(club=ClubFactory(), member=sender)  # another club
    with pytest.raises(AccessDenied) as info:
        services.direct_room_open(sender=sender, recipient=recipient)
    assert info.value.code == "refused"
    assert recipient.public_name in str(info.value.message)
    ClubMembership.objects.filter(club=club, member=sender).update(
        status=ClubMembership.Status.ACTIVE
    )
    room = services.direct_room_open(sender=sender, recipient=recipient)
    assert room.pk is not None


def test_direct_club_mates_is_the_default():
    sender, recipient = MemberFactory(), MemberFactory()
    assert recipient.direct_messages == "club_mates"
    with pytest.raises(AccessDenied):
        services.direct_room_open(sender=sender, recipient=recipient)


def test_direct_nobody_refuses_new_conversations_but_keeps_existing_ones():
    sender, recipient = MemberFactory(), MemberFactory()
    _dm_setting(recipient, "everyone")
    room = services.direct_room_open(sender=sender, recipient=recipient)
    _dm_setting(recipient, "nobody")
    # The existing conversation stays usable both ways.
    assert services.direct_room_open(sender=sender, recipient=recipient) == room
    message = send(sender, room, "Still there?")
    assert message.room == room
    assert send(recipient, room, "Yes").sequence == 2
    # Nobody new gets in.
    stranger = MemberFactory()
    with pytest.raises(AccessDenied) as info:
        services.direct_room_open(sender=stranger, recipient=recipient)
    assert info.value.code == "refused"
    mate_club = ClubFactory()
    ClubMembershipFactory(club=mate_club, member=stranger)
    ClubMembershipFactory(club=mate_club, member=recipient)
    with pytest.raises(AccessDenied):  # not even club mates
        services.direct_room_open(sender=stranger, recipient=recipient)


def test_direct_yourself_inactive_and_missing_recipients():
    sender = MemberFactory()
    _dm_setting(sender, "everyone")
    with pytest.raises(DomainError) as info:
        services.direct_room_open(sender=sender, recipient=sender)
    assert info.value.code == "invalid"
    gone = MemberFactory(is_active=False, direct_messages="everyone")
    with pytest.raises(NotFound):
        services.direct_room_open(sender=sender, recipient=gone)
    with pytest.raises(NotFound):
        services.direct_room_open(sender=sender, recipient=None)
    with pytest.raises(AccessDenied):  # an inactive sender opens nothing
        services.direct_room_open(sender=gone, recipient=sender)
    assert not Room.objects.exists()


def test_direct_open_is_rate_limited_for_new_conversations_only(settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "chat_direct_open": (2, 3600)}
    sender = MemberFactory()
    recipients = [MemberFactory(direct_messages="everyone") for _ in range(3)]
    first = services.direct_room_open(sender=sender, recipient=recipients[0])
    services.direct_room_open(sender=sender, recipient=recipients[1])
    with pytest.raises(RateLimited):
        services.direct_room_open(sender=sender, recipient=recipients[2])
    # Coming back to an existing conversation is not limited.
    assert services.direct_room_open(sender=sender, recipient=recipients[0]) == first


def test_expert_room_keeps_the_expert_as_participant_a():
    member, expert = MemberFactory(), MemberFactory(direct_messages="nobody")
    room = services.expert_room_open(member=member, expert=expert)
    assert (room.kind, room.participant_a, room.participant_b) == (
        Room.Kind.EXPERT,
        expert,
        member,
    )
    assert services.expert_room_open(member=member, expert=expert) == room
    assert services.room_title(room, viewer=member) == f"{expert.public_name} (expert)"
    assert services.room_title(room, viewer=expert) == member.public_name
    with pytest.raises(DomainError):
        services.expert_room_open(member=member, expert=member)


def test_room_titles():
    world = club_with_room()
    assert services.room_title(world.room, viewer=world.members[0]) == world.club.name
    one, two = MemberFactory(display_name="Ada"), MemberFactory(display_name="Bo")
    _dm_setting(two, "everyone")
    direct = services.direct_room_open(sender=one, recipient=two)
    assert services.room_title(direct, viewer=one) == "Bo"
    assert services.room_title(direct, viewer=two) == "Ada"


def test_opening_a_conversation_tells_both_sockets_after_commit(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(realtime, "_send", lambda group, event: sent.append((group, event)))
    one, two = MemberFactory(), MemberFactory(direct_messages="everyone")
    with django_capture_on_commit_callbacks(execute=True):
        services.direct_room_open(sender=one, recipient=two)
        assert sent == []
    assert sorted(sent, key=lambda item: item[0]) == sorted(
        [
            (realtime.member_group(one.pk), {"type": "access.changed"}),
            (realtime.member_group(two.pk), {"type": "access.changed"}),
        ],
        key=lambda item: item[0],
    )


# --- read marks and unread counts -----------------------------------------------------


def test_unread_counts_others_messages_after_the_read_mark():
    world = club_with_room()
    reader, writer = world.members
    services.subscription_ensure(room=world.room, member=reader)
    send(writer, world.room, "one")
    send(writer, world.room, "two")
    own = send(reader, world.room, "mine")  # the sender's own messages never count
    assert room_unread(member=reader, room=world.room) == 0  # sending marks read
    send(writer, world.room, "three")
    deleted = send(writer, world.room, "four")
    services.message_delete(actor=writer, message=deleted)
    assert room_unread(member=reader, room=world.room) == 1  # deleted ones do not count
    assert chat_unread_total(member=reader) == 1
    assert own.sequence == 3


def test_rooms_never_opened_count_nothing():
    world = club_with_room()
    reader, writer = world.members
    send(writer, world.room, "hello")
    send(writer, world.room, "anyone?")
    assert room_unread(member=reader, room=world.room) == 0
    assert chat_unread_total(member=reader) == 0
    services.subscription_ensure(room=world.room, member=reader)
    assert room_unread(member=reader, room=world.room) == 2


def test_mark_read_never_goes_backwards_and_returns_what_is_left():
    world = club_with_room()
    reader, writer = world.members
    services.subscription_ensure(room=world.room, member=reader)
    for n in range(5):
        send(writer, world.room, f"message {n}")
    assert services.room_mark_read(member=reader, room=world.room, sequence=3) == 2
    assert services.room_mark_read(member=reader, room=world.room, sequence=1) == 2
    subscription = RoomSubscription.objects.get(room=world.room, member=reader)
    assert subscription.last_read_sequence == 3
    assert services.room_mark_read(member=reader, room=world.room, sequence=5) == 0
    assert services.room_mark_read(member=reader, room=world.room, sequence=0) == 0


def test_mark_read_refuses_sequences_ahead_or_negative():
    world = club_with_room()
    reader, writer = world.members
    send(writer, world.room, "hi")
    with pytest.raises(DomainError) as info:
        services.room_mark_read(member=reader, room=world.room, sequence=2)
    assert info.value.code == "sequence_ahead"
    with pytest.raises(DomainError) as info:
        services.room_mark_read(member=reader, room=world.room, sequence=-1)
    assert info.value.code == "invalid"
    with pytest.raises(NotFound):
        services.room_mark_read(member=MemberFactory(), room=world.room, sequence=1)


def test_mark_read_reads_the_room_notifications_only(django_capture_on_commit_callbacks):
    world = club_with_room()
    other = club_with_room(members=1, moderator=False)
    reader, writer = world.members
    ClubMembershipFactory(club=other.club, member=reader)
    services.room_notify_set(member=reader, room=world.room, level="all")
    send(writer, world.room, "for the followers")
    send(writer, world.room, f"@**{reader.public_name}** look")
    send(other.members[0], other.room, f"@**{reader.public_name}** elsewhere")
    unread = Notification.objects.filter(recipient=reader, read_at__isnull=True)
    assert sorted(unread.values_list("kind", flat=True)) == [
        "chat_mention",
        "chat_mention",
        "chat_message",
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.room_mark_read(member=reader, room=world.room, sequence=2)
    assert list(unread.values_list("url", flat=True)) == [other.room.get_absolute_url()]
    assert callbacks  # the member's other tabs hear of it after commit


def test_mark_read_tells_the_member_tabs(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(realtime, "_send", lambda group, event: sent.append((group, event)))
    world = club_with_room()
    reader, writer = world.members
    services.subscription_ensure(room=world.room, member=reader)
    send(writer, world.room, "a")
    send(writer, world.room, "b")
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.room_mark_read(member=reader, room=world.room, sequence=1)
    assert sent == [
        (
            realtime.member_group(reader.pk),
            {
                "type": "chat.unread",
                "room": world.room.pk,
                "unread": 1,
                "unread_total": 1,
                "notifications_unread": 0,
            },
        )
    ]


def test_notify_level():
    world = club_with_room()
    reader = world.members[0]
    subscription = services.room_notify_set(member=reader, room=world.room, level="none")
    assert subscription.notify == RoomSubscription.Notify.NONE
    with pytest.raises(DomainError) as info:
        services.room_notify_set(member=reader, room=world.room, level="loud")
    assert info.value.field == "level"
    with pytest.raises(NotFound):
        services.room_notify_set(member=MemberFactory(), room=world.room, level="all")


# --- brand_clubs services tell the member's sockets (member_access_changed) -----------


@pytest.fixture
def memory_channel_layer(settings):
    """These tests read the layer from several event loops in turn, which only the
    in-memory layer allows; Redis delivery is covered by the socket tests."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _listen(member):
    """A test channel in the member's group of the (fresh) channel layer."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.member_group(member.pk), channel)
    return layer, channel


def _received(layer, channel, timeout=1.0):
    async def receive():
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout)
        except TimeoutError:
            return None

    return async_to_sync(receive)()


@pytest.mark.usefixtures("memory_channel_layer")
def test_joining_a_public_club_tells_the_member_sockets(django_capture_on_commit_callbacks):
    club = ClubFactory(visibility=Club.Visibility.PUBLIC)
    member = MemberFactory()
    layer, channel = _listen(member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        club_join(club=club, member=member)
    assert callbacks  # nothing goes before the commit...
    for callback in callbacks:
        callback()
    assert _received(layer, channel) == {"type": "access.changed"}  # ...and then it does


@pytest.mark.usefixtures("memory_channel_layer")
def test_asking_to_join_changes_no_access(django_capture_on_commit_callbacks):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    member = MemberFactory()
    layer, channel = _listen(member)
    with django_capture_on_commit_callbacks(execute=True):
        club_join(club=club, member=member)
    assert _received(layer, channel, timeout=0.2) is None


@pytest.mark.usefixtures("memory_channel_layer")
def test_rsvp_and_its_cancellation_tell_the_member_sockets(django_capture_on_commit_callbacks):
    event = EventFactory(visibility=Event.Visibility.PUBLIC, capacity=1)
    member, waiting = MemberFactory(), MemberFactory()
    layer, channel = _listen(member)
    waiting_layer, waiting_channel = _listen(waiting)
    with django_capture_on_commit_callbacks(execute=True):
        event_rsvp(event=event, member=member)
    assert _received(layer, channel) == {"type": "access.changed"}
    with django_capture_on_commit_callbacks(execute=True):
        assert event_rsvp(event=event, member=waiting).status == EventRSVP.Status.WAITLISTED
    assert _received(waiting_layer, waiting_channel, timeout=0.2) is None  # no seat, no room
    with django_capture_on_commit_callbacks(execute=True):
        event_rsvp_cancel(event=event, member=member)
    assert _received(layer, channel) == {"type": "access.changed"}
    # The freed seat went to the waitlist: that member's room opened.
    assert _received(waiting_layer, waiting_channel) == {"type": "access.changed"}


def test_ban_tells_the_member_for_each_lost_room(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(realtime, "_send", lambda group, event: sent.append((group, event)))
    world = club_with_room()
    member = world.members[0]
    event = EventFactory(club=world.club, visibility=Event.Visibility.PUBLIC)
    event_rsvp(event=event, member=member)
    with django_capture_on_commit_callbacks(execute=True):
        club_member_ban(club=world.club, actor=world.moderator, member=member, reason="Spam")
    told = [event for group, event in sent if group == realtime.member_group(member.pk)]
    # The club room and the event room (the ban withdrew the RSVP) both closed.
    assert told == [{"type": "access.changed"}] * 2
    assert not services.room_access(user=member, room=world.room).can_read
    assert not EventRSVP.objects.filter(event=event, status=EventRSVP.Status.GOING).exists()
