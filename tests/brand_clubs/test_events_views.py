"""Pages and actions of club events through the test client."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from brand_clubs.models import Club, Event, EventPhoto, EventRSVP
from brand_clubs.services import events as services
from community.members.models import Notification
from tests.brand_clubs.test_events_services import check_in, join, make_event, staff_of, start_now
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    EventFactory,
    MemberFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(db):
    return ClubFactory()


@pytest.fixture
def staff(club):
    return staff_of(club)


def url(name, event, *extra):
    return reverse(f"brand_clubs:{name}", args=[event.club.slug, event.pk, *extra])


def form_data(**overrides):
    data = {
        "title": "Coast ride",
        "description": "Meet at the pier.",
        "time_zone": "Asia/Shanghai",
        "starts_at": "2031-06-01T18:00",
        "ends_at": "2031-06-01T21:30",
        "format": "offline",
        "venue_name": "Pier 3",
        "address": "",
        "online_url": "",
        "capacity": "",
        "rsvp_deadline": "",
        "visibility": "club",
    }
    data.update(overrides)
    return data


# --- lists ---------------------------------------------------------------------------------


def test_club_events_tabs_and_empty_states(client, club, staff):
    listing = reverse("brand_clubs:club_events", args=[club.slug])
    client.force_login(join(club))
    response = client.get(listing)
    assert response.status_code == 200
    assert "No upcoming events" in response.content.decode()
    event = make_event(club, staff, title="<script>alert(1)</script>")
    body = client.get(listing).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert event.get_absolute_url() in body
    assert "No past events" in client.get(listing + "?tab=past").content.decode()


def test_club_events_paginates(client, club):
    for _ in range(25):
        EventFactory(club=club, visibility=Event.Visibility.PUBLIC)
    listing = reverse("brand_clubs:club_events", args=[club.slug])
    first = client.get(listing)
    assert len(first.context["events"]) == 20
    assert len(client.get(listing + "?page=2").context["events"]) == 5
    assert client.get(listing + "?page=abc").status_code == 200


@pytest.mark.parametrize("count", [10, 50])
def test_club_events_page_runs_a_fixed_number_of_queries(
    client, club, count, django_assert_max_num_queries
):
    member = join(club)
    for n in range(count):
        event = EventFactory(club=club, visibility="public" if n % 2 else "club")
        if n % 4 == 0:
            EventRSVP.objects.create(
                event=event, member=member, status="going", checkin_code=f"C{n}"
            )
    client.force_login(member)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("brand_clubs:club_events", args=[club.slug]) + "?page=1")
    assert response.status_code == 200


def test_unknown_club_or_event_is_404(client, club, staff):
    event = make_event(club, staff)
    assert client.get(reverse("brand_clubs:club_events", args=["nope"])).status_code == 404
    assert client.get(url("event", event).replace(str(event.pk), "999999")).status_code == 404
    other = ClubFactory()
    wrong_club = reverse("brand_clubs:event", args=[other.slug, event.pk])
    assert client.get(wrong_club).status_code == 404


# --- the event page -----------------------------------------------------------------------


def test_private_club_event_is_404_for_outsiders(client, club, staff):
    Club.objects.filter(pk=club.pk).update(visibility=Club.Visibility.INVITE)
    club.refresh_from_db()
    event = make_event(club, staff)
    client.force_login(MemberFactory())
    for name in ("event", "event_album", "event_reviews", "event_ics", "event_ticket"):
        assert client.get(url(name, event)).status_code == 404, name
    client.force_login(join(club))
    assert client.get(url("event", event)).status_code == 200


def test_club_event_in_public_club_asks_outsiders_to_join(client, club, staff):
    event = make_event(club, staff)
    client.force_login(MemberFactory())
    response = client.get(url("event", event))
    assert response.status_code == 403
    assert club.name in response.content.decode()
    client.logout()
    assert client.get(url("event", event)).status_code == 302  # log in first


def test_event_page_shows_both_time_zones_and_hides_the_online_link(client, club, staff):
    starts = datetime(2031, 6, 1, 10, 0, tzinfo=UTC)
    event = make_event(
        club, staff, starts_at=starts, ends_at=starts + timedelta(hours=2),
        time_zone="Asia/Shanghai", format="online", online_url="https://meet.example.com/s3cret",
        venue_name="", address="", visibility="public",
    )  # fmt: skip
    viewer = MemberFactory(time_zone="Europe/London")
    client.force_login(viewer)
    body = client.get(url("event", event)).content.decode()
    assert "Asia/Shanghai" in body and "Europe/London" in body
    assert "6 p.m." in body or "18:00" in body  # Shanghai wall clock
    assert "11 a.m." in body or "11:00" in body  # London wall clock (BST)
    assert "s3cret" not in body
    services.event_rsvp(event=event, member=viewer)
    body = client.get(url("event", event)).content.decode()
    assert "https://meet.example.com/s3cret" in body
    assert reverse("brand_clubs:event_ticket", args=[club.slug, event.pk]) in body


# --- create, edit, cancel -----------------------------------------------------------------


def test_create_reads_times_in_the_event_zone(client, club, staff):
    client.force_login(staff)
    create = reverse("brand_clubs:event_create", args=[club.slug])
    assert client.get(create).status_code == 200
    response = client.post(create, form_data())
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    assert event.starts_at == datetime(2031, 6, 1, 10, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2031, 6, 1, 13, 30, tzinfo=UTC)
    edit = client.get(url("event_edit", event)).content.decode()
    assert 'value="2031-06-01T18:00"' in edit


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2031-06-01T17:00"}, "ends_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "2031-13-45T99:00"}, "starts_at"),
        ({"format": "online"}, "online_url"),
        ({"venue_name": ""}, "venue_name"),
        ({"rsvp_deadline": "2031-06-02T10:00"}, "rsvp_deadline"),
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        # Years that overflow when converted to UTC, the past, and the far future.
        ({"starts_at": "9999-12-31T20:00", "ends_at": "9999-12-31T23:00"}, "starts_at"),
        ({"starts_at": "0001-01-01T10:00"}, "starts_at"),
        ({"starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T12:00"}, "starts_at"),
        ({"starts_at": "2040-01-01T10:00", "ends_at": "2040-01-01T12:00"}, "starts_at"),
        ({"ends_at": "2031-08-01T18:00"}, "ends_at"),  # two months long
    ],
)
def test_create_with_bad_input_is_400_with_the_error_on_its_field(
    client, club, staff, overrides, field
):
    client.force_login(staff)
    response = client.post(
        reverse("brand_clubs:event_create", args=[club.slug]), form_data(**overrides)
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Event.objects.exists()


def test_members_cannot_open_the_event_form(client, club):
    create = reverse("brand_clubs:event_create", args=[club.slug])
    assert client.get(create).status_code == 302  # anonymous: log in
    client.force_login(join(club))
    assert client.get(create).status_code == 403
    assert client.post(create, form_data()).status_code == 403
    client.force_login(BrandStaffFactory().member)
    assert client.post(create, form_data()).status_code == 403
    assert not Event.objects.exists()


def test_edit_refuses_capacity_below_going(client, club, staff):
    event = make_event(club, staff, capacity=3)
    for _ in range(2):
        services.event_rsvp(event=event, member=join(club))
    client.force_login(staff)
    response = client.post(url("event_edit", event), form_data(capacity="1"))
    assert response.status_code == 400
    assert "already going" in str(response.context["form"].errors["capacity"])


def test_cancel_asks_first_then_cancels(client, club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    client.force_login(staff)
    confirm = client.get(url("event_cancel", event))
    assert confirm.status_code == 200 and b"Yes, cancel" in confirm.content
    event.refresh_from_db()
    assert not event.is_cancelled
    assert client.post(url("event_cancel", event), {"reason": ""}).status_code == 400
    assert client.post(url("event_cancel", event), {"reason": "Storm"}).status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    assert Notification.objects.filter(recipient=member, kind="event_cancelled").exists()
    client.force_login(member)
    assert client.post(url("event_cancel", event), {"reason": "x"}).status_code == 403


# --- RSVP and ticket ----------------------------------------------------------------------


def test_rsvp_with_a_plain_form_and_cancel(client, club, staff):
    event = make_event(club, staff, capacity=1)
    member = join(club)
    client.force_login(member)
    assert client.get(url("event_rsvp", event)).status_code == 405
    response = client.post(url("event_rsvp", event), follow=True)
    assert "You are going" in response.content.decode()
    assert EventRSVP.objects.get(event=event, member=member).status == "going"
    client.post(url("event_rsvp", event), {"action": "cancel"})
    assert EventRSVP.objects.get(event=event, member=member).status == "cancelled"


def test_rsvp_when_full_goes_to_the_waitlist_and_ticket_shows_the_place(client, club, staff):
    event = make_event(club, staff, capacity=1)
    services.event_rsvp(event=event, member=join(club))
    member = join(club)
    client.force_login(member)
    body = client.get(url("event", event)).content.decode()
    assert "Join the waitlist" in body
    client.post(url("event_rsvp", event))
    ticket = client.get(url("event_ticket", event))
    assert ticket.status_code == 200
    assert "Number 1 in the queue" in ticket.content.decode()
    assert "<svg" not in ticket.content.decode()


def test_rsvp_htmx_and_json(client, club, staff):
    event = make_event(club, staff)
    client.force_login(join(club))
    partial = client.post(url("event_rsvp", event), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b'id="event-rsvp"' in partial.content and b"<html" not in partial.content
    other = MemberFactory()
    client.force_login(other)
    refused = client.post(url("event_rsvp", event), headers={"Accept": "application/json"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "members_only"


def test_anonymous_rsvp_goes_to_login(client, club, staff):
    event = make_event(club, staff, visibility="public")
    response = client.post(url("event_rsvp", event))
    assert response.status_code == 302 and "login" in response.url
    assert not EventRSVP.objects.exists()


def test_rsvp_after_deadline_shows_an_error(client, club, staff):
    event = start_now(make_event(club, staff))
    client.force_login(join(club))
    response = client.post(url("event_rsvp", event), follow=True)
    assert "already started" in response.content.decode()
    assert not EventRSVP.objects.exists()


def test_ticket_shows_code_and_qr_of_the_checkin_url(client, club, staff):
    event = make_event(club, staff)
    member = join(club)
    rsvp = services.event_rsvp(event=event, member=member)
    client.force_login(member)
    response = client.get(url("event_ticket", event))
    body = response.content.decode()
    assert rsvp.checkin_code in body and "<svg" in body
    assert "no-store" in response["Cache-Control"]
    client.force_login(join(club))  # someone else has no ticket: no way to see another's
    assert client.get(url("event_ticket", event)).status_code == 404


def test_qr_encodes_the_checkin_url():
    from django.test import RequestFactory

    from brand_clubs import qr

    event = EventFactory()
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    target = qr.checkin_url(request=request, event=event, code="ABCD2345")
    assert target == f"http://testserver{url('event_checkin', event)}?code=ABCD2345"
    svg = str(qr.qr_svg(target))
    assert svg.startswith("<svg") and "ABCD2345" not in svg


# --- the door -----------------------------------------------------------------------------


def test_qr_link_prefills_but_never_checks_in_on_get(client, club, staff):
    event = make_event(club, staff)
    member = join(club)
    rsvp = services.event_rsvp(event=event, member=member)
    client.force_login(staff)
    response = client.get(url("event_checkin", event) + f"?code={rsvp.checkin_code}")
    assert response.status_code == 200
    assert f'value="{rsvp.checkin_code}"' in response.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None
    response = client.post(url("event_checkin", event), {"code": rsvp.checkin_code}, follow=True)
    assert "is checked in" in response.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.checked_in_by == staff


def test_door_errors_are_shown(client, club, staff):
    event, other = make_event(club, staff), make_event(club, staff)
    rsvp = services.event_rsvp(event=other, member=join(club))
    client.force_login(staff)
    response = client.post(url("event_checkin", event), {"code": rsvp.checkin_code})
    assert response.status_code == 400
    assert "This code is not for this event" in response.content.decode()
    response = client.post(url("event_checkin", event), {"code": "NOPE"})
    assert "Unknown code" in response.content.decode()


def test_door_list_and_search(client, club, staff):
    event = make_event(club, staff)
    ann = join(club, member=MemberFactory(display_name="Ann <b>Lee</b>"))
    services.event_rsvp(event=event, member=ann)
    services.event_rsvp(event=event, member=join(club, member=MemberFactory(display_name="Bo")))
    client.force_login(staff)
    body = client.get(url("event_checkin", event) + "?q=ann").content.decode()
    assert "Ann &lt;b&gt;Lee&lt;/b&gt;" in body and ">Bo " not in body
    check_in(event, ann, staff)
    body = client.get(url("event_checkin", event)).content.decode()
    assert "In at" in body


def test_members_cannot_use_the_door_page(client, club, staff):
    event = make_event(club, staff)
    member = join(club)
    rsvp = services.event_rsvp(event=event, member=member)
    client.force_login(member)
    assert client.get(url("event_checkin", event)).status_code == 403
    assert client.post(url("event_checkin", event), {"code": rsvp.checkin_code}).status_code == 403
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


# --- album --------------------------------------------------------------------------------


def test_attendee_uploads_and_photos_are_served_after_a_check(client, club, staff):
    Club.objects.filter(pk=club.pk).update(visibility=Club.Visibility.APPROVAL)
    club.refresh_from_db()
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    client.force_login(member)
    album = url("event_album", event)
    assert b'id="add-photos"' in client.get(album).content
    response = client.post(album, {"photos": [image_upload()], "caption": "Pier"})
    assert response.status_code == 302
    photo = EventPhoto.objects.get()
    body = client.get(album).content.decode()
    served = url("event_photo", event, photo.pk, "medium")
    assert served in body and "/media/" not in body
    image = client.get(served)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert "private" in image["Cache-Control"]
    b"".join(image.streaming_content)
    assert client.get(url("event_photo", event, photo.pk, "original")).status_code == 404
    assert client.get(url("event_photo", event, photo.pk, "..%2Fsecret")).status_code == 404
    client.force_login(MemberFactory())
    assert client.get(served).status_code == 404
    client.logout()
    assert client.get(served).status_code == 404


def test_non_attendees_cannot_upload(client, club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)  # going, not checked in
    client.force_login(member)
    assert b'id="add-photos"' not in client.get(url("event_album", event)).content
    response = client.post(url("event_album", event), {"photos": [image_upload()]})
    assert response.status_code == 403
    assert not EventPhoto.objects.exists()


def test_fake_image_upload_is_400(client, club, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    client.force_login(member)
    fake = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
    response = client.post(url("event_album", event), {"photos": [fake]})
    assert response.status_code == 400
    assert response.context["form"].errors["photos"]


def test_photo_delete_confirms_first(client, club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    (photo,) = services.event_photo_add(event=event, uploader=member, photos=[image_upload()])
    client.force_login(join(club))
    assert client.post(url("event_album", event), {"delete": photo.pk}).status_code == 403
    client.force_login(member)
    confirm = client.get(url("event_album", event) + f"?delete={photo.pk}")
    assert confirm.status_code == 200 and b"Yes, delete it" in confirm.content
    assert EventPhoto.objects.exists()
    assert client.get(url("event_album", event) + "?delete=abc").status_code == 404
    client.post(url("event_album", event), {"delete": photo.pk})
    assert not EventPhoto.objects.exists()


# --- reviews ------------------------------------------------------------------------------


def test_attendee_review_is_labelled_attended(client, club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    start_now(event)
    client.force_login(member)
    reviews = url("event_reviews", event)
    assert b'id="review-form"' in client.get(reviews).content
    assert client.post(reviews, {"rating": "9", "body": "x"}).status_code == 400
    response = client.post(reviews, {"rating": "5", "body": "Loved it <img src=x onerror=1>"})
    assert response.status_code == 302
    body = client.get(reviews).content.decode()
    assert "Attended" in body and "<img src=x" not in body
    assert b'id="review-form"' not in client.get(reviews).content
    assert client.post(reviews, {"rating": "4", "body": "again"}).status_code == 400


def test_link_in_a_review_below_basic_is_a_form_error_that_keeps_the_text(client, club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    start_now(event)
    client.force_login(member)
    body = "Great day, more at [my shop](https://spam.example/buy)"
    response = client.post(url("event_reviews", event), {"rating": "5", "body": body})
    assert response.status_code == 400
    assert "trust level 1" in response.context["form"].errors["body"][0]
    assert "https://spam.example/buy" in response.content.decode()  # kept in the textarea
    assert not event.reviews.exists()
    member.trust_level = 1
    member.save(update_fields=["trust_level"])
    response = client.post(url("event_reviews", event), {"rating": "5", "body": body})
    assert response.status_code == 302 and event.reviews.count() == 1


def test_non_attendee_review_is_refused(client, club, staff):
    event = start_now(make_event(club, staff))
    client.force_login(join(club))
    response = client.post(url("event_reviews", event), {"rating": "5", "body": "Fake"})
    assert response.status_code == 403


# --- my events and the calendar feed -------------------------------------------------------


def test_my_events_and_calendar_address(client, club, staff):
    member = join(club)
    event = make_event(club, staff, title="Coming ride")
    services.event_rsvp(event=event, member=member)
    mine = reverse("brand_clubs:my_events")
    assert client.get(mine).status_code == 302
    client.force_login(member)
    body = client.get(mine).content.decode()
    assert "Coming ride" in body and "Get my calendar address" in body
    client.post(mine, {"action": "create"})
    body = client.get(mine).content.decode()
    token = re.search(r"/events/calendar/([^\"]+)\.ics", body).group(1)
    feed = reverse("brand_clubs:member_calendar", args=[token])
    assert client.get(feed).status_code == 200
    confirm = client.post(mine, {"action": "reset"})
    assert confirm.status_code == 200 and b"Yes, reset it" in confirm.content
    assert client.get(feed).status_code == 200  # not reset without confirmation
    client.post(mine, {"action": "reset", "confirm": "yes"})
    assert client.get(feed).status_code == 404


def test_my_events_empty_state(client):
    client.force_login(MemberFactory())
    assert "Nothing planned" in client.get(reverse("brand_clubs:my_events")).content.decode()


def test_upcoming_events_block_template_renders(club, staff):
    from django.template.loader import render_to_string

    from brand_clubs.selectors.events import event_list_upcoming_for_club

    member = join(club)
    make_event(club, staff, title="Block ride")
    events = event_list_upcoming_for_club(club=club, viewer=member)
    html = render_to_string(
        "brand_clubs/blocks/upcoming_events.html",
        {"events": events, "value": {"heading": "Next up"}, "club": club},
    )
    assert "Next up" in html and "Block ride" in html
    empty = render_to_string("brand_clubs/blocks/upcoming_events.html", {"events": [], "value": {}})
    assert "No upcoming events" in empty
