"""Seats follow membership: people who leave, are removed or banned give up their places
(and the waitlist moves up), and nobody who may no longer see an event is given a seat
or told about it."""

import pytest

from brand_clubs.models import Club, ClubMembership, Event, EventRSVP
from brand_clubs.services import clubs as club_services
from brand_clubs.services import events as services
from community.members.models import Notification
from tests.factories import BrandStaffFactory, ClubFactory, EventFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def club():
    return ClubFactory(visibility=Club.Visibility.PUBLIC)


@pytest.fixture
def staff(club):
    return BrandStaffFactory(brand=club.brand).member


def joined(club):
    member = MemberFactory()
    club_services.club_join(club=club, member=member)
    return member


def full_event(club, *, visibility=Event.Visibility.CLUB, capacity=1):
    return EventFactory(club=club, visibility=visibility, capacity=capacity)


def statuses(event):
    event.refresh_from_db()
    rows = dict(EventRSVP.objects.filter(event=event).values_list("member_id", "status"))
    return rows, (event.going_count, event.waitlist_count)


def test_leaving_gives_up_members_only_seats_and_the_waitlist_moves_up(club):
    event = full_event(club)
    first, second = joined(club), joined(club)
    services.event_rsvp(event=event, member=first)
    services.event_rsvp(event=event, member=second)
    club_services.club_leave(club=club, member=first)
    rows, counts = statuses(event)
    assert rows == {first.pk: "cancelled", second.pk: "going"}
    assert counts == (1, 0)
    assert Notification.objects.filter(recipient=second, kind="event_promoted").exists()


def test_leaving_keeps_seats_at_public_events(club):
    event = full_event(club, visibility=Event.Visibility.PUBLIC)
    member = joined(club)
    services.event_rsvp(event=event, member=member)
    club_services.club_leave(club=club, member=member)
    assert statuses(event) == ({member.pk: "going"}, (1, 0))


def test_removal_and_ban_give_up_seats_ban_even_at_public_events(club, staff):
    members_only = full_event(club, capacity=None)
    public = full_event(club, visibility=Event.Visibility.PUBLIC, capacity=None)
    removed, banned = joined(club), joined(club)
    for member in (removed, banned):
        services.event_rsvp(event=members_only, member=member)
        services.event_rsvp(event=public, member=member)
    club_services.club_member_remove(club=club, actor=staff, member=removed, reason="Rude")
    club_services.club_member_ban(club=club, actor=staff, member=banned, reason="Spam")
    assert statuses(members_only) == (
        {removed.pk: "cancelled", banned.pk: "cancelled"},
        (0, 0),
    )
    assert statuses(public) == ({removed.pk: "going", banned.pk: "cancelled"}, (1, 0))


def test_someone_banned_while_waiting_is_passed_over_and_not_told(club):
    event = full_event(club)
    going, banned, next_in_line = joined(club), joined(club), joined(club)
    for member in (going, banned, next_in_line):
        services.event_rsvp(event=event, member=member)
    # A ban recorded without the services (e.g. an import) must not give a seat either.
    ClubMembership.objects.filter(club=club, member=banned).update(
        status=ClubMembership.Status.BANNED
    )
    services.event_rsvp_cancel(event=event, member=going)
    rows, _counts = statuses(event)
    assert rows[next_in_line.pk] == "going"
    assert rows[banned.pk] == "waitlisted"
    assert not Notification.objects.filter(recipient=banned, kind="event_promoted").exists()


def test_my_events_hides_members_only_events_of_a_club_left(club):
    from brand_clubs.selectors.events import event_list_for_member

    event = full_event(club, capacity=None)
    member = joined(club)
    services.event_rsvp(event=event, member=member)
    assert [rsvp.event for rsvp in event_list_for_member(member=member)] == [event]
    ClubMembership.objects.filter(club=club, member=member).delete()  # left by other means
    assert list(event_list_for_member(member=member)) == []


def test_check_in_refused_once_the_event_is_cancelled(club, staff):
    event = full_event(club, capacity=None)
    member = joined(club)
    rsvp = services.event_rsvp(event=event, member=member)
    stale_copy = Event.objects.get(pk=event.pk)  # the door page loaded before the cancel
    services.event_cancel(event=event, actor=staff, reason="Storm")
    with pytest.raises(services.Conflict):
        services.event_check_in(event=stale_copy, actor=staff, code=rsvp.checkin_code)
