"""Reads of club events. Lists select their related rows and annotate the viewer's own
RSVP (status, code) with subqueries, so a page's query count does not grow with its
length. Access is checked by the caller (brand_clubs/services/access.py), except that
lists only ever contain events the viewer may see."""

from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import (
    BrandStaff,
    Club,
    ClubMembership,
    Event,
    EventPhoto,
    EventReview,
    EventRSVP,
)
from brand_clubs.models.events import EventCalendarFeed
from brand_clubs.services.access import ClubStanding, club_standing
from brand_clubs.services.events import normalise_checkin_code
from community.errors import NotFound

CALENDAR_FEED_HISTORY = timedelta(days=180)


def _with_viewer_rsvp(queryset: QuerySet, viewer) -> QuerySet:
    """`viewer_rsvp_status` and `viewer_rsvp_code` on each event (None without one)."""
    if viewer is None or not viewer.is_authenticated:
        return queryset.annotate(
            viewer_rsvp_status=Value(None, output_field=CharField()),
            viewer_rsvp_code=Value(None, output_field=CharField()),
        )
    mine = EventRSVP.objects.filter(event=OuterRef("pk"), member=viewer)
    return queryset.annotate(
        viewer_rsvp_status=Subquery(mine.values("status")[:1]),
        viewer_rsvp_code=Subquery(mine.values("checkin_code")[:1]),
    )


def _visible(queryset: QuerySet, standing: ClubStanding) -> QuerySet:
    if standing.is_insider:
        return queryset
    return queryset.filter(visibility=Event.Visibility.PUBLIC)


def _for_display(queryset: QuerySet, viewer) -> QuerySet:
    return _with_viewer_rsvp(queryset.select_related("club", "club__brand"), viewer)


def _standing(viewer, club, standing):
    if standing is not None and standing.club.pk == club.pk:
        return standing
    return club_standing(user=viewer, club=club)


def event_list_upcoming_for_club(
    *, club: Club, viewer, limit: int | None = None, standing: ClubStanding | None = None
) -> list[Event]:
    """Scheduled events not yet ended that the viewer may see, soonest first."""
    standing = _standing(viewer, club, standing)
    queryset = Event.objects.filter(
        club=club, status=Event.Status.SCHEDULED, ends_at__gt=timezone.now()
    )
    queryset = _for_display(_visible(queryset, standing), viewer).order_by("starts_at", "pk")
    if limit is not None:
        queryset = queryset[: max(int(limit), 0)]
    return list(queryset)


def event_list_for_club(
    *, club: Club, viewer, past: bool = False, standing: ClubStanding | None = None
) -> QuerySet:
    """Upcoming (soonest first) or past (latest first) events the viewer may see,
    cancelled ones included so that people see what happened to them."""
    standing = _standing(viewer, club, standing)
    now = timezone.now()
    if past:
        queryset = Event.objects.filter(club=club, ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        queryset = Event.objects.filter(club=club, ends_at__gt=now).order_by("starts_at", "pk")
    return _for_display(_visible(queryset, standing), viewer)


def event_get(*, club: Club, pk) -> Event:
    """One event of `club` (unknown, malformed or another club's id: NotFound)."""
    try:
        return Event.objects.select_related("club", "club__brand").get(club=club, pk=int(pk))
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such event.")) from None


def event_rsvp_of(*, event: Event, member) -> EventRSVP | None:
    if member is None or not member.is_authenticated:
        return None
    return EventRSVP.objects.filter(event=event, member=member).first()


def event_waitlist_position(*, rsvp: EventRSVP) -> int | None:
    """1 for the first person waiting; None when not on the waitlist."""
    if rsvp.status != EventRSVP.Status.WAITLISTED:
        return None
    ahead = EventRSVP.objects.filter(
        event_id=rsvp.event_id, status=EventRSVP.Status.WAITLISTED
    ).filter(Q(queued_at__lt=rsvp.queued_at) | Q(queued_at=rsvp.queued_at, pk__lt=rsvp.pk))
    return ahead.count() + 1


def event_attendee_list(*, event: Event, query: str = "") -> QuerySet:
    """The door list: people going first (not yet checked in before checked in), then
    the waitlist; searchable by name or check-in code."""
    queryset = EventRSVP.objects.filter(
        event=event, status__in=[EventRSVP.Status.GOING, EventRSVP.Status.WAITLISTED]
    ).select_related("member", "checked_in_by")
    query = (query or "").strip()[:100]
    if query:
        code = normalise_checkin_code(query)
        matches = Q(member__display_name__icontains=query)
        if code:
            matches |= Q(checkin_code__startswith=code)
        queryset = queryset.filter(matches)
    going_first = Case(
        When(status=EventRSVP.Status.GOING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return queryset.annotate(
        going_first=going_first, name_key=Lower("member__display_name")
    ).order_by("going_first", "name_key", "pk")


def _visible_to_member(member, *, prefix: str = "") -> Q:
    """Events `member` may still see: public ones, and those of clubs they are in or
    whose brand they staff (someone who left a club no longer sees its members' events)."""
    insider_clubs = ClubMembership.objects.filter(
        member=member, status=ClubMembership.Status.ACTIVE
    ).values("club_id")
    staff_brands = BrandStaff.objects.filter(member=member).values("brand_id")
    return (
        Q(**{f"{prefix}visibility": Event.Visibility.PUBLIC})
        | Q(**{f"{prefix}club_id__in": insider_clubs})
        | Q(**{f"{prefix}club__brand_id__in": staff_brands})
    )


def event_list_for_member(*, member, past: bool = False) -> QuerySet:
    """ "My events": RSVPs going or waitlisted, upcoming soonest first or past latest
    first, with their event and club."""
    if member is None or not member.is_authenticated:
        return EventRSVP.objects.none()
    now = timezone.now()
    queryset = EventRSVP.objects.filter(
        _visible_to_member(member, prefix="event__"),
        member=member,
        status__in=[EventRSVP.Status.GOING, EventRSVP.Status.WAITLISTED],
    ).select_related("event", "event__club", "event__club__brand")
    if past:
        return queryset.filter(event__ends_at__lte=now).order_by("-event__starts_at", "-pk")
    return queryset.filter(event__ends_at__gt=now).order_by("event__starts_at", "pk")


def event_list_for_calendar_feed(*, member) -> list[Event]:
    """Events a member is going to, for their calendar feed (recent past included,
    cancelled ones too so calendars show them cancelled)."""
    since = timezone.now() - CALENDAR_FEED_HISTORY
    going = EventRSVP.objects.filter(
        member=member, status=EventRSVP.Status.GOING, event__ends_at__gte=since
    ).values("event_id")
    return list(
        Event.objects.filter(_visible_to_member(member), pk__in=going)
        .select_related("club", "club__brand")
        .order_by("starts_at", "pk")
    )


def calendar_feed_get(*, token: str) -> EventCalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return (
        EventCalendarFeed.objects.select_related("member")
        .filter(token=token, member__is_active=True)
        .first()
    )


def calendar_feed_of(*, member) -> EventCalendarFeed | None:
    return EventCalendarFeed.objects.filter(member=member).first()


def event_photo_list(*, event: Event) -> QuerySet:
    return EventPhoto.objects.filter(
        event=event, status=EventPhoto.Status.PUBLISHED
    ).select_related("uploader")


def event_photo_get(*, event: Event, pk) -> EventPhoto:
    try:
        return EventPhoto.objects.select_related("event", "event__club").get(
            event=event, pk=int(pk), status=EventPhoto.Status.PUBLISHED
        )
    except (EventPhoto.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such photo.")) from None


def event_review_list(*, event: Event) -> QuerySet:
    return EventReview.objects.filter(
        event=event, status=EventReview.Status.PUBLISHED
    ).select_related("author")


def event_review_of(*, event: Event, author) -> EventReview | None:
    if author is None or not author.is_authenticated:
        return None
    return EventReview.objects.filter(event=event, author=author).first()
