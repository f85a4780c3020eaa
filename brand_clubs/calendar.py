"""Calendar export (.ics, RFC 5545) of events: one event, or a member's feed.

Times carry the event's own TZID (with its VTIMEZONE), so calendars show the right
hour even across daylight-saving changes. The online link is only written for people
with a confirmed place; descriptions are the plain-text source, never HTML.
"""

import zoneinfo
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from brand_clubs.models import Event

PRODID = "-//Goodword//Club events//EN"


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def event_uid(event: Event) -> str:
    """Stable across edits and exports, so calendars update instead of duplicating."""
    host = urlsplit(_site_url()).hostname or "goodword"
    return f"event-{event.pk}@{host}"


def _zone(event: Event):
    try:
        return zoneinfo.ZoneInfo(event.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _vevent(event: Event, *, show_online_link: bool) -> CalendarEvent:
    zone = _zone(event)
    page_url = _site_url() + event.get_absolute_url()
    item = CalendarEvent()
    item.add("uid", event_uid(event))
    item.add("dtstamp", event.updated_at or event.created_at)
    item.add("last-modified", event.updated_at or event.created_at)
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("summary", event.title)
    description = event.description.strip()
    item.add("description", f"{description}\n\n{page_url}" if description else page_url)
    item.add("url", page_url)
    if event.format == Event.Format.ONLINE:
        if show_online_link and event.online_url:
            item.add("location", event.online_url)
    else:
        item.add("location", ", ".join(p for p in (event.venue_name, event.address) if p))
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return item


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def event_ics(*, event: Event, show_online_link: bool = False) -> bytes:
    """One event; the caller has checked the viewer may see it."""
    calendar = _calendar(event.title)
    calendar.add_component(_vevent(event, show_online_link=show_online_link))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def events_ics(*, events: Iterable[Event], name: str, show_online_links: bool = True) -> bytes:
    """A member's feed of the events they are going to (so online links included)."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_vevent(event, show_online_link=show_online_links))
    calendar.add_missing_timezones()
    return calendar.to_ical()
