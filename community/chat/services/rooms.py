"""Rooms: opened lazily for clubs and events, on request for two people."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import Club, ClubMembership, Event
from brand_clubs.services.access import access_account
from community import realtime
from community.chat.models import Room, RoomSubscription
from community.chat.services.access import access_room_read
from community.errors import AccessDenied, DomainError, NotFound
from community.members.models import Notification
from community.members.notifications import notification_unread_count
from community.ratelimit import rate_limit_hit


def _get_or_create(**lookup) -> Room:
    room = Room.objects.filter(**lookup).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            return Room.objects.create(**lookup)
    except IntegrityError:  # another request created it first
        return Room.objects.get(**{k: v for k, v in lookup.items() if k != "kind"})


def room_for_club(*, user, club: Club) -> Room:
    """The club's room, created the first time someone who may read it opens it."""
    room = Room.objects.filter(club=club).first() or Room(kind=Room.Kind.CLUB, club=club)
    access_room_read(user=user, room=room)
    if room.pk is None:
        room = _get_or_create(kind=Room.Kind.CLUB, club=club)
    return room


def room_for_event(*, user, event: Event) -> Room:
    room = Room.objects.filter(event=event).first() or Room(kind=Room.Kind.EVENT, event=event)
    access_room_read(user=user, room=room)
    if room.pk is None:
        room = _get_or_create(kind=Room.Kind.EVENT, event=event)
    return room


def _ordered(first, second):
    return (first, second) if first.pk < second.pk else (second, first)


def _open_conversation(*, kind: str, a, b) -> Room:
    created = False
    room = Room.objects.filter(kind=kind, participant_a=a, participant_b=b).first()
    if room is None:
        try:
            with transaction.atomic():
                room = Room.objects.create(kind=kind, participant_a=a, participant_b=b)
                created = True
        except IntegrityError:
            room = Room.objects.get(kind=kind, participant_a=a, participant_b=b)
    if created:
        RoomSubscription.objects.bulk_create(
            [
                RoomSubscription(room=room, member=a, notify=RoomSubscription.Notify.ALL),
                RoomSubscription(room=room, member=b, notify=RoomSubscription.Notify.ALL),
            ],
            ignore_conflicts=True,
        )
        for member in (a, b):
            realtime.member_access_changed(member.pk)
    return room


def share_a_club(first, second) -> bool:
    mine = ClubMembership.objects.filter(member=first, status=ClubMembership.Status.ACTIVE).values(
        "club_id"
    )
    return ClubMembership.objects.filter(
        member=second, status=ClubMembership.Status.ACTIVE, club_id__in=mine
    ).exists()


def direct_room_open(*, sender, recipient) -> Room:
    """The conversation of two members; a new one only if the recipient accepts
    direct messages from the sender (their setting in the profile)."""
    access_account(user=sender)
    if recipient is None or not recipient.is_active:
        raise NotFound(_("No such member."))
    if recipient.pk == sender.pk:
        raise DomainError(_("You cannot start a conversation with yourself."), code="invalid")
    a, b = _ordered(sender, recipient)
    existing = Room.objects.filter(kind=Room.Kind.DIRECT, participant_a=a, participant_b=b).first()
    if existing is not None:
        return existing
    setting = getattr(recipient, "direct_messages", "club_mates")
    if setting == "nobody" or (setting == "club_mates" and not share_a_club(sender, recipient)):
        raise AccessDenied(
            _("%(name)s does not accept direct messages from you.")
            % {"name": recipient.public_name},
            code="refused",
        )
    rate_limit_hit(action="chat_direct_open", key=sender.pk)
    return _open_conversation(kind=Room.Kind.DIRECT, a=a, b=b)


def expert_room_open(*, member, expert) -> Room:
    """A member's private conversation with an expert. The experts app checks first
    that the expert accepts conversations; this only keeps one room per pair."""
    access_account(user=member)
    if expert is None or not expert.is_active:
        raise NotFound(_("No such member."))
    if expert.pk == member.pk:
        raise DomainError(_("You cannot start a conversation with yourself."), code="invalid")
    return _open_conversation(kind=Room.Kind.EXPERT, a=expert, b=member)


def room_get(*, pk) -> Room:
    room = (
        Room.objects.select_related(
            "club", "club__brand", "event", "event__club", "participant_a", "participant_b"
        )
        .filter(pk=pk)
        .first()
    )
    if room is None:
        raise NotFound(_("No such room."))
    return room


def subscription_ensure(*, room: Room, member) -> RoomSubscription:
    """Opening a room follows it: from then on its unread messages count."""
    subscription, _created = RoomSubscription.objects.get_or_create(
        room=room,
        member=member,
        defaults={
            "notify": RoomSubscription.Notify.ALL
            if room.is_conversation
            else RoomSubscription.Notify.MENTIONS
        },
    )
    return subscription


def unread_counts(*, member, room: Room) -> tuple[int, int]:
    """(unread in this room, unread in all rooms) for the badges."""
    from community.chat.selectors import chat_unread_total, room_unread

    return room_unread(member=member, room=room), chat_unread_total(member=member)


def room_mark_read(*, member, room: Room, sequence: int) -> int:
    """Mark the room read up to `sequence` (never backwards) and tell the member's
    other tabs; returns what is left unread in the room."""
    access_room_read(user=member, room=room)
    room.refresh_from_db(fields=["last_sequence"])
    if sequence < 0:
        raise DomainError(_("Invalid sequence number."), code="invalid")
    if sequence > room.last_sequence:
        raise DomainError(
            _("That sequence number is ahead of the room: reload the history."),
            code="sequence_ahead",
        )
    with transaction.atomic():
        subscription = subscription_ensure(room=room, member=member)
        # Never backwards, even against a send that moved the mark meanwhile.
        RoomSubscription.objects.filter(pk=subscription.pk, last_read_sequence__lt=sequence).update(
            last_read_sequence=sequence
        )
        if sequence == room.last_sequence:  # all read: so are the notices about it
            Notification.objects.filter(
                recipient=member,
                kind__in=["chat_message", "chat_mention", "chat_reply"],
                url=room.get_absolute_url(),
                read_at__isnull=True,
            ).update(read_at=timezone.now())
        unread, total = unread_counts(member=member, room=room)
        realtime.broadcast_on_commit(
            realtime.member_group(member.pk),
            {
                "type": "chat.unread",
                "room": room.pk,
                "unread": unread,
                "unread_total": total,
                "notifications_unread": notification_unread_count(member=member),
            },
        )
    return unread


def room_notify_set(*, member, room: Room, level: str) -> RoomSubscription:
    access_room_read(user=member, room=room)
    if level not in RoomSubscription.Notify.values:
        raise DomainError(_("Choose what you want to be told about."), field="level")
    subscription = subscription_ensure(room=room, member=member)
    subscription.notify = level
    subscription.save(update_fields=["notify", "updated_at"])
    return subscription


def room_title(room: Room, *, viewer) -> str:
    """What the room is called for this viewer (the other person, in a conversation)."""
    if room.kind == Room.Kind.CLUB:
        return room.club.name
    if room.kind == Room.Kind.EVENT:
        return room.event.title
    other = room.participant_b if viewer and viewer.pk == room.participant_a_id else None
    other = other or room.participant_a
    if room.kind == Room.Kind.EXPERT and viewer and viewer.pk == room.participant_b_id:
        return _("%(name)s (expert)") % {"name": room.participant_a.public_name}
    return str(other.public_name)


def max_message_length() -> int:
    return settings.CHAT_MESSAGE_MAX_LENGTH
