"""Services of club events: scheduling, RSVP and waitlist, check-in, album, reviews,
reminders and calendar feeds."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from brand_clubs.models import Club, ClubAuditEntry, ClubMembership, Event, EventPhoto, EventRSVP
from brand_clubs.models.events import EventCalendarFeed
from brand_clubs.services import events as services
from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.models import Notification
from community.members.notifications import notification_text
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    MemberFactory,
    ModeratorFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


# --- helpers shared with the other test_events_* modules ------------------------------


def join(club, member=None, **kwargs):
    return ClubMembershipFactory(club=club, member=member or MemberFactory(), **kwargs).member


def staff_of(club):
    return BrandStaffFactory(brand=club.brand).member


def event_fields(**overrides):
    starts = timezone.now() + timedelta(days=3)
    fields = {
        "title": "Spring ride",
        "description": "Coffee, then **the coast road**.",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=4),
        "time_zone": "Europe/Berlin",
        "format": Event.Format.OFFLINE,
        "venue_name": "Harbour café",
        "address": "Hafenstraße 1, Hamburg",
        "capacity": None,
        "visibility": Event.Visibility.CLUB,
    }
    fields.update(overrides)
    return fields


def make_event(club, actor=None, **overrides):
    actor = actor or staff_of(club)
    return services.event_create(club=club, actor=actor, **event_fields(**overrides))


def start_now(event, *, started=True):
    """Move an event so that it has started (or is about to), skipping validation."""
    now = timezone.now()
    starts = now - timedelta(hours=1) if started else now + timedelta(minutes=30)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    event.refresh_from_db()
    return event


def check_in(event, member, staff=None):
    rsvp = EventRSVP.objects.get(event=event, member=member)
    return services.event_check_in(
        event=event, actor=staff or staff_of(event.club), code=rsvp.checkin_code
    )


@pytest.fixture
def club(db):
    return ClubFactory()


@pytest.fixture
def staff(club):
    return staff_of(club)


# --- creating and changing events -------------------------------------------------------


def test_create_notifies_active_members_only(club, staff):
    member = join(club)
    pending = join(club, status=ClubMembership.Status.PENDING)
    banned = join(club, status=ClubMembership.Status.BANNED)
    other_club_member = join(ClubFactory())
    event = make_event(club, staff, description="<script>alert(1)</script> **hi**")
    assert event.created_by == staff
    assert "<script>" not in event.description_html
    assert "<strong>hi</strong>" in event.description_html
    notified = set(
        Notification.objects.filter(kind="event_created").values_list("recipient", flat=True)
    )
    assert notified == {member.pk}
    assert pending.pk not in notified and banned.pk not in notified
    assert other_club_member.pk not in notified


@pytest.mark.parametrize("hours", [0, -1])
def test_event_ending_before_or_when_it_starts_is_refused(club, staff, hours):
    fields = event_fields()
    fields["ends_at"] = fields["starts_at"] + timedelta(hours=hours)
    with pytest.raises(DomainError) as exc:
        services.event_create(club=club, actor=staff, **fields)
    assert exc.value.field == "ends_at"
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"format": Event.Format.ONLINE, "online_url": ""}, "online_url"),
        ({"format": Event.Format.ONLINE, "online_url": "javascript:alert(1)"}, "online_url"),
        ({"venue_name": "", "address": ""}, "venue_name"),
        ({"title": "   "}, "title"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"visibility": "secret"}, "visibility"),
        ({"starts_at": timezone.now().replace(tzinfo=None)}, "starts_at"),
    ],
)
def test_bad_fields_are_refused_on_their_field(club, staff, overrides, field):
    with pytest.raises(DomainError) as exc:
        make_event(club, staff, **overrides)
    assert exc.value.field == field


def test_rsvp_deadline_after_start_is_refused(club, staff):
    fields = event_fields()
    fields["rsvp_deadline"] = fields["starts_at"] + timedelta(minutes=1)
    with pytest.raises(DomainError) as exc:
        services.event_create(club=club, actor=staff, **fields)
    assert exc.value.field == "rsvp_deadline"


def test_online_event_keeps_its_link(club, staff):
    event = make_event(
        club, staff, format=Event.Format.ONLINE, online_url="https://meet.example.com/x",
        venue_name="", address="",
    )  # fmt: skip
    assert event.online_url == "https://meet.example.com/x"


@pytest.mark.parametrize("who", ["member", "other_brand_staff", "site_moderator", "anonymous"])
def test_only_managers_create_events(club, who):
    from django.contrib.auth.models import AnonymousUser

    actor = {
        "member": lambda: join(club),
        "other_brand_staff": lambda: BrandStaffFactory().member,
        "site_moderator": ModeratorFactory,
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(AccessDenied):
        services.event_create(club=club, actor=actor, **event_fields())


def test_club_moderator_creates_events(club):
    moderator = join(club, role=ClubMembership.Role.MODERATOR)
    assert make_event(club, moderator).pk


def test_no_events_in_a_closed_club(club, staff):
    Club.objects.filter(pk=club.pk).update(is_closed=True)
    club.refresh_from_db()
    with pytest.raises(AccessDenied):
        make_event(club, staff)


def test_capacity_cannot_drop_below_going(club, staff):
    event = make_event(club, staff, capacity=5)
    for _ in range(3):
        services.event_rsvp(event=event, member=join(club))
    with pytest.raises(DomainError) as exc:
        services.event_update(event=event, actor=staff, **event_fields(capacity=2))
    assert exc.value.field == "capacity"
    assert "3" in str(exc.value.message)
    event.refresh_from_db()
    assert event.capacity == 5


def test_raising_capacity_promotes_the_waitlist_in_order(club, staff):
    event = make_event(club, staff, capacity=1)
    first, second, third = (join(club) for _ in range(3))
    for member in (first, second, third):
        services.event_rsvp(event=event, member=member)
    services.event_update(event=event, actor=staff, **event_fields(capacity=2))
    statuses = dict(EventRSVP.objects.filter(event=event).values_list("member", "status"))
    assert statuses == {first.pk: "going", second.pk: "going", third.pk: "waitlisted"}
    assert (event.going_count, event.waitlist_count) == (2, 1)
    assert Notification.objects.filter(kind="event_promoted", recipient=second).exists()


def test_cancel_notifies_going_and_waitlisted_and_is_audited(club, staff):
    event = make_event(club, staff, capacity=1)
    going, waiting, bystander = join(club), join(club), join(club)
    services.event_rsvp(event=event, member=going)
    services.event_rsvp(event=event, member=waiting)
    with pytest.raises(DomainError) as exc:
        services.event_cancel(event=event, actor=staff, reason="  ")
    assert exc.value.field == "reason"
    services.event_cancel(event=event, actor=staff, reason="Storm warning")
    assert event.is_cancelled
    notified = set(
        Notification.objects.filter(kind="event_cancelled").values_list("recipient", flat=True)
    )
    assert notified == {going.pk, waiting.pk}
    assert bystander.pk not in notified
    sentence = notification_text(Notification.objects.filter(kind="event_cancelled").first())
    assert sentence == f"{event.title} was cancelled. The reason: Storm warning"
    entry = ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.CANCEL_EVENT)
    assert (entry.actor, entry.reason, entry.club_id) == (staff, "Storm warning", club.pk)
    with pytest.raises(Conflict):
        services.event_cancel(event=event, actor=staff, reason="again")
    with pytest.raises(Conflict):
        services.event_rsvp(event=event, member=bystander)
    with pytest.raises(Conflict):
        services.event_update(event=event, actor=staff, **event_fields())


def test_members_cannot_cancel(club, staff):
    event = make_event(club, staff)
    with pytest.raises(AccessDenied):
        services.event_cancel(event=event, actor=join(club), reason="no")


# --- RSVP and waitlist ------------------------------------------------------------------


def test_rsvp_beyond_capacity_goes_to_the_waitlist(club, staff):
    event = make_event(club, staff, capacity=2)
    rsvps = [services.event_rsvp(event=event, member=join(club)) for _ in range(3)]
    assert [r.status for r in rsvps] == ["going", "going", "waitlisted"]
    event.refresh_from_db()
    assert (event.going_count, event.waitlist_count, event.seats_left) == (2, 1, 0)
    codes = [r.checkin_code for r in rsvps]
    assert len(set(codes)) == 3
    for code in codes:
        assert len(code) == services.CHECKIN_CODE_LENGTH
        assert set(code) <= set(services.CHECKIN_CODE_ALPHABET)


def test_no_capacity_means_everyone_goes(club, staff):
    event = make_event(club, staff, capacity=None)
    rsvps = [services.event_rsvp(event=event, member=join(club)) for _ in range(5)]
    assert {r.status for r in rsvps} == {"going"}
    assert event.going_count == 5 and event.seats_left is None


def test_rsvp_again_changes_nothing(club, staff):
    event = make_event(club, staff, capacity=3)
    member = join(club)
    first = services.event_rsvp(event=event, member=member)
    again = services.event_rsvp(event=event, member=member)
    assert first.pk == again.pk and first.checkin_code == again.checkin_code
    event.refresh_from_db()
    assert event.going_count == 1


def test_cancelling_promotes_the_first_in_the_queue(club, staff):
    event = make_event(club, staff, capacity=1)
    going, first_waiting, second_waiting = join(club), join(club), join(club)
    for member in (going, first_waiting, second_waiting):
        services.event_rsvp(event=event, member=member)
    services.event_rsvp_cancel(event=event, member=going)
    statuses = dict(EventRSVP.objects.filter(event=event).values_list("member", "status"))
    assert statuses == {
        going.pk: "cancelled",
        first_waiting.pk: "going",
        second_waiting.pk: "waitlisted",
    }
    assert (event.going_count, event.waitlist_count) == (1, 1)
    promoted = Notification.objects.get(kind="event_promoted")
    assert promoted.recipient == first_waiting
    assert promoted.url == event.get_absolute_url()


def test_leaving_the_waitlist_promotes_nobody(club, staff):
    event = make_event(club, staff, capacity=1)
    going, waiting = join(club), join(club)
    services.event_rsvp(event=event, member=going)
    services.event_rsvp(event=event, member=waiting)
    services.event_rsvp_cancel(event=event, member=waiting)
    assert (event.going_count, event.waitlist_count) == (1, 0)
    assert not Notification.objects.filter(kind="event_promoted").exists()


def test_rsvp_after_cancelling_queues_at_the_end(club, staff):
    event = make_event(club, staff, capacity=1)
    a, b, c = join(club), join(club), join(club)
    services.event_rsvp(event=event, member=a)
    services.event_rsvp(event=event, member=b)
    services.event_rsvp_cancel(event=event, member=b)
    services.event_rsvp(event=event, member=c)
    again = services.event_rsvp(event=event, member=b)
    assert again.status == "waitlisted"
    services.event_rsvp_cancel(event=event, member=a)
    assert EventRSVP.objects.get(event=event, member=c).status == "going"
    assert EventRSVP.objects.get(event=event, member=b).status == "waitlisted"
    assert EventRSVP.objects.filter(event=event, member=b).count() == 1


def test_cancelling_without_a_place_is_not_found(club, staff):
    event = make_event(club, staff)
    with pytest.raises(NotFound):
        services.event_rsvp_cancel(event=event, member=join(club))


def test_rsvp_after_the_deadline_is_refused(club, staff):
    fields = event_fields()
    fields["rsvp_deadline"] = timezone.now() + timedelta(hours=1)
    event = services.event_create(club=club, actor=staff, **fields)
    Event.objects.filter(pk=event.pk).update(rsvp_deadline=timezone.now() - timedelta(minutes=1))
    event.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.event_rsvp(event=event, member=join(club))
    assert exc.value.code == "deadline_passed"


def test_rsvp_after_the_start_is_refused(club, staff):
    event = start_now(make_event(club, staff))
    with pytest.raises(Conflict) as exc:
        services.event_rsvp(event=event, member=join(club))
    assert exc.value.code == "started"


def test_rsvp_in_a_closed_club_is_refused(club, staff):
    event = make_event(club, staff)
    Club.objects.filter(pk=club.pk).update(is_closed=True)
    event = Event.objects.select_related("club").get(pk=event.pk)
    with pytest.raises(AccessDenied):
        services.event_rsvp(event=event, member=join(club))


def test_club_event_is_for_members_public_event_for_everyone(club, staff):
    club_event = make_event(club, staff)
    public_event = make_event(club, staff, visibility=Event.Visibility.PUBLIC)
    outsider = MemberFactory()
    with pytest.raises(AccessDenied):
        services.event_rsvp(event=club_event, member=outsider)
    assert services.event_rsvp(event=public_event, member=outsider).status == "going"


def test_banned_member_cannot_rsvp_even_to_public_events(club, staff):
    public_event = make_event(club, staff, visibility=Event.Visibility.PUBLIC)
    banned = join(club, status=ClubMembership.Status.BANNED)
    with pytest.raises(AccessDenied):
        services.event_rsvp(event=public_event, member=banned)


def test_private_club_event_does_not_exist_for_outsiders(staff, club):
    Club.objects.filter(pk=club.pk).update(visibility=Club.Visibility.APPROVAL)
    club.refresh_from_db()
    event = make_event(club, staff)
    with pytest.raises(NotFound):
        services.event_rsvp(event=event, member=MemberFactory())


# --- check-in -----------------------------------------------------------------------------


def test_check_in_by_code_in_any_case_with_spaces_and_dashes(club, staff):
    event = make_event(club, staff)
    member = join(club)
    rsvp = services.event_rsvp(event=event, member=member)
    messy = f" {rsvp.checkin_code[:4].lower()}-{rsvp.checkin_code[4:].lower()} "
    checked = services.event_check_in(event=event, actor=staff, code=messy)
    assert checked.pk == rsvp.pk and checked.attended
    assert checked.checked_in_by == staff
    entry = ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.CHECK_IN)
    assert entry.target_member == member


def test_code_of_another_event_says_so(club, staff):
    event, other = make_event(club, staff), make_event(club, staff)
    rsvp = services.event_rsvp(event=other, member=join(club))
    with pytest.raises(DomainError) as exc:
        services.event_check_in(event=event, actor=staff, code=rsvp.checkin_code)
    assert exc.value.code == "wrong_event" and exc.value.field == "code"
    assert "not for this event" in str(exc.value.message)
    assert not EventRSVP.objects.filter(checked_in_at__isnull=False).exists()


@pytest.mark.parametrize("code", ["ZZZZZZZZ", "", "   ", "x" * 500, "<script>"])
def test_unknown_or_junk_code(club, staff, code):
    event = make_event(club, staff)
    services.event_rsvp(event=event, member=join(club))
    with pytest.raises(DomainError) as exc:
        services.event_check_in(event=event, actor=staff, code=code)
    assert exc.value.field == "code"


def test_reused_code_says_when(club, staff):
    event = make_event(club, staff)
    member = join(club)
    rsvp = services.event_rsvp(event=event, member=member)
    services.event_check_in(event=event, actor=staff, code=rsvp.checkin_code)
    with pytest.raises(Conflict) as exc:
        services.event_check_in(event=event, actor=staff, code=rsvp.checkin_code)
    assert exc.value.code == "already_checked_in"
    assert "already checked in at" in str(exc.value.message)
    assert staff.public_name in str(exc.value.message)


def test_waitlisted_and_cancelled_cannot_check_in(club, staff):
    event = make_event(club, staff, capacity=1)
    going, waiting = join(club), join(club)
    going_rsvp = services.event_rsvp(event=event, member=going)
    waiting_rsvp = services.event_rsvp(event=event, member=waiting)
    with pytest.raises(DomainError) as exc:
        services.event_check_in(event=event, actor=staff, code=waiting_rsvp.checkin_code)
    assert exc.value.code == "waitlisted"
    services.event_rsvp_cancel(event=event, member=going)
    with pytest.raises(DomainError) as exc:
        services.event_check_in(event=event, actor=staff, code=going_rsvp.checkin_code)
    assert exc.value.code == "rsvp_cancelled"


def test_members_cannot_check_people_in(club, staff):
    event = make_event(club, staff)
    member = join(club)
    rsvp = services.event_rsvp(event=event, member=member)
    with pytest.raises(AccessDenied):
        services.event_check_in(event=event, actor=member, code=rsvp.checkin_code)
    with pytest.raises(AccessDenied):
        services.event_check_in(
            event=event, actor=BrandStaffFactory().member, code=rsvp.checkin_code
        )


def test_checked_in_attendee_cannot_cancel(club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    with pytest.raises(Conflict):
        services.event_rsvp_cancel(event=event, member=member)


# --- album ----------------------------------------------------------------------------------


def test_attendee_adds_photos_into_private_storage(club, staff, settings):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    photos = services.event_photo_add(
        event=event, uploader=member, photos=[image_upload(), image_upload("b.png", fmt="PNG")],
        caption="At the harbour",
    )  # fmt: skip
    assert len(photos) == 2
    event.refresh_from_db()
    assert event.photo_count == 2
    for photo in photos:
        for field in services.PHOTO_FIELDS:
            path = settings.PRIVATE_MEDIA_ROOT / getattr(photo, field).name
            assert path.exists()
    assert not (settings.MEDIA_ROOT / "events").exists()


def test_going_but_not_checked_in_cannot_add_photos(club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    with pytest.raises(AccessDenied) as exc:
        services.event_photo_add(event=event, uploader=member, photos=[image_upload()])
    assert exc.value.code == "not_attendee"


def test_waitlisted_member_and_outsider_cannot_add_photos(club, staff):
    event = make_event(club, staff, capacity=1, visibility=Event.Visibility.PUBLIC)
    services.event_rsvp(event=event, member=join(club))
    waiting = join(club)
    services.event_rsvp(event=event, member=waiting)
    for person in (waiting, MemberFactory()):
        with pytest.raises(AccessDenied):
            services.event_photo_add(event=event, uploader=person, photos=[image_upload()])
    assert not EventPhoto.objects.exists()


def test_fake_image_is_refused_and_nothing_is_written(club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    fake = SimpleUploadedFile("evil.jpg", b"<?php system($_GET['x']); ?>", "image/jpeg")
    with pytest.raises(DomainError) as exc:
        services.event_photo_add(event=event, uploader=member, photos=[image_upload(), fake])
    assert exc.value.field == "photos"
    assert "evil.jpg" in str(exc.value.message)
    assert not EventPhoto.objects.exists()
    event.refresh_from_db()
    assert event.photo_count == 0
    with pytest.raises(DomainError):
        services.event_photo_add(event=event, uploader=member, photos=[])


def test_photo_delete_by_uploader_or_moderator_only(
    club, staff, settings, django_capture_on_commit_callbacks
):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    first, second = services.event_photo_add(
        event=event, uploader=member, photos=[image_upload(), image_upload()]
    )
    with pytest.raises(AccessDenied):
        services.event_photo_delete(photo=first, actor=join(club))
    path = settings.PRIVATE_MEDIA_ROOT / first.large.name
    with django_capture_on_commit_callbacks(execute=True):
        services.event_photo_delete(photo=first, actor=member)
    assert not path.exists()
    club_moderator = join(club, role=ClubMembership.Role.MODERATOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_photo_delete(photo=second, actor=club_moderator)
    event.refresh_from_db()
    assert event.photo_count == 0 and not EventPhoto.objects.exists()
    # Only the moderator's deletion of someone else's photo is audited.
    entry = ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.DELETE_EVENT_PHOTO)
    assert (entry.actor, entry.target_member) == (club_moderator, member)


# --- reviews --------------------------------------------------------------------------------


def _attended_started_event(club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    return start_now(event), member


def test_attendee_reviews_once_after_the_start(club, staff):
    event, member = _attended_started_event(club, staff)
    review = services.event_review_create(
        event=event, author=member, rating=4, body="Great <script>x</script> ride"
    )
    assert "<script>" not in review.body_html
    event.refresh_from_db()
    assert (event.review_count, event.rating_total, event.rating_average) == (1, 4, 4.0)
    with pytest.raises(Conflict):
        services.event_review_create(event=event, author=member, rating=5, body="Again")
    event.refresh_from_db()
    assert event.review_count == 1


def test_review_before_the_start_is_refused(club, staff):
    event = make_event(club, staff)
    member = join(club)
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    with pytest.raises(DomainError) as exc:
        services.event_review_create(event=event, author=member, rating=5, body="Soon!")
    assert exc.value.code == "not_started"


def test_non_attendees_cannot_review(club, staff):
    event, _attendee = _attended_started_event(club, staff)
    going_not_in = join(club)
    EventRSVP.objects.create(event=event, member=going_not_in, status="going", checkin_code="X1")
    for person in (going_not_in, join(club), MemberFactory()):
        with pytest.raises(AccessDenied):
            services.event_review_create(event=event, author=person, rating=5, body="Fake")


LINKED_REVIEW = "Photos of the day: [album](https://spam.example/buy)"


def test_review_with_a_link_needs_trust_level_1(club, staff):
    event, member = _attended_started_event(club, staff)
    assert member.trust_level == 0
    with pytest.raises(DomainError) as exc:
        services.event_review_create(event=event, author=member, rating=5, body=LINKED_REVIEW)
    assert (exc.value.field, exc.value.code) == ("body", "privilege")
    assert "trust level 1" in exc.value.message
    event.refresh_from_db()
    assert event.review_count == 0 and not event.reviews.exists()
    # Plain text is fine at level 0.
    services.event_review_create(event=event, author=member, rating=5, body="Lovely day")


@pytest.mark.parametrize("who", ["basic_member", "club_moderator"])
def test_review_with_a_link_from_basic_members_and_moderators(club, staff, who):
    event = make_event(club, staff)
    if who == "basic_member":
        member = join(club, MemberFactory(trust_level=1))
    else:
        member = join(club, role=ClubMembership.Role.MODERATOR)  # level 0, but accountable
    services.event_rsvp(event=event, member=member)
    check_in(event, member, staff)
    start_now(event)
    review = services.event_review_create(event=event, author=member, rating=4, body=LINKED_REVIEW)
    assert "<a " in review.body_html


@pytest.mark.parametrize("rating", [0, 6, "five", 4.5, True, None])
def test_review_rating_must_be_1_to_5(club, staff, rating):
    event, member = _attended_started_event(club, staff)
    with pytest.raises(DomainError) as exc:
        services.event_review_create(event=event, author=member, rating=rating, body="Fine")
    assert exc.value.field == "rating"


# --- reminders -----------------------------------------------------------------------------


def test_reminders_go_to_people_going_once(club, staff):
    soon = make_event(club, staff, capacity=1)
    later = make_event(
        club, staff,
        starts_at=timezone.now() + timedelta(days=10),
        ends_at=timezone.now() + timedelta(days=10, hours=2),
    )  # fmt: skip
    going, waiting = join(club), join(club)
    services.event_rsvp(event=soon, member=going)
    services.event_rsvp(event=soon, member=waiting)
    services.event_rsvp(event=later, member=going)
    start_now(soon, started=False)
    assert services.event_reminders_send() == 1
    reminder = Notification.objects.get(kind="event_reminder")
    assert reminder.recipient == going
    assert reminder.params["event"] == soon.title
    assert "Europe/Berlin" in reminder.params["when"]
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None
    assert services.event_reminders_send() == 0
    assert Notification.objects.filter(kind="event_reminder").count() == 1


def test_no_reminders_for_cancelled_events(club, staff):
    event = make_event(club, staff)
    services.event_rsvp(event=event, member=join(club))
    start_now(event, started=False)
    services.event_cancel(event=event, actor=staff, reason="Rain")
    assert services.event_reminders_send() == 0


def test_moving_an_event_resets_its_reminder(club, staff):
    event = make_event(club, staff)
    services.event_rsvp(event=event, member=join(club))
    start_now(event, started=False)
    assert services.event_reminders_send() == 1
    fields = event_fields(starts_at=timezone.now() + timedelta(hours=2))
    fields["ends_at"] = fields["starts_at"] + timedelta(hours=1)
    services.event_update(event=event, actor=staff, **fields)
    assert services.event_reminders_send() == 1


def test_send_event_reminders_command(club, staff):
    event = make_event(club, staff)
    services.event_rsvp(event=event, member=join(club))
    start_now(event, started=False)
    out = StringIO()
    call_command("send_event_reminders", stdout=out)
    assert "1 reminder" in out.getvalue()
    call_command("send_event_reminders", stdout=out)
    assert Notification.objects.filter(kind="event_reminder").count() == 1


# --- calendar feeds ------------------------------------------------------------------------


def test_calendar_feed_reset_changes_the_token():
    member = MemberFactory()
    feed = services.calendar_feed_ensure(member=member)
    assert services.calendar_feed_ensure(member=member).token == feed.token
    assert len(feed.token) >= 40
    new = services.calendar_feed_reset(member=member)
    assert new.token != feed.token
    assert EventCalendarFeed.objects.get(member=member).token == new.token
