"""Writes of club events: scheduling, RSVPs with a waitlist, check-in at the door,
the album and attendee reviews, reminders and members' calendar feeds.

Every function checks access itself (brand_clubs/services/access.py), counts a rate
limit and writes in one transaction. Seats are decided with the event row locked
(`select_for_update`), so two requests for the last seat cannot both get it; the
counters on Event (going, waitlist, photos, reviews) move with F() in the same
transaction as the rows they count.
"""

import secrets
import zoneinfo
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from brand_clubs.models import (
    Club,
    ClubAuditEntry,
    ClubMembership,
    Event,
    EventPhoto,
    EventReview,
    EventRSVP,
)
from brand_clubs.models.events import EventCalendarFeed
from brand_clubs.services.access import (
    access_account,
    access_club_manage,
    access_club_moderate,
    access_event_attendee,
    access_event_rsvp,
    access_links,
    club_standing,
)
from brand_clubs.services.audit import club_audit_record
from community import realtime
from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.models import Member
from community.members.notifications import notify
from community.ratelimit import rate_limit_hit
from community.reputation.rules import Reason
from community.reputation.services import reputation_record
from community.reviews.photos import (
    RENDITION_FIELDS,
    photos_prepare,
    renditions_delete_on_commit,
    renditions_write,
)
from community.text import render_markdown

CHECKIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a door
CHECKIN_CODE_LENGTH = 8
MAX_PHOTOS_PER_UPLOAD = 10
PHOTO_FIELDS = RENDITION_FIELDS  # the album's file renditions (views check names against it)
KNOWN_TIME_ZONES = frozenset(zoneinfo.available_timezones())
_http_url = URLValidator(schemes=["http", "https"])


# --- helpers --------------------------------------------------------------------------


def normalise_checkin_code(code: str) -> str:
    """What staff type or a scanner reads: any case, spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -\t\r\n")


def _new_checkin_code(*, event_id: int) -> str:
    """A personal code, unique within the event (whose row the caller holds locked)."""
    while True:
        code = "".join(secrets.choice(CHECKIN_CODE_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))
        if not EventRSVP.objects.filter(event_id=event_id, checkin_code=code).exists():
            return code


def _lock_event(event: Event) -> Event:
    """The event row only (`of=self`): locking the joined club and brand rows too
    would make every RSVP in a club wait for every other."""
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("club", "club__brand")
        .get(pk=event.pk)
    )


def _refresh_counters(event: Event) -> None:
    event.refresh_from_db(
        fields=[
            "status",
            "going_count",
            "waitlist_count",
            "photo_count",
            "review_count",
            "rating_total",
            "reminder_sent_at",
        ]
    )


def _recipients_who_may_see(event: Event, members: QuerySet) -> QuerySet:
    """Only notify people the event is visible to: anyone not banned from the club for
    public events; active members and the brand's staff for club events."""
    members = members.filter(is_active=True).exclude(
        club_memberships__club_id=event.club_id,
        club_memberships__status=ClubMembership.Status.BANNED,
    )
    if event.is_public:
        return members
    return members.filter(
        Q(
            club_memberships__club_id=event.club_id,
            club_memberships__status=ClubMembership.Status.ACTIVE,
        )
        | Q(brand_links__brand_id=event.club.brand_id)
    ).distinct()


def _when(event: Event) -> str:
    """The start in the event's own zone, written the same in every language."""
    local = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone))
    return f"{local:%Y-%m-%d %H:%M} ({event.time_zone})"


MAX_SCHEDULE_AHEAD = timedelta(days=5 * 366)
MAX_EVENT_LENGTH = timedelta(days=31)


def _clean_event_fields(
    *,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    format: str,
    online_url: str,
    venue_name: str,
    address: str,
    capacity,
    rsvp_deadline: datetime | None,
    visibility: str,
) -> dict:
    title = (title or "").strip()
    description = (description or "").strip()
    online_url = (online_url or "").strip()
    venue_name = (venue_name or "").strip()
    address = (address or "").strip()
    if not title:
        raise DomainError(_("Give the event a title."), field="title")
    if len(title) > 150:
        raise DomainError(_("The title can be at most 150 characters."), field="title")
    if len(description) > 10_000:
        raise DomainError(
            _("The description can be at most 10,000 characters."), field="description"
        )
    if time_zone not in KNOWN_TIME_ZONES:
        raise DomainError(_("Choose the time zone of the event."), field="time_zone")
    for value, field in ((starts_at, "starts_at"), (ends_at, "ends_at")):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            raise DomainError(_("Enter a valid date and time."), field=field)
    if ends_at <= starts_at:
        raise DomainError(_("The event must end after it starts."), field="ends_at")
    horizon = timezone.now() + MAX_SCHEDULE_AHEAD
    if starts_at > horizon or ends_at > horizon:
        raise DomainError(
            _("Events can be planned at most five years ahead."),
            field="starts_at" if starts_at > horizon else "ends_at",
        )
    if ends_at - starts_at > MAX_EVENT_LENGTH:
        raise DomainError(_("An event can last at most 31 days."), field="ends_at")
    if format not in Event.Format.values:
        raise DomainError(_("Choose online or in person."), field="format")
    if visibility not in Event.Visibility.values:
        raise DomainError(_("Choose who can see the event."), field="visibility")
    if format == Event.Format.ONLINE:
        if not online_url:
            raise DomainError(_("An online event needs its link."), field="online_url")
    elif not (venue_name or address):
        raise DomainError(_("An event in person needs a venue or an address."), field="venue_name")
    if online_url:
        try:
            _http_url(online_url)
        except ValidationError:
            raise DomainError(
                _("Enter a web address starting with http:// or https://."), field="online_url"
            ) from None
    if len(venue_name) > 200:
        raise DomainError(_("The venue can be at most 200 characters."), field="venue_name")
    if len(address) > 500:
        raise DomainError(_("The address can be at most 500 characters."), field="address")
    if capacity in ("", None):
        capacity = None
    else:
        if isinstance(capacity, bool | float):
            raise DomainError(_("Capacity is a whole number of people."), field="capacity")
        try:
            capacity = int(capacity)
        except (TypeError, ValueError):
            raise DomainError(
                _("Capacity is a whole number of people."), field="capacity"
            ) from None
        if not 1 <= capacity <= 1_000_000:
            raise DomainError(
                _("Capacity must be at least 1, or empty for no limit."), field="capacity"
            )
    if rsvp_deadline is not None:
        if not isinstance(rsvp_deadline, datetime) or timezone.is_naive(rsvp_deadline):
            raise DomainError(_("Enter a valid date and time."), field="rsvp_deadline")
        if rsvp_deadline > starts_at:
            raise DomainError(
                _("The RSVP deadline must be before the event starts."), field="rsvp_deadline"
            )
    return {
        "title": title,
        "description": description,
        "description_html": render_markdown(description),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "time_zone": time_zone,
        "format": format,
        "online_url": online_url,
        "venue_name": venue_name,
        "address": address,
        "capacity": capacity,
        "rsvp_deadline": rsvp_deadline,
        "visibility": visibility,
    }


def _promote_waitlisted(*, event: Event, seats: int | None, actor=None) -> list[EventRSVP]:
    """Give free seats to the waitlist in queue order (the event row is locked);
    `seats=None` means everyone waiting."""
    if event.is_cancelled or seats == 0:
        return []
    # Someone who left, was removed or banned (or a stranger, after the event became
    # members-only) keeps their place in the queue but is passed over: a seat and its
    # notification go only to people who may see the event.
    eligible = _recipients_who_may_see(event, Member.objects.all()).values("pk")
    waiting = (
        EventRSVP.objects.select_for_update(of=("self",))
        .filter(event=event, status=EventRSVP.Status.WAITLISTED, member__in=eligible)
        .select_related("member")
        .order_by("queued_at", "pk")
    )
    promoted = list(waiting if seats is None else waiting[:seats])
    if not promoted:
        return []
    EventRSVP.objects.filter(pk__in=[rsvp.pk for rsvp in promoted]).update(
        status=EventRSVP.Status.GOING, updated_at=timezone.now()
    )
    Event.objects.filter(pk=event.pk).update(
        going_count=F("going_count") + len(promoted),
        waitlist_count=F("waitlist_count") - len(promoted),
    )
    for rsvp in promoted:
        rsvp.status = EventRSVP.Status.GOING
        realtime.member_access_changed(rsvp.member_id)  # the event's room opens to them
    notify(
        recipients=[rsvp.member for rsvp in promoted],
        kind="event_promoted",
        url=event.get_absolute_url(),
        actor=actor,
        params={"event": event.title, "club": event.club.name},
    )
    return promoted


# --- events ---------------------------------------------------------------------------


def event_create(
    *,
    club: Club,
    actor,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    format: str,
    online_url: str = "",
    venue_name: str = "",
    address: str = "",
    capacity: int | None = None,
    rsvp_deadline: datetime | None = None,
    visibility: str,
) -> Event:
    """Schedule an event; the club's active members are told about it."""
    access_club_manage(user=actor, club=club)
    if club.is_closed:
        raise AccessDenied(_("This club is closed: nothing new can be added."), code="closed")
    fields = _clean_event_fields(
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        format=format,
        online_url=online_url,
        venue_name=venue_name,
        address=address,
        capacity=capacity,
        rsvp_deadline=rsvp_deadline,
        visibility=visibility,
    )
    if fields["starts_at"] <= timezone.now():
        raise DomainError(_("A new event must start in the future."), field="starts_at")
    rate_limit_hit(action="event_write", key=actor.pk)
    with transaction.atomic():
        event = Event.objects.create(club=club, created_by=actor, **fields)
        members = Member.objects.filter(
            is_active=True,
            club_memberships__club=club,
            club_memberships__status=ClubMembership.Status.ACTIVE,
        )
        notify(
            recipients=members.iterator(),
            kind="event_created",
            url=event.get_absolute_url(),
            actor=actor,
            params={"club": club.name, "event": event.title},
        )
    return event


def event_update(
    *,
    event: Event,
    actor,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    format: str,
    online_url: str = "",
    venue_name: str = "",
    address: str = "",
    capacity: int | None = None,
    rsvp_deadline: datetime | None = None,
    visibility: str,
) -> Event:
    """Change an event. Capacity cannot drop below the people already going; raising
    it gives the new seats to the waitlist."""
    access_club_manage(user=actor, club=event.club)
    fields = _clean_event_fields(
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        format=format,
        online_url=online_url,
        venue_name=venue_name,
        address=address,
        capacity=capacity,
        rsvp_deadline=rsvp_deadline,
        visibility=visibility,
    )
    rate_limit_hit(action="event_write", key=actor.pk)
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.is_cancelled:
            raise Conflict(_("A cancelled event cannot be changed."), code="cancelled")
        new_capacity = fields["capacity"]
        if new_capacity is not None and new_capacity < locked.going_count:
            raise DomainError(
                _(
                    "%(going)d people are already going: the capacity cannot be lower than "
                    "that. Ask some of them to cancel first."
                )
                % {"going": locked.going_count},
                field="capacity",
                code="capacity_below_going",
            )
        if fields["starts_at"] != locked.starts_at:
            fields["reminder_sent_at"] = None  # moved: remind again before the new start
        visibility_changed = fields["visibility"] != locked.visibility
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        if visibility_changed:  # who may read the event's chat room changed
            going = locked.rsvps.filter(status=EventRSVP.Status.GOING)
            for member_id in going.values_list("member_id", flat=True):
                realtime.member_access_changed(member_id)
        seats = None if new_capacity is None else new_capacity - locked.going_count
        _promote_waitlisted(event=locked, seats=seats, actor=actor)
    for name, value in fields.items():
        setattr(event, name, value)
    _refresh_counters(event)
    return event


def event_cancel(*, event: Event, actor, reason: str) -> Event:
    """Cancel an event: everyone going or waiting is told; the reason is audited."""
    access_club_manage(user=actor, club=event.club)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tell attendees why the event is cancelled."), field="reason")
    if len(reason) > 1000:
        raise DomainError(_("The reason can be at most 1,000 characters."), field="reason")
    rate_limit_hit(action="event_write", key=actor.pk)
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.is_cancelled:
            raise Conflict(_("This event is already cancelled."), code="cancelled")
        locked.status = Event.Status.CANCELLED
        # save(), not update(): the search index drops cancelled events on post_save.
        locked.save(update_fields=["status", "updated_at"])
        club_audit_record(
            club=locked.club,
            actor=actor,
            action=ClubAuditEntry.Action.CANCEL_EVENT,
            target_repr=locked.title,
            reason=reason,
        )
        people = Member.objects.filter(
            event_rsvps__event=locked,
            event_rsvps__status__in=[EventRSVP.Status.GOING, EventRSVP.Status.WAITLISTED],
        )
        notify(
            recipients=_recipients_who_may_see(locked, people).iterator(),
            kind="event_cancelled",
            url=locked.get_absolute_url(),
            actor=actor,
            params={"event": locked.title, "club": locked.club.name, "reason": reason},
        )
    _refresh_counters(event)
    return event


# --- RSVPs ----------------------------------------------------------------------------


def event_rsvp_refusal(*, event: Event, now: datetime | None = None) -> DomainError | None:
    """Why nobody can RSVP to this event now (None when they can): shown on the page
    instead of a button, and checked again under the lock."""
    now = now or timezone.now()
    if event.is_cancelled:
        return Conflict(_("This event was cancelled."), code="cancelled")
    if now >= event.starts_at:
        return Conflict(_("This event has already started."), code="started")
    if event.rsvp_deadline is not None and now > event.rsvp_deadline:
        return Conflict(_("The RSVP deadline has passed."), code="deadline_passed")
    if event.club.is_closed:
        return AccessDenied(_("This club is closed: nothing new can be added."), code="closed")
    return None


def event_rsvp(*, event: Event, member) -> EventRSVP:
    """Take a seat, or a place on the waitlist when the event is full. Saying yes
    again while going or waiting changes nothing; after cancelling, it queues anew."""
    access_event_rsvp(user=member, event=event)
    refusal = event_rsvp_refusal(event=event)
    if refusal is not None:
        raise refusal
    rate_limit_hit(action="event_rsvp", key=member.pk)
    with transaction.atomic():
        locked = _lock_event(event)
        refusal = event_rsvp_refusal(event=locked)
        if refusal is not None:
            raise refusal
        rsvp = EventRSVP.objects.select_for_update().filter(event=locked, member=member).first()
        if rsvp is not None and rsvp.status != EventRSVP.Status.CANCELLED:
            return rsvp
        going = EventRSVP.objects.filter(event=locked, status=EventRSVP.Status.GOING).count()
        waiting = EventRSVP.objects.filter(
            event=locked, status=EventRSVP.Status.WAITLISTED
        ).exists()
        has_seat = not waiting and (locked.capacity is None or going < locked.capacity)
        status = EventRSVP.Status.GOING if has_seat else EventRSVP.Status.WAITLISTED
        now = timezone.now()
        if rsvp is None:
            rsvp = EventRSVP.objects.create(
                event=locked,
                member=member,
                status=status,
                checkin_code=_new_checkin_code(event_id=locked.pk),
                queued_at=now,
            )
        else:
            rsvp.status = status
            rsvp.queued_at = now  # back of the queue: cancelling gave up the old place
            rsvp.save(update_fields=["status", "queued_at", "updated_at"])
        if status == EventRSVP.Status.GOING:
            Event.objects.filter(pk=locked.pk).update(going_count=F("going_count") + 1)
            realtime.member_access_changed(member.pk)  # the event's room opens to them
        else:
            Event.objects.filter(pk=locked.pk).update(waitlist_count=F("waitlist_count") + 1)
    _refresh_counters(event)
    return rsvp


def event_rsvp_cancel(*, event: Event, member) -> EventRSVP:
    """Give up a seat or a place in the queue; a freed seat goes to the first person
    waiting, in the same transaction."""
    access_account(user=member)
    rate_limit_hit(action="event_rsvp", key=member.pk)
    with transaction.atomic():
        locked = _lock_event(event)
        rsvp = (
            EventRSVP.objects.select_for_update()
            .filter(
                event=locked,
                member=member,
                status__in=[EventRSVP.Status.GOING, EventRSVP.Status.WAITLISTED],
            )
            .first()
        )
        if rsvp is None:
            raise NotFound(_("You have no place at this event."), code="no_rsvp")
        if rsvp.checked_in_at is not None:
            raise Conflict(_("You were already checked in at this event."), code="checked_in")
        if not locked.is_cancelled and timezone.now() >= locked.starts_at:
            raise Conflict(_("This event has already started."), code="started")
        was_going = rsvp.status == EventRSVP.Status.GOING
        rsvp.status = EventRSVP.Status.CANCELLED
        rsvp.save(update_fields=["status", "updated_at"])
        if was_going:
            Event.objects.filter(pk=locked.pk).update(going_count=F("going_count") - 1)
            realtime.member_access_changed(member.pk)  # the event's room closes to them
            locked.going_count -= 1
            _promote_waitlisted(event=locked, seats=1)
        else:
            Event.objects.filter(pk=locked.pk).update(waitlist_count=F("waitlist_count") - 1)
    _refresh_counters(event)
    return rsvp


def event_rsvps_withdraw(*, club: Club, member, public_events_too: bool) -> int:
    """Give up `member`'s places at the club's upcoming events when they leave or are
    removed (members-only events) or banned (every event), freeing seats for the
    waitlist. Called by the club services inside their transaction; no notification
    to the person leaving. Returns how many RSVPs were cancelled."""
    rsvps = EventRSVP.objects.filter(
        member=member,
        event__club=club,
        event__status=Event.Status.SCHEDULED,
        event__starts_at__gt=timezone.now(),
        status__in=[EventRSVP.Status.GOING, EventRSVP.Status.WAITLISTED],
        checked_in_at__isnull=True,
    )
    if not public_events_too:
        rsvps = rsvps.filter(event__visibility=Event.Visibility.CLUB)
    cancelled = 0
    for event_id in rsvps.values_list("event_id", flat=True).distinct().order_by("event_id"):
        locked = _lock_event(Event(pk=event_id))
        rsvp = rsvps.select_for_update(of=("self",)).filter(event=locked).first()
        if rsvp is None:
            continue
        was_going = rsvp.status == EventRSVP.Status.GOING
        rsvp.status = EventRSVP.Status.CANCELLED
        rsvp.save(update_fields=["status", "updated_at"])
        cancelled += 1
        if was_going:
            Event.objects.filter(pk=locked.pk).update(going_count=F("going_count") - 1)
            realtime.member_access_changed(member.pk)
            locked.going_count -= 1
            _promote_waitlisted(event=locked, seats=1)
        else:
            Event.objects.filter(pk=locked.pk).update(waitlist_count=F("waitlist_count") - 1)
    return cancelled


def event_check_in(*, event: Event, actor, code: str) -> EventRSVP:
    """Check an attendee in at the door by their personal code; the attendee earns
    reputation in the club, once per event (a second check-in is refused below, and
    an RSVP is never un-checked). `actor` is recorded as who caused it, so staff who
    check themselves in earn nothing: they can schedule events at will."""
    access_club_manage(user=actor, club=event.club)
    normalised = normalise_checkin_code(code)
    if not normalised:
        raise DomainError(_("Enter the attendee's check-in code."), field="code")
    if len(normalised) > 20:
        raise DomainError(_("This is not a check-in code."), field="code", code="unknown_code")
    if event.is_cancelled:
        raise Conflict(_("This event was cancelled."), code="cancelled")
    rate_limit_hit(action="event_checkin", key=actor.pk)
    with transaction.atomic():
        if _lock_event(event).is_cancelled:  # cancelled while the door page was open
            raise Conflict(_("This event was cancelled."), code="cancelled")
        rsvp = (
            EventRSVP.objects.select_for_update(of=("self",))
            .select_related("member", "checked_in_by")
            .filter(event=event, checkin_code=normalised)
            .first()
        )
        if rsvp is None:
            if EventRSVP.objects.filter(checkin_code=normalised).exclude(event=event).exists():
                raise DomainError(
                    _("This code is not for this event."), field="code", code="wrong_event"
                )
            raise DomainError(
                _("Unknown code: check the letters and try again."),
                field="code",
                code="unknown_code",
            )
        if rsvp.checked_in_at is not None:
            when = formats.date_format(timezone.localtime(rsvp.checked_in_at), "DATETIME_FORMAT")
            by = rsvp.checked_in_by.public_name if rsvp.checked_in_by else ""
            message = (
                _("%(name)s was already checked in at %(when)s by %(by)s.")
                if by
                else _("%(name)s was already checked in at %(when)s.")
            )
            raise Conflict(
                message % {"name": rsvp.member.public_name, "when": when, "by": by},
                field="code",
                code="already_checked_in",
            )
        if rsvp.status == EventRSVP.Status.WAITLISTED:
            raise DomainError(
                _("%(name)s is on the waitlist and has no place.")
                % {"name": rsvp.member.public_name},
                field="code",
                code="waitlisted",
            )
        if rsvp.status == EventRSVP.Status.CANCELLED:
            raise DomainError(
                _("%(name)s cancelled their RSVP.") % {"name": rsvp.member.public_name},
                field="code",
                code="rsvp_cancelled",
            )
        rsvp.checked_in_at = timezone.now()
        rsvp.checked_in_by = actor
        rsvp.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
        club_audit_record(
            club=event.club,
            actor=actor,
            action=ClubAuditEntry.Action.CHECK_IN,
            member=rsvp.member,
            target_repr=event.title,
        )
        reputation_record(
            member=rsvp.member,
            reason=Reason.EVENT_ATTENDED,
            source=event,
            actor=actor,
            club=event.club,
        )
    return rsvp


# --- album and reviews ----------------------------------------------------------------


def event_photo_add(
    *, event: Event, uploader, photos: Sequence, caption: str = ""
) -> list[EventPhoto]:
    """Attendees (checked in) add photos to the album."""
    access_event_attendee(user=uploader, event=event)
    if event.club.is_closed:
        raise AccessDenied(_("This club is closed: nothing new can be added."), code="closed")
    photos = list(photos or ())
    if not photos:
        raise DomainError(_("Choose at least one photo."), field="photos")
    if len(photos) > MAX_PHOTOS_PER_UPLOAD:
        raise DomainError(
            _("Add at most %(count)d photos at a time.") % {"count": MAX_PHOTOS_PER_UPLOAD},
            field="photos",
        )
    caption = (caption or "").strip()
    if len(caption) > 300:
        raise DomainError(_("The caption can be at most 300 characters."), field="caption")
    rate_limit_hit(action="event_photo", key=uploader.pk)
    # Slow, and a bad file must fail the upload before anything is written.
    prepared = photos_prepare(photos)
    created = []
    with transaction.atomic():
        for photo in prepared:
            row = EventPhoto(
                event=event,
                uploader=uploader,
                caption=caption,
                width=photo.width,
                height=photo.height,
            )
            renditions_write(row, photo)
            row.save()
            created.append(row)
        Event.objects.filter(pk=event.pk).update(photo_count=F("photo_count") + len(created))
    _refresh_counters(event)
    return created


def event_photo_delete(*, photo: EventPhoto, actor) -> None:
    """The uploader, club moderators, brand staff and site moderators remove a photo;
    its files go once the deletion is committed."""
    access_account(user=actor)
    event = photo.event
    if photo.uploader_id != actor.pk:
        access_club_moderate(user=actor, club=event.club)
    rate_limit_hit(action="event_photo", key=actor.pk)
    with transaction.atomic():
        locked = EventPhoto.objects.select_for_update().filter(pk=photo.pk).first()
        if locked is None:
            raise NotFound(_("This photo is no longer there."))
        was_published = locked.status == EventPhoto.Status.PUBLISHED
        locked.delete()
        if photo.uploader_id != actor.pk:
            club_audit_record(
                club=event.club,
                actor=actor,
                action=ClubAuditEntry.Action.DELETE_EVENT_PHOTO,
                member=locked.uploader,
                target_repr=locked.caption or event.title,
            )
        if was_published:
            Event.objects.filter(pk=event.pk).update(photo_count=F("photo_count") - 1)
        renditions_delete_on_commit([locked])


def _clean_rating(rating) -> int:
    if isinstance(rating, bool | float):
        raise DomainError(_("Choose a rating from 1 to 5 stars."), field="rating")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise DomainError(_("Choose a rating from 1 to 5 stars."), field="rating") from None
    if not 1 <= rating <= 5:
        raise DomainError(_("Choose a rating from 1 to 5 stars."), field="rating")
    return rating


def event_review_create(*, event: Event, author, rating, body: str) -> EventReview:
    """An attendee's review, once the event has started: one each. A link in it needs
    trust level 1, as in posts and comments (a form error on "body"; the brand's staff
    and the club's moderators are exempt)."""
    standing = club_standing(user=author, club=event.club)
    access_event_attendee(user=author, event=event, standing=standing)
    if event.is_cancelled:
        raise Conflict(_("This event was cancelled."), code="cancelled")
    if not event.has_started:
        raise DomainError(_("You can review the event once it has started."), code="not_started")
    rating = _clean_rating(rating)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a few words about the event."), field="body")
    if len(body) > 5000:
        raise DomainError(_("The review can be at most 5,000 characters."), field="body")
    body_html = render_markdown(body)
    access_links(user=author, standing=standing, body_html=body_html, field="body")
    duplicate = Conflict(_("You have already reviewed this event."), code="duplicate_review")
    if EventReview.objects.filter(event=event, author=author).exists():
        raise duplicate
    rate_limit_hit(action="event_review", key=author.pk)
    try:
        with transaction.atomic():
            review = EventReview.objects.create(
                event=event,
                author=author,
                rating=rating,
                body=body,
                body_html=body_html,
            )
            Event.objects.filter(pk=event.pk).update(
                review_count=F("review_count") + 1, rating_total=F("rating_total") + rating
            )
    except IntegrityError:
        raise duplicate from None
    _refresh_counters(event)
    return review


# --- reminders ------------------------------------------------------------------------


def event_reminders_send(
    *, now: datetime | None = None, lead: timedelta = timedelta(hours=24)
) -> int:
    """Remind the people going to events that start within `lead`; each event is
    reminded once (reminder_sent_at), so running this every 15 minutes is safe, even
    twice at a time. Returns how many reminders were stored."""
    now = now or timezone.now()
    due = Event.objects.filter(
        status=Event.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + lead,
    )
    lock_kwargs = (
        {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}
    )
    sent = 0
    for event_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            event = (
                due.select_for_update(**lock_kwargs, of=("self",))
                .select_related("club", "club__brand")
                .filter(pk=event_id)
                .first()
            )
            if event is None:  # reminded meanwhile, or another worker holds it
                continue
            going = Member.objects.filter(
                event_rsvps__event=event, event_rsvps__status=EventRSVP.Status.GOING
            )
            sent += notify(
                recipients=_recipients_who_may_see(event, going).iterator(),
                kind="event_reminder",
                url=event.get_absolute_url(),
                params={"event": event.title, "when": _when(event), "club": event.club.name},
            )
            Event.objects.filter(pk=event.pk).update(reminder_sent_at=now)
    return sent


# --- calendar feeds -------------------------------------------------------------------


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_ensure(*, member) -> EventCalendarFeed:
    """The member's secret calendar address, created on first use."""
    access_account(user=member)
    with transaction.atomic():
        feed, _created = EventCalendarFeed.objects.get_or_create(
            member=member, defaults={"token": _new_feed_token()}
        )
    return feed


def calendar_feed_reset(*, member) -> EventCalendarFeed:
    """A new secret address; the old one stops working at once."""
    access_account(user=member)
    rate_limit_hit(action="event_write", key=member.pk)
    with transaction.atomic():
        feed, created = EventCalendarFeed.objects.select_for_update().get_or_create(
            member=member, defaults={"token": _new_feed_token()}
        )
        if not created:
            feed.token = _new_feed_token()
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
    return feed
