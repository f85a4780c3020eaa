""".ics export: one event and a member's feed, parsed back with icalendar."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from brand_clubs import calendar
from brand_clubs.models import Club, Event
from brand_clubs.services import events as services
from tests.brand_clubs.test_events_services import join, make_event, staff_of
from tests.factories import ClubFactory, MemberFactory

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def club(db):
    return ClubFactory()


@pytest.fixture
def staff(club):
    return staff_of(club)


def _parse(body: bytes):
    parsed = Calendar.from_ical(body)
    return parsed, [c for c in parsed.walk("VEVENT")]


def _fixed_event(club, staff, **overrides):
    starts = datetime(2031, 7, 5, 18, 30, tzinfo=BERLIN)
    return make_event(
        club, staff, starts_at=starts, ends_at=starts + timedelta(hours=2), **overrides
    )


def test_one_event_with_its_time_zone(club, staff, settings):
    settings.SITE_URL = "https://goodword.example"
    event = _fixed_event(club, staff, title="Night ride", description="Bring **lights**")
    parsed, (vevent,) = _parse(calendar.event_ics(event=event))
    assert str(parsed["version"]) == "2.0"
    assert str(vevent["uid"]) == f"event-{event.pk}@goodword.example"
    assert str(vevent["summary"]) == "Night ride"
    start = vevent.decoded("dtstart")
    assert start == event.starts_at
    assert start.utcoffset() == timedelta(hours=2)  # CEST
    assert vevent["dtstart"].params["TZID"] == "Europe/Berlin"
    assert [c["tzid"] for c in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert vevent.decoded("dtend") == event.ends_at
    assert str(vevent["location"]) == "Harbour café, Hafenstraße 1, Hamburg"
    assert str(vevent["status"]) == "CONFIRMED"
    description = str(vevent["description"])
    assert "Bring **lights**" in description and "<" not in description
    assert str(vevent["url"]).startswith("https://goodword.example/clubs/")
    # Stable: exporting again gives the same UID.
    _, (again,) = _parse(calendar.event_ics(event=event))
    assert again["uid"] == vevent["uid"]


def test_cancelled_event_says_so(club, staff):
    event = _fixed_event(club, staff)
    services.event_cancel(event=event, actor=staff, reason="Rain")
    event.refresh_from_db()
    _, (vevent,) = _parse(calendar.event_ics(event=event))
    assert str(vevent["status"]) == "CANCELLED"


def test_online_link_only_for_people_going(club, staff):
    event = _fixed_event(
        club, staff, format=Event.Format.ONLINE, online_url="https://meet.example.com/secret",
        venue_name="", address="",
    )  # fmt: skip
    _, (hidden,) = _parse(calendar.event_ics(event=event))
    assert "location" not in hidden
    assert b"meet.example.com" not in calendar.event_ics(event=event)
    _, (shown,) = _parse(calendar.event_ics(event=event, show_online_link=True))
    assert str(shown["location"]) == "https://meet.example.com/secret"


def test_event_ics_view_hides_the_link_from_members_not_going(club, staff, client):
    event = _fixed_event(
        club, staff, format=Event.Format.ONLINE, online_url="https://meet.example.com/secret",
        venue_name="", address="",
    )  # fmt: skip
    url = reverse("brand_clubs:event_ics", args=[club.slug, event.pk])
    member = join(club)
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"meet.example.com" not in response.content
    services.event_rsvp(event=event, member=member)
    _, (vevent,) = _parse(client.get(url).content)
    assert str(vevent["location"]) == "https://meet.example.com/secret"


def test_event_ics_of_private_club_is_404_for_outsiders(club, staff, client):
    Club.objects.filter(pk=club.pk).update(visibility=Club.Visibility.APPROVAL)
    club.refresh_from_db()
    event = _fixed_event(club, staff)
    url = reverse("brand_clubs:event_ics", args=[club.slug, event.pk])
    assert client.get(url).status_code == 404
    client.force_login(MemberFactory())
    assert client.get(url).status_code == 404
    client.force_login(join(club))
    assert client.get(url).status_code == 200


def test_member_feed_lists_going_events_and_stops_after_reset(club, staff, client):
    member = join(club)
    going = _fixed_event(club, staff, title="Going")
    _fixed_event(club, staff, title="Not going")
    services.event_rsvp(event=going, member=member)
    feed = services.calendar_feed_ensure(member=member)
    url = reverse("brand_clubs:member_calendar", args=[feed.token])
    response = client.get(url)  # calendar apps carry no session
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    _, vevents = _parse(response.content)
    assert [str(v["summary"]) for v in vevents] == ["Going"]
    services.calendar_feed_reset(member=member)
    assert client.get(url).status_code == 404
    assert client.get(reverse("brand_clubs:member_calendar", args=["guess"])).status_code == 404


def test_empty_feed_is_still_a_calendar():
    body = calendar.events_ics(events=[], name="Mine")
    parsed, vevents = _parse(body)
    assert vevents == [] and str(parsed["x-wr-calname"]) == "Mine"


def test_utc_event(club, staff):
    starts = timezone.now().replace(microsecond=0) + timedelta(days=2)
    event = make_event(
        club, staff, time_zone="UTC", starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    _, (vevent,) = _parse(calendar.event_ics(event=event))
    assert vevent.decoded("dtstart") == starts
