"""Reads of club events: visibility, the viewer's RSVP as annotations, the door list,
"my events" and fixed query counts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from brand_clubs.models import Club, ClubMembership, Event, EventRSVP
from brand_clubs.selectors import events as selectors
from brand_clubs.services import events as services
from community.errors import NotFound
from tests.brand_clubs.test_events_services import join, make_event, staff_of
from tests.factories import ClubFactory, EventFactory, EventRSVPFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(db):
    return ClubFactory()


@pytest.fixture
def staff(club):
    return staff_of(club)


def _past(event):
    start = timezone.now() - timedelta(days=2)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    return event


def test_upcoming_hides_club_events_from_outsiders(club, staff):
    club_event = make_event(club, staff, title="Members")
    public_event = make_event(club, staff, title="Everyone", visibility=Event.Visibility.PUBLIC)
    member = join(club)
    assert selectors.event_list_upcoming_for_club(club=club, viewer=member) == [
        club_event,
        public_event,
    ]
    for outsider in (AnonymousUser(), MemberFactory()):
        assert selectors.event_list_upcoming_for_club(club=club, viewer=outsider) == [public_event]


def test_upcoming_skips_cancelled_and_ended_and_respects_limit(club, staff):
    first = make_event(club, staff, starts_at=timezone.now() + timedelta(days=1),
                       ends_at=timezone.now() + timedelta(days=1, hours=1))  # fmt: skip
    second = make_event(club, staff)
    cancelled = make_event(club, staff)
    services.event_cancel(event=cancelled, actor=staff, reason="Rain")
    _past(make_event(club, staff))
    member = join(club)
    assert selectors.event_list_upcoming_for_club(club=club, viewer=member) == [first, second]
    assert selectors.event_list_upcoming_for_club(club=club, viewer=member, limit=1) == [first]


def test_list_for_club_annotates_the_viewers_rsvp(club, staff):
    going_event, waiting_event, other = (make_event(club, staff, capacity=1) for _ in range(3))
    member = join(club)
    services.event_rsvp(event=waiting_event, member=join(club))
    going = services.event_rsvp(event=going_event, member=member)
    services.event_rsvp(event=waiting_event, member=member)
    rows = {e.pk: e for e in selectors.event_list_for_club(club=club, viewer=member)}
    assert rows[going_event.pk].viewer_rsvp_status == "going"
    assert rows[going_event.pk].viewer_rsvp_code == going.checkin_code
    assert rows[waiting_event.pk].viewer_rsvp_status == "waitlisted"
    assert rows[other.pk].viewer_rsvp_status is None
    anonymous_rows = list(selectors.event_list_for_club(club=club, viewer=AnonymousUser()))
    assert anonymous_rows == []  # club events only


def test_past_tab_shows_past_events_latest_first(club, staff):
    older = _past(make_event(club, staff))
    Event.objects.filter(pk=older.pk).update(
        starts_at=timezone.now() - timedelta(days=9), ends_at=timezone.now() - timedelta(days=8)
    )
    newer = _past(make_event(club, staff))
    upcoming = make_event(club, staff)
    member = join(club)
    assert list(selectors.event_list_for_club(club=club, viewer=member, past=True)) == [
        newer,
        older,
    ]
    assert list(selectors.event_list_for_club(club=club, viewer=member)) == [upcoming]


def test_event_get_is_scoped_to_the_club(club, staff):
    event = make_event(club, staff)
    assert selectors.event_get(club=club, pk=str(event.pk)) == event
    for bad in ("abc", None, event.pk + 1000):
        with pytest.raises(NotFound):
            selectors.event_get(club=club, pk=bad)
    with pytest.raises(NotFound):
        selectors.event_get(club=ClubFactory(), pk=event.pk)


@pytest.mark.parametrize("count", [10, 50])
def test_club_event_list_runs_a_fixed_number_of_queries(
    club, staff, count, django_assert_max_num_queries
):
    member = join(club)
    for n in range(count):
        event = EventFactory(club=club, visibility=Event.Visibility.PUBLIC if n % 2 else "club")
        if n % 3 == 0:
            EventRSVPFactory(event=event, member=member)
    # standing (membership, brand staff, permissions) + the list itself
    with django_assert_max_num_queries(5):
        events = list(selectors.event_list_for_club(club=club, viewer=member))
        for event in events:
            str(event.club.brand.name)
            assert event.get_absolute_url()
    assert len(events) == count


def test_attendee_list_going_first_and_searchable(club, staff):
    event = make_event(club, staff, capacity=2)
    zed = join(club, member=MemberFactory(display_name="Zed"))
    amy = join(club, member=MemberFactory(display_name="Amy"))
    bob = join(club, member=MemberFactory(display_name="Bob"))
    for person in (zed, bob, amy):
        services.event_rsvp(event=event, member=person)
    # Codes are random: one starting with "AM" would also answer the query "am" below
    # (1 run in ~500). Give the others codes that cannot.
    EventRSVP.objects.filter(event=event, member=zed).update(checkin_code="ZZZ23456")
    EventRSVP.objects.filter(event=event, member=bob).update(checkin_code="YYY23456")
    names = [r.member.display_name for r in selectors.event_attendee_list(event=event)]
    assert names == ["Bob", "Zed", "Amy"]  # going by name, then the waitlist
    assert [r.member for r in selectors.event_attendee_list(event=event, query="am")] == [amy]
    code = EventRSVP.objects.get(event=event, member=zed).checkin_code
    by_code = selectors.event_attendee_list(event=event, query=code[:5].lower())
    assert [r.member for r in by_code] == [zed]
    assert list(selectors.event_attendee_list(event=event, query="%_'\"")) == []


def test_waitlist_position(club, staff):
    event = make_event(club, staff, capacity=1)
    services.event_rsvp(event=event, member=join(club))
    first = services.event_rsvp(event=event, member=join(club))
    second = services.event_rsvp(event=event, member=join(club))
    assert selectors.event_waitlist_position(rsvp=first) == 1
    assert selectors.event_waitlist_position(rsvp=second) == 2


def test_my_events_upcoming_and_past(club, staff):
    member = join(club)
    soon = make_event(club, staff)
    past = make_event(club, staff)
    dropped = make_event(club, staff)
    for event in (soon, past, dropped):
        services.event_rsvp(event=event, member=member)
    services.event_rsvp_cancel(event=dropped, member=member)
    _past(past)
    assert [r.event for r in selectors.event_list_for_member(member=member)] == [soon]
    assert [r.event for r in selectors.event_list_for_member(member=member, past=True)] == [past]
    assert list(selectors.event_list_for_member(member=AnonymousUser())) == []


def test_calendar_feed_events_only_going_and_still_visible(club, staff):
    member = join(club)
    club_event = make_event(club, staff, capacity=1)
    public_event = make_event(club, staff, visibility=Event.Visibility.PUBLIC)
    waiting_event = make_event(club, staff, capacity=1)
    services.event_rsvp(event=waiting_event, member=join(club))
    for event in (club_event, public_event, waiting_event):
        services.event_rsvp(event=event, member=member)
    assert selectors.event_list_for_calendar_feed(member=member) == [club_event, public_event]
    ClubMembership.objects.filter(club=club, member=member).delete()  # left the club
    assert selectors.event_list_for_calendar_feed(member=member) == [public_event]


def test_calendar_feed_get_by_token():
    member = MemberFactory()
    feed = services.calendar_feed_ensure(member=member)
    assert selectors.calendar_feed_get(token=feed.token) == feed
    assert selectors.calendar_feed_get(token="nope") is None
    assert selectors.calendar_feed_get(token="") is None
    member.is_active = False
    member.save()
    assert selectors.calendar_feed_get(token=feed.token) is None


def test_private_club_upcoming_for_member_only(staff, club):
    Club.objects.filter(pk=club.pk).update(visibility=Club.Visibility.INVITE)
    club.refresh_from_db()
    event = make_event(club, staff)
    assert selectors.event_list_upcoming_for_club(club=club, viewer=MemberFactory()) == []
    assert selectors.event_list_upcoming_for_club(club=club, viewer=staff) == [event]
    assert selectors.event_list_upcoming_for_club(
        club=club, viewer=join(club, role=ClubMembership.Role.MODERATOR)
    ) == [event]
