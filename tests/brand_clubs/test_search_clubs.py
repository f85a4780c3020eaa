"""Clubs, club posts and events in search: what each document says, who finds it
("club:<id>" keys for private feeds and members-only events), and that the index follows
changes (hidden posts, visibility switches, cancelled events, removed members)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from brand_clubs.models import Club, ClubMembership, ClubPage, ClubPost, Event
from brand_clubs.services.pages import club_page_ensure
from search import services
from search.documents import visibility_club
from search.models import SearchEntry
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    ClubPostFactory,
    EventFactory,
    MemberFactory,
    ModeratorFactory,
)
from tests.search.conftest import database_search, search_backend  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
ANONYMOUS = AnonymousUser()


@pytest.fixture
def club_search(database_search):  # noqa: F811 (the fixture imported above)
    return database_search


def found(query: str, user) -> set[str]:
    return {f"{hit.doc_type}:{hit.doc_id}" for hit in services.search(query, user=user).hits}


@pytest.fixture
def private_club(club_search):
    return ClubFactory(name="Velvet riders", visibility=Club.Visibility.APPROVAL)


@pytest.fixture
def public_club(club_search):
    return ClubFactory(name="Open road club", visibility=Club.Visibility.PUBLIC)


@pytest.fixture
def member(private_club):
    return ClubMembershipFactory(club=private_club).member


@pytest.fixture
def secret_post(private_club, member):
    return ClubPostFactory(club=private_club, author=member, body="Moonlit **zephyrine** ride")


# --- visibility_for -------------------------------------------------------------------


def test_visibility_keys_cover_active_memberships_and_staffed_brands(
    private_club, public_club, django_assert_num_queries
):
    member = MemberFactory()
    ClubMembershipFactory(club=private_club, member=member)
    pending_club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    ClubMembershipFactory(club=pending_club, member=member, status=ClubMembership.Status.PENDING)
    banned_club = ClubFactory(visibility=Club.Visibility.INVITE)
    ClubMembershipFactory(club=banned_club, member=member, status=ClubMembership.Status.BANNED)
    staffed = ClubFactory(visibility=Club.Visibility.INVITE)
    BrandStaffFactory(brand=staffed.brand, member=member)
    with django_assert_num_queries(1):
        keys = services.visibility_for(member)
    assert visibility_club(private_club.pk) in keys
    assert visibility_club(staffed.pk) in keys
    assert visibility_club(pending_club.pk) not in keys
    assert visibility_club(banned_club.pk) not in keys
    assert len(keys) == len(set(keys))
    assert services.visibility_for(ANONYMOUS) == ("public",)


# --- club posts -----------------------------------------------------------------------


def test_private_club_posts_are_found_by_members_only(private_club, member, secret_post):
    key = f"club_post:{secret_post.pk}"
    assert found("zephyrine", member) == {key}
    assert found("zephyrine", MemberFactory()) == set()
    assert found("zephyrine", ANONYMOUS) == set()
    pending = MemberFactory()
    ClubMembershipFactory(club=private_club, member=pending, status=ClubMembership.Status.PENDING)
    assert found("zephyrine", pending) == set()
    staff = BrandStaffFactory(brand=private_club.brand).member
    assert found("zephyrine", staff) == {key}


def test_a_post_document_reads_as_the_reader_sees_it(secret_post, private_club):
    entry = SearchEntry.objects.get(doc_type="club_post", doc_id=secret_post.pk)
    assert entry.title == private_club.name
    assert "zephyrine" in entry.body and "**" not in entry.body
    assert entry.url == secret_post.get_absolute_url()


def test_removing_a_member_removes_access_at_once(private_club, member, secret_post):
    assert found("zephyrine", member)
    ClubMembership.objects.filter(club=private_club, member=member).delete()
    assert found("zephyrine", member) == set()


def test_banning_a_member_removes_access(private_club, member, secret_post):
    ClubMembership.objects.filter(member=member).update(status=ClubMembership.Status.BANNED)
    assert found("zephyrine", member) == set()


def test_public_club_posts_are_public(public_club):
    post = ClubPostFactory(club=public_club, body="Sunrise over the quarryline")
    assert found("quarryline", ANONYMOUS) == {f"club_post:{post.pk}"}


def test_hidden_and_deleted_posts_leave_the_index(private_club, member, secret_post):
    secret_post.status = ClubPost.Status.HIDDEN
    secret_post.save()
    assert found("zephyrine", member) == set()
    secret_post.status = ClubPost.Status.PUBLISHED
    secret_post.save()
    assert found("zephyrine", member)
    secret_post.status = ClubPost.Status.DELETED
    secret_post.save()
    assert found("zephyrine", member) == set()
    assert not SearchEntry.objects.filter(doc_type="club_post", doc_id=secret_post.pk).exists()


def test_a_club_going_private_takes_its_posts_and_events_with_it(public_club):
    post = ClubPostFactory(club=public_club, body="Gravelgrinder diaries")
    outsider = MemberFactory()
    assert found("gravelgrinder", outsider) == {f"club_post:{post.pk}"}
    public_club.visibility = Club.Visibility.INVITE
    public_club.save()
    assert found("gravelgrinder", outsider) == set()
    public_club.visibility = Club.Visibility.PUBLIC
    public_club.name = "Gravel gang"
    public_club.save()
    assert found("gravelgrinder", outsider) == {f"club_post:{post.pk}"}
    entry = SearchEntry.objects.get(doc_type="club_post", doc_id=post.pk)
    assert entry.title == "Gravel gang"


def test_script_in_a_post_is_plain_text_in_results(public_club):
    ClubPostFactory(club=public_club, body="Tricky <script>alert('x')</script> hillclimbers")
    results = services.search("hillclimbers", user=ANONYMOUS)
    assert results.total == 1
    assert "<script" not in (results.hits[0].snippet or "")


# --- events ---------------------------------------------------------------------------


def test_members_only_events_of_public_clubs_are_for_members(public_club):
    insider = ClubMembershipFactory(club=public_club).member
    event = EventFactory(club=public_club, title="Quokkafest members night")
    key = f"event:{event.pk}"
    assert found("quokkafest", insider) == {key}
    assert found("quokkafest", MemberFactory()) == set()
    assert found("quokkafest", ANONYMOUS) == set()


def test_public_events_are_public_even_in_private_clubs(private_club):
    event = EventFactory(
        club=private_club, title="Open quokkafest day", visibility=Event.Visibility.PUBLIC
    )
    assert found("quokkafest", ANONYMOUS) == {f"event:{event.pk}"}
    entry = SearchEntry.objects.get(doc_type="event", doc_id=event.pk)
    assert private_club.name in entry.context


def test_cancelled_events_leave_the_index(public_club):
    event = EventFactory(club=public_club, title="Quokkafest", visibility=Event.Visibility.PUBLIC)
    event.status = Event.Status.CANCELLED
    event.save()
    assert found("quokkafest", ANONYMOUS) == set()


def test_an_event_cancelled_through_the_service_leaves_the_index(public_club):
    from brand_clubs.services.events import event_cancel

    staff = BrandStaffFactory(brand=public_club.brand).member
    event = EventFactory(club=public_club, title="Wombatmeet", visibility=Event.Visibility.PUBLIC)
    assert found("wombatmeet", ANONYMOUS) == {f"event:{event.pk}"}
    event_cancel(event=event, actor=staff, reason="Storm warning")
    assert found("wombatmeet", ANONYMOUS) == set()


# --- clubs ----------------------------------------------------------------------------


def test_every_club_is_found_by_anyone_with_its_live_page_text(private_club):
    page = club_page_ensure(club=private_club)
    page.body = [("paragraph", "<p>We polish <b>chromewhistle</b> bikes</p>")]
    page.save_revision()  # a draft: not in search yet
    assert found("chromewhistle", ANONYMOUS) == set()
    assert found("velvet", ANONYMOUS) == {f"club:{private_club.pk}"}
    page.get_latest_revision().publish()
    assert found("chromewhistle", ANONYMOUS) == {f"club:{private_club.pk}"}
    entry = SearchEntry.objects.get(doc_type="club", doc_id=private_club.pk)
    assert "<b>" not in entry.body
    assert entry.url == private_club.get_absolute_url()
    # The page itself is not a separate "page" result.
    assert not SearchEntry.objects.filter(doc_type="page", doc_id=page.pk).exists()
    assert ClubPage.objects.filter(pk=page.pk, live=True).exists()


def test_rebuild_keeps_visibility_rules(private_club, member, secret_post):
    services.index_rebuild()
    assert found("zephyrine", member) == {f"club_post:{secret_post.pk}"}
    assert found("zephyrine", MemberFactory()) == set()
    assert found("velvet", ANONYMOUS) == {f"club:{private_club.pk}"}


def test_every_backend_applies_club_keys(search_backend):  # noqa: F811 (fixture)
    """The same rules on the engine (when SEARCH_URL is set): the corpus is indexed by a
    rebuild, and access follows memberships without reindexing."""
    club = ClubFactory(name="Harbour owls", visibility=Club.Visibility.INVITE)
    insider = ClubMembershipFactory(club=club).member
    post = ClubPostFactory(club=club, body="Foghorn lanternfish sighting")
    members_event = EventFactory(club=club, title="Lanternfish supper")
    open_event = EventFactory(
        club=club, title="Lanternfish open day", visibility=Event.Visibility.PUBLIC
    )
    services.index_rebuild()
    everything = {f"club_post:{post.pk}", f"event:{members_event.pk}", f"event:{open_event.pk}"}
    assert found("lanternfish", insider) == everything
    assert found("lanternfish", MemberFactory()) == {f"event:{open_event.pk}"}
    assert found("lanternfish", ANONYMOUS) == {f"event:{open_event.pk}"}
    ClubMembership.objects.filter(member=insider).delete()
    assert found("lanternfish", insider) == {f"event:{open_event.pk}"}


def test_site_moderators_without_membership_do_not_get_private_posts_in_search(secret_post):
    """Moderators read private feeds on the site; search lists only clubs one is in."""
    assert found("zephyrine", ModeratorFactory()) == set()
