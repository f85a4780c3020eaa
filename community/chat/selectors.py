"""Reads of chat: room lists with unread counts, history pages, catch-up."""

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, JSONField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from community.chat.models import MAX_LISTED_ROOMS, Message, Room, RoomSubscription
from community.chat.services.access import rooms_readable_q

MAX_ROOMS = MAX_LISTED_ROOMS


def _with_unread(rooms, member):
    """Annotate `last_read` and `unread`: messages by others, not deleted, after the
    member's read mark. Rooms the member never opened count nothing (not followed)."""
    last_read = RoomSubscription.objects.filter(room=OuterRef("pk"), member=member).values(
        "last_read_sequence"
    )[:1]
    # Inside the message subquery, OuterRef("room") is the message's room (an
    # OuterRef("pk") there would be the message's own id).
    followed = RoomSubscription.objects.filter(room=OuterRef("room"), member=member)
    unread = (
        Message.objects.filter(
            Exists(followed),
            room=OuterRef("pk"),
            sequence__gt=OuterRef("last_read"),
            deleted_at__isnull=True,
        )
        .exclude(author=member)
        .order_by()
        .values("room")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return rooms.annotate(
        last_read=Coalesce(Subquery(last_read), Value(0), output_field=IntegerField()),
        followed=Exists(RoomSubscription.objects.filter(room=OuterRef("pk"), member=member)),
    ).annotate(
        unread=Coalesce(
            Subquery(unread, output_field=IntegerField()),
            Value(0),
            output_field=IntegerField(),
        )
    )


def rooms_for_member(*, member):
    """The rooms a member belongs to, most recently active first, each with `unread`,
    `last_read` and the latest message (`last_message_*`). One query."""
    if not (member and member.is_authenticated):
        return Room.objects.none()
    latest = Message.objects.filter(room=OuterRef("pk"), deleted_at__isnull=True).order_by(
        "-sequence"
    )
    rooms = (
        Room.objects.filter(rooms_readable_q(member))
        .select_related("club", "event", "participant_a", "participant_b")
        .annotate(
            last_message_body=Subquery(latest.values("body")[:1]),
            last_message_at=Subquery(latest.values("created_at")[:1]),
            last_message_author=Subquery(latest.values("author__display_name")[:1]),
            last_message_author_id=Subquery(latest.values("author_id")[:1]),
            # The byline cache, so the list labels the author like every other name.
            last_message_author_badge=Subquery(
                latest.values("author__expert_badge")[:1], output_field=JSONField()
            ),
        )
    )
    return _with_unread(rooms, member).order_by(F("last_message_at").desc(nulls_last=True), "-pk")[
        :MAX_ROOMS
    ]


def chat_unread_total(*, member) -> int:
    if not (member and member.is_authenticated):
        return 0
    rooms = _with_unread(Room.objects.filter(rooms_readable_q(member)), member)
    return sum(rooms.filter(followed=True).values_list("unread", flat=True))


def room_notify_level(*, member, room: Room) -> str:
    """What the member is told about the room (the default until they choose)."""
    level = (
        RoomSubscription.objects.filter(room=room, member=member)
        .values_list("notify", flat=True)
        .first()
    )
    return level or RoomSubscription._meta.get_field("notify").default


def room_unread(*, member, room: Room) -> int:
    rooms = _with_unread(Room.objects.filter(pk=room.pk), member)
    return rooms.values_list("unread", flat=True).first() or 0


def _messages(room: Room):
    return (
        Message.objects.filter(room=room)
        .select_related("author", "reply_to", "reply_to__author", "photo")
        .prefetch_related("reactions")
    )


def room_history(*, room: Room, before: int | None = None, limit: int | None = None):
    """A page of messages, oldest first, ending before sequence `before` (the latest
    page without it); returns (messages, has_more). Two queries whatever the length."""
    limit = limit or settings.CHAT_HISTORY_PAGE_SIZE
    messages = _messages(room)
    if before is not None:
        messages = messages.filter(sequence__lt=before)
    page = list(messages.order_by("-sequence")[: limit + 1])
    has_more = len(page) > limit
    return list(reversed(page[:limit])), has_more


def room_changes_after(*, room: Room, after: int, limit: int):
    """Every message whose state changed after sequence `after`, in order of change;
    `limit + 1` rows at most, so the caller can tell there were more."""
    return list(
        _messages(room).filter(updated_sequence__gt=after).order_by("updated_sequence")[: limit + 1]
    )
