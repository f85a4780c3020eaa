"""Two requests for the last seat at the same moment: one goes, one waits.

Only meaningful on PostgreSQL, where the event row lock (SELECT ... FOR UPDATE) is
real and the two threads hold separate connections; SQLite serialises writers anyway.
Run with DATABASE_URL=postgres://... ."""

import threading

import pytest
from django.db import connection, connections

from brand_clubs.models import Event, EventRSVP
from brand_clubs.services import events as services
from tests.brand_clubs.test_events_services import join, make_event, staff_of
from tests.factories import ClubFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("capacity", [1, 3])
def test_two_requests_for_the_last_seat(capacity):
    club = ClubFactory()
    staff = staff_of(club)
    event = make_event(club, staff, capacity=capacity)
    for _ in range(capacity - 1):
        services.event_rsvp(event=event, member=join(club))
    rivals = [join(club), join(club)]
    barrier = threading.Barrier(len(rivals))
    results, errors = [], []

    def attempt(member):
        try:
            fresh = Event.objects.select_related("club", "club__brand").get(pk=event.pk)
            barrier.wait(timeout=10)
            results.append(services.event_rsvp(event=fresh, member=member).status)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(member,)) for member in rivals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == ["going", "waitlisted"]
    event.refresh_from_db()
    assert event.going_count == capacity
    assert event.waitlist_count == 1
    going = EventRSVP.objects.filter(event=event, status=EventRSVP.Status.GOING).count()
    assert going == capacity
