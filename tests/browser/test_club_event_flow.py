"""A member asks to join an approval club, brand staff approve, the member RSVPs to an
event, is checked in at the door with their ticket's code, and adds a photo to the
event's album: two people, two browser contexts, real Chromium."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from brand_clubs.models import Club, ClubMembership, Event, EventPhoto, EventRSVP
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    EventFactory,
    MemberFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _signed_in_page(browser, live_server, member):
    """A browser context carrying `member`'s session (the login form has its own test)."""
    client = Client()
    client.force_login(member)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_join_approval_club_rsvp_check_in_and_add_album_photo(browser, live_server, tmp_path):
    staff = BrandStaffFactory(member=MemberFactory(display_name="Brand Bo")).member
    brand = staff.brand_links.get().brand
    club = ClubFactory(
        brand=brand, name="Night Riders", slug="night-riders", visibility=Club.Visibility.APPROVAL
    )
    ClubMembership.objects.create(
        club=club,
        member=staff,
        role=ClubMembership.Role.OWNER,
        status=ClubMembership.Status.ACTIVE,
        joined_at=timezone.now(),
    )
    event = EventFactory(
        club=club,
        title="Harbour ride",
        capacity=10,
        starts_at=timezone.now() + timedelta(minutes=30),
        ends_at=timezone.now() + timedelta(hours=3),
        visibility=Event.Visibility.CLUB,
    )
    ada = MemberFactory(display_name="Ada")
    photo = tmp_path / "harbour.jpg"
    photo.write_bytes(image_upload("harbour.jpg", size=(900, 600)).read())

    member_page = _signed_in_page(browser, live_server, ada)
    staff_page = _signed_in_page(browser, live_server, staff)

    # Ada asks to join: the private club shows her no event yet.
    member_page.goto(club.get_absolute_url())
    member_page.get_by_role("link", name="Ask to join").click()
    member_page.get_by_label(re.compile("message", re.IGNORECASE)).fill("I ride every weekend.")
    member_page.get_by_role("button", name="Send request").click()
    expect(member_page.get_by_text("Your request is sent.")).to_be_visible()
    expect(member_page.get_by_text("Request pending")).to_be_visible()
    member_page.goto(event.get_absolute_url())
    expect(member_page.get_by_role("heading", name="Harbour ride")).to_have_count(0)

    # Brand staff approve her request from the requests page.
    staff_page.goto(f"/clubs/{club.slug}/requests/")
    expect(staff_page.get_by_text("I ride every weekend.")).to_be_visible()
    staff_page.get_by_role("button", name="Approve").click()
    expect(staff_page.get_by_text("Ada")).to_have_count(0)
    assert ClubMembership.objects.get(club=club, member=ada).status == "active"

    # Ada RSVPs and opens her ticket.
    member_page.goto(event.get_absolute_url())
    expect(member_page.get_by_role("heading", name="Harbour ride")).to_be_visible()
    member_page.get_by_role("button", name="I'm going").click()
    member_page.get_by_role("link", name="My ticket").click()
    expect(member_page.get_by_role("heading", name="Your ticket")).to_be_visible()
    expect(member_page.locator(".ticket-qr svg")).to_have_count(1)
    code = member_page.locator(".ticket-code").inner_text().strip()
    assert code == EventRSVP.objects.get(event=event, member=ada).checkin_code

    # At the door, staff type the code (lower case, as people do) on their phone page.
    staff_page.set_viewport_size({"width": 390, "height": 844})
    staff_page.goto(f"/clubs/{club.slug}/events/{event.pk}/checkin/")
    staff_page.get_by_label("Check-in code").fill(code.lower())
    staff_page.get_by_role("button", name="Check in").first.click()
    expect(staff_page.get_by_text("Ada is checked in.")).to_be_visible()
    assert EventRSVP.objects.get(event=event, member=ada).checked_in_at is not None

    # Checked in, Ada adds a photo to the album; it is served to her by the access check.
    member_page.goto(f"/clubs/{club.slug}/events/{event.pk}/album/")
    member_page.get_by_label("Photos").set_input_files(str(photo))
    member_page.get_by_label("Caption").fill("Sunset at the harbour")
    member_page.get_by_role("button", name="Upload").click()
    expect(member_page.get_by_text("1 photo added to the album.")).to_be_visible()
    image = member_page.get_by_role("img", name="Sunset at the harbour")
    expect(image).to_be_visible()
    # The bytes came through the access-checked view (lazy images load when in view).
    image.scroll_into_view_if_needed()
    member_page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert EventPhoto.objects.filter(event=event, uploader=ada).count() == 1
