"""Every club and event action by every kind of person by every club visibility.

Writes go through the services (where the rules are enforced for every interface);
reads go through the pages. Each cell is one test: ALLOW (it happened), DENY (refused
for lack of rights: AccessDenied/NotFound, or 403/404/login for pages) or OTHER (allowed
to try, refused for another reason, e.g. "already a member"). docs/architecture.md shows
the same matrix as a table.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from brand_clubs.models import BrandStaff, Club, ClubMembership, ClubPost, Event, EventRSVP
from brand_clubs.services import clubs as club_services
from brand_clubs.services import events as event_services
from brand_clubs.services import feed as feed_services
from community.errors import AccessDenied, DomainError, NotFound
from community.reputation.rules import TrustLevel
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    ClubPostFactory,
    EventFactory,
    EventRSVPFactory,
    MemberFactory,
    ModeratorFactory,
    image_upload,
)

ALLOW, DENY, OTHER = "allow", "deny", "other"
ACTORS = (
    "anonymous",
    "non_member",
    "member",
    # A member of the club at trust level 4: moderates content, not members.
    "leader",
    "club_moderator",
    "brand_staff",
    "other_brand_staff",
    "site_moderator",
)
VISIBILITIES = (Club.Visibility.PUBLIC, Club.Visibility.APPROVAL, Club.Visibility.INVITE)
INSIDERS = {"member", "leader", "club_moderator", "brand_staff", "site_moderator"}


def _only(*allowed, otherwise=DENY, **special):
    """Expected outcome per actor: ALLOW for `allowed`, `special` overrides, else `otherwise`."""
    return {actor: special.get(actor, ALLOW if actor in allowed else otherwise) for actor in ACTORS}


def _reads(visibility):
    """Feed, members, album: public clubs for all, private ones for insiders."""
    if visibility == Club.Visibility.PUBLIC:
        return _only(*ACTORS)
    return _only(*INSIDERS)


def _join(visibility):
    outsiders = ALLOW if visibility != Club.Visibility.INVITE else OTHER  # "invite only"
    return _only(
        "brand_staff",  # the brand's staff join any of its clubs at once, as owners
        member=OTHER,  # already a member
        leader=OTHER,
        club_moderator=OTHER,
        non_member=outsiders,
        other_brand_staff=outsiders,
        site_moderator=outsiders,
    )


PARTICIPANTS = ("member", "leader", "club_moderator", "brand_staff")
MANAGERS = ("club_moderator", "brand_staff")
MODERATORS = ("club_moderator", "brand_staff", "site_moderator")
CONTENT_MODERATORS = (*MODERATORS, "leader")

EXPECTED = {
    "view_club_home": lambda v: _only(*ACTORS),
    "view_feed": _reads,
    "view_members": _reads,
    "view_post_photo": _reads,
    "view_public_event": lambda v: _only(*ACTORS),
    "view_club_event": lambda v: _only(*INSIDERS),
    "view_album": lambda v: _only(*INSIDERS),
    "join": _join,
    "post": lambda v: _only(*PARTICIPANTS),
    "comment": lambda v: _only(*PARTICIPANTS),
    "like": lambda v: _only(*PARTICIPANTS),
    "announce": lambda v: _only("brand_staff"),
    "set_role": lambda v: _only("brand_staff"),
    "pin": lambda v: _only(*MANAGERS),
    "approve_request": lambda v: _only(*MANAGERS),
    "create_invite": lambda v: _only(*MANAGERS),
    "create_event": lambda v: _only(*MANAGERS),
    "check_in": lambda v: _only(*MANAGERS),
    "hide_post": lambda v: _only(*CONTENT_MODERATORS),
    "approve_pending_post": lambda v: _only(*CONTENT_MODERATORS),
    "remove_member": lambda v: _only(*MODERATORS),
    "ban_member": lambda v: _only(*MODERATORS),
    "rsvp_club_event": lambda v: _only(*PARTICIPANTS),
    "rsvp_public_event": lambda v: _only(*ACTORS[1:]),
    # Checked in at a members-only event (as the door staff would have done): only those
    # who may see the event can add photos or review it.
    "album_photo_as_attendee": lambda v: _only(*INSIDERS),
    "review_as_attendee": lambda v: _only(*INSIDERS),
    "album_photo_without_check_in": lambda v: _only(),
}


class World:
    """One club of `visibility` with one person of each kind, a post, a pending request,
    a plain member to act on, a members-only event and a public event."""

    def __init__(self, visibility):
        self.brand = BrandFactory()
        self.club = ClubFactory(brand=self.brand, visibility=visibility, member_count=4)
        other_brand = BrandFactory()
        members = {
            "member": ClubMembershipFactory(club=self.club).member,
            "leader": ClubMembershipFactory(
                club=self.club, member__trust_level=TrustLevel.LEADER
            ).member,
            "club_moderator": ClubMembershipFactory(
                club=self.club, role=ClubMembership.Role.MODERATOR
            ).member,
        }
        # Trust level 2: the photo post of "view_post_photo" is published at once.
        self.author = ClubMembershipFactory(
            club=self.club, member__trust_level=TrustLevel.MEMBER
        ).member
        self.target = ClubMembershipFactory(club=self.club).member
        self.applicant = ClubMembershipFactory(
            club=self.club, status=ClubMembership.Status.PENDING, joined_at=None
        ).member
        self.people = {
            "anonymous": AnonymousUser(),
            "non_member": MemberFactory(),
            **members,
            "brand_staff": BrandStaffFactory(brand=self.brand).member,
            "other_brand_staff": BrandStaffFactory(
                brand=other_brand, role=BrandStaff.Role.ADMIN
            ).member,
            "site_moderator": ModeratorFactory(),
        }
        self.post = ClubPostFactory(club=self.club, author=self.author)
        self.pending_post = ClubPostFactory(
            club=self.club, author=self.target, status=ClubPost.Status.PENDING
        )
        # going_count as the services keep it: the target member holds one seat.
        self.club_event = EventFactory(
            club=self.club, visibility=Event.Visibility.CLUB, going_count=1
        )
        self.public_event = EventFactory(club=self.club, visibility=Event.Visibility.PUBLIC)
        self.target_rsvp = EventRSVPFactory(event=self.club_event, member=self.target)
        now = timezone.now()
        self.started_event = EventFactory(
            club=self.club,
            visibility=Event.Visibility.CLUB,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=2),
        )

    def check_in(self, person):
        EventRSVP.objects.create(
            event=self.started_event,
            member=person,
            status=EventRSVP.Status.GOING,
            checkin_code=f"AT{person.pk:06d}",
            checked_in_at=timezone.now(),
        )


def _photo_url(world):
    post = feed_services.post_create(
        club=world.club, author=world.author, body="With a photo", photos=[image_upload()]
    )
    photo = post.photos.get()
    return reverse("brand_clubs:post_photo", args=[world.club.slug, photo.pk, "thumb"])


def _pages(world):
    slug = world.club.slug
    return {
        "view_club_home": lambda: reverse("brand_clubs:club", args=[slug]),
        "view_feed": lambda: reverse("brand_clubs:club_feed", args=[slug]),
        "view_members": lambda: reverse("brand_clubs:club_members", args=[slug]),
        "view_post_photo": lambda: _photo_url(world),
        "view_public_event": lambda: reverse(
            "brand_clubs:event", args=[slug, world.public_event.pk]
        ),
        "view_club_event": lambda: reverse("brand_clubs:event", args=[slug, world.club_event.pk]),
        "view_album": lambda: reverse(
            "brand_clubs:event_album", args=[slug, world.started_event.pk]
        ),
    }


def _writes(world, person):
    club, post = world.club, world.post
    in_a_week = timezone.now() + timedelta(days=7)

    def attended(action):
        def run():
            if person.is_authenticated:
                world.check_in(person)
            action()

        return run

    return {
        "join": lambda: club_services.club_join(club=club, member=person),
        "post": lambda: feed_services.post_create(club=club, author=person, body="Hello"),
        "comment": lambda: feed_services.comment_create(post=post, author=person, body="Hi"),
        "like": lambda: feed_services.post_like(post=post, member=person),
        "announce": lambda: feed_services.post_create(
            club=club, author=person, body="News", kind="announcement"
        ),
        "set_role": lambda: club_services.club_member_set_role(
            club=club, actor=person, member=world.target, role=ClubMembership.Role.MODERATOR
        ),
        "pin": lambda: feed_services.post_pin(post=post, actor=person, pinned=True),
        "approve_request": lambda: club_services.club_request_decide(
            club=club, actor=person, member=world.applicant, approve=True
        ),
        "create_invite": lambda: club_services.club_invite_create(club=club, actor=person),
        "create_event": lambda: event_services.event_create(
            club=club,
            actor=person,
            title="Ride out",
            description="",
            starts_at=in_a_week,
            ends_at=in_a_week + timedelta(hours=2),
            time_zone="Europe/Berlin",
            format=Event.Format.OFFLINE,
            venue_name="Harbour",
            visibility=Event.Visibility.CLUB,
        ),
        "check_in": lambda: event_services.event_check_in(
            event=world.club_event, actor=person, code=world.target_rsvp.checkin_code
        ),
        "hide_post": lambda: feed_services.post_hide(post=post, actor=person, reason="Spam"),
        "approve_pending_post": lambda: feed_services.post_approve(
            post=world.pending_post, actor=person
        ),
        "remove_member": lambda: club_services.club_member_remove(
            club=club, actor=person, member=world.target, reason="Rude"
        ),
        "ban_member": lambda: club_services.club_member_ban(
            club=club, actor=person, member=world.target, reason="Spam"
        ),
        "rsvp_club_event": lambda: event_services.event_rsvp(event=world.club_event, member=person),
        "rsvp_public_event": lambda: event_services.event_rsvp(
            event=world.public_event, member=person
        ),
        "album_photo_as_attendee": attended(
            lambda: event_services.event_photo_add(
                event=world.started_event, uploader=person, photos=[image_upload()]
            )
        ),
        "review_as_attendee": attended(
            lambda: event_services.event_review_create(
                event=world.started_event, author=person, rating=5, body="Great ride."
            )
        ),
        "album_photo_without_check_in": lambda: event_services.event_photo_add(
            event=world.started_event, uploader=person, photos=[image_upload()]
        ),
    }


def _outcome_of_write(action) -> str:
    try:
        action()
    except (AccessDenied, NotFound):
        return DENY
    except DomainError:
        return OTHER
    return ALLOW


def _outcome_of_page(client, url) -> str:
    response = client.get(url)
    if response.status_code == 200:
        return ALLOW
    if response.status_code in (302, 403, 404):
        return DENY
    raise AssertionError(f"{url}: unexpected HTTP {response.status_code}")


CASES = [
    (action, visibility, actor)
    for action in EXPECTED
    for visibility in VISIBILITIES
    for actor in ACTORS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "visibility", "actor"), CASES)
def test_permission_matrix(client, action, visibility, actor):
    world = World(visibility)
    person = world.people[actor]
    if person.is_authenticated:
        client.force_login(person)
    pages = _pages(world)
    if action in pages:
        outcome = _outcome_of_page(client, pages[action]())
    else:
        outcome = _outcome_of_write(_writes(world, person)[action])
    assert outcome == EXPECTED[action](visibility)[actor], (action, visibility, actor)
