"""Who may read, post in and moderate a chat room: the one place these rules live.

| room   | read                                 | post                          | moderate       |
|--------|--------------------------------------|-------------------------------|----------------|
| club   | active members, brand staff, site    | members and brand staff while | club mods,     |
|        | mods (members only, even if public)  | the club is open, not banned  | staff, site    |
| event  | people going, the club's managers,   | going or managers; not after  | as club        |
|        | site moderators                      | a cancellation; club open     |                |
| direct | the two people                       | both accounts active          | nobody         |
| expert | the expert and the member            | both accounts active          | nobody         |

Muted members read but do not post or react. `rooms_readable_q(member)` is the same
read rule as a query filter, for lists and socket subscriptions.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import BrandStaff, ClubMembership, Event, EventRSVP
from brand_clubs.services.access import club_standing
from community.chat.models import Room, RoomMute
from community.errors import AccessDenied, NotFound


@dataclass(frozen=True)
class RoomAccess:
    room: Room
    can_read: bool
    can_post: bool
    can_moderate: bool
    refusal: AccessDenied | None = None  # why posting is refused, when it is


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _club_refusal(standing) -> AccessDenied | None:
    """Why nobody may post in a club's rooms (ban, closed club), if so."""
    if standing.is_banned:
        return AccessDenied(_("You are banned from this club."), code="banned")
    if standing.club.is_closed:
        return AccessDenied(_("This club is closed: the room is read-only."), code="closed")
    return None


def _access(room: Room, standing, *, can_read: bool, refusal) -> RoomAccess:
    return RoomAccess(
        room=room,
        can_read=can_read and standing.active_account,
        can_post=refusal is None,
        can_moderate=standing.can_moderate,
        refusal=refusal,
    )


def _club_access(user, room: Room) -> RoomAccess:
    standing = club_standing(user=user, club=room.club)
    can_read = standing.is_member or standing.is_brand_staff or standing.is_site_moderator
    refusal = _club_refusal(standing)
    if refusal is None and not standing.can_participate:
        refusal = AccessDenied(_("Only members of the club can post here."), code="members_only")
    return _access(room, standing, can_read=can_read, refusal=refusal)


def _event_access(user, room: Room) -> RoomAccess:
    event = room.event
    standing = club_standing(user=user, club=event.club)
    going = EventRSVP.objects.filter(
        event=event, member=user, status=EventRSVP.Status.GOING
    ).exists()
    visible = event.is_public or standing.is_insider
    # A ban closes the club's event rooms too, past public events included.
    can_read = (
        visible
        and not standing.is_banned
        and (going or standing.can_manage or standing.is_site_moderator)
    )
    refusal = _club_refusal(standing)
    if refusal is None and event.status == Event.Status.CANCELLED:
        refusal = AccessDenied(_("This event was cancelled: the room is read-only."), code="closed")
    elif refusal is None and not (visible and (going or standing.can_manage)):
        refusal = AccessDenied(_("Only people going to the event can post here."), code="attendees")
    return _access(room, standing, can_read=can_read, refusal=refusal)


def _conversation_access(user, room: Room) -> RoomAccess:
    participant = user.pk in (room.participant_a_id, room.participant_b_id)
    refusal = None
    if participant:
        other = room.participant_b if user.pk == room.participant_a_id else room.participant_a
        if not other.is_active:
            refusal = AccessDenied(_("This account is closed."), code="closed")
    return RoomAccess(
        room=room,
        can_read=participant,
        can_post=participant and refusal is None,
        can_moderate=False,
        refusal=refusal,
    )


def room_access(*, user, room: Room) -> RoomAccess:
    """Everything the viewer may do in the room (no exception)."""
    if not _active(user):
        return RoomAccess(room=room, can_read=False, can_post=False, can_moderate=False)
    if room.kind == Room.Kind.CLUB:
        return _club_access(user, room)
    if room.kind == Room.Kind.EVENT:
        return _event_access(user, room)
    return _conversation_access(user, room)


def access_room_read(*, user, room: Room) -> RoomAccess:
    """A room the viewer may not read is 'not found': its existence does not leak."""
    if not _active(user):
        raise AccessDenied(_("Please log in first."), code="login_required")
    access = room_access(user=user, room=room)
    if not access.can_read:
        raise NotFound(_("No such room."))
    return access


def active_mute(*, room: Room, member) -> RoomMute | None:
    return (
        RoomMute.objects.filter(
            room=room, member=member, until__gt=timezone.now(), lifted_at__isnull=True
        )
        .order_by("-until")
        .first()
    )


def access_room_post(*, user, room: Room) -> RoomAccess:
    """Checked on every message and reaction, not only on join: a member removed,
    banned or muted a moment ago is refused at once."""
    access = access_room_read(user=user, room=room)
    if not access.can_post:
        raise access.refusal or AccessDenied(_("You cannot post here."))
    mute = active_mute(room=room, member=user)
    if mute is not None:
        until = timezone.localtime(mute.until, _member_zone(user))
        raise AccessDenied(
            _("You are muted in this room until %(until)s.")
            % {"until": until.strftime("%Y-%m-%d %H:%M %Z")},
            code="muted",
        )
    return access


def access_room_moderate(*, user, room: Room) -> RoomAccess:
    access = access_room_read(user=user, room=room)
    if not access.can_moderate:
        raise AccessDenied(_("Only moderators can do this."), code="forbidden")
    return access


def _member_zone(member):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(member.time_zone) if member.time_zone else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def rooms_readable_q(member) -> Q:
    """The read rule of the table above as a filter on Room (site moderators' reach into
    every club room is left out: lists show the rooms a member belongs to)."""
    if not _active(member):
        return Q(pk__in=[])
    member_clubs = ClubMembership.objects.filter(
        member=member, status=ClubMembership.Status.ACTIVE
    ).values("club_id")
    staff_brands = BrandStaff.objects.filter(member=member).values("brand_id")
    managed_clubs = ClubMembership.objects.filter(
        member=member,
        status=ClubMembership.Status.ACTIVE,
        role__in=[ClubMembership.Role.MODERATOR, ClubMembership.Role.OWNER],
    ).values("club_id")
    banned_clubs = ClubMembership.objects.filter(
        member=member, status=ClubMembership.Status.BANNED
    ).values("club_id")
    going_events = (
        EventRSVP.objects.filter(member=member, status=EventRSVP.Status.GOING)
        .exclude(event__club_id__in=banned_clubs)
        .values("event_id")
    )
    return (
        Q(kind=Room.Kind.CLUB, club_id__in=member_clubs)
        | Q(kind=Room.Kind.CLUB, club__brand_id__in=staff_brands)
        | Q(kind=Room.Kind.EVENT, event_id__in=going_events)
        & (
            Q(event__visibility=Event.Visibility.PUBLIC)
            | Q(event__club_id__in=member_clubs)
            | Q(event__club__brand_id__in=staff_brands)
        )
        | Q(kind=Room.Kind.EVENT, event__club_id__in=managed_clubs)
        | Q(kind=Room.Kind.EVENT, event__club__brand_id__in=staff_brands)
        | Q(kind__in=[Room.Kind.DIRECT, Room.Kind.EXPERT], participant_a=member)
        | Q(kind__in=[Room.Kind.DIRECT, Room.Kind.EXPERT], participant_b=member)
    )


def room_readers(room: Room):
    """Members who may read `room` (for mentions and followers' notifications)."""
    from community.members.models import Member

    members = Member.objects.filter(is_active=True)
    if room.kind == Room.Kind.CLUB:
        return members.filter(
            Q(
                club_memberships__club_id=room.club_id,
                club_memberships__status=ClubMembership.Status.ACTIVE,
            )
            | Q(brand_links__brand_id=room.club.brand_id)
        ).distinct()
    if room.kind == Room.Kind.EVENT:
        event = room.event
        managers = Q(
            club_memberships__club_id=event.club_id,
            club_memberships__status=ClubMembership.Status.ACTIVE,
            club_memberships__role__in=[ClubMembership.Role.MODERATOR, ClubMembership.Role.OWNER],
        ) | Q(brand_links__brand_id=event.club.brand_id)
        banned = ClubMembership.objects.filter(
            club_id=event.club_id, status=ClubMembership.Status.BANNED
        ).values("member_id")
        going = EventRSVP.objects.filter(event=event, status=EventRSVP.Status.GOING).exclude(
            member_id__in=banned
        )
        if not event.is_public:
            going = going.filter(
                Q(
                    member__club_memberships__club_id=event.club_id,
                    member__club_memberships__status=ClubMembership.Status.ACTIVE,
                )
                | Q(member__brand_links__brand_id=event.club.brand_id)
            )
        return members.filter(managers | Q(pk__in=going.values("member_id"))).distinct()
    return members.filter(pk__in=[room.participant_a_id, room.participant_b_id])
