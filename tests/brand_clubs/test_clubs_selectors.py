"""brand_clubs.selectors.clubs: the directory's filters and annotations, member order,
and a fixed number of queries however many rows."""

import pytest
from django.contrib.auth.models import AnonymousUser

from brand_clubs.models import Club, ClubMembership
from brand_clubs.selectors import clubs as selectors
from brand_clubs.services import clubs as services
from community.errors import NotFound
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db

Status = ClubMembership.Status
Role = ClubMembership.Role


def test_directory_lists_every_club_by_name_with_the_viewers_standing():
    viewer = MemberFactory()
    joined = ClubFactory(name="B joined")
    pending = ClubFactory(name="C pending", visibility=Club.Visibility.APPROVAL)
    staffed = ClubFactory(name="A staffed")
    ClubFactory(name="D other")
    ClubMembershipFactory(club=joined, member=viewer)
    ClubMembershipFactory(club=pending, member=viewer, status=Status.PENDING, joined_at=None)
    BrandStaffFactory(brand=staffed.brand, member=viewer)
    clubs = list(selectors.club_list(viewer=viewer))
    assert [club.name for club in clubs] == ["A staffed", "B joined", "C pending", "D other"]
    by_name = {club.name: club for club in clubs}
    assert by_name["B joined"].viewer_status == Status.ACTIVE
    assert by_name["C pending"].viewer_status == Status.PENDING
    assert by_name["A staffed"].viewer_is_staff and by_name["A staffed"].viewer_status is None
    assert by_name["D other"].viewer_status is None and not by_name["D other"].viewer_is_staff


def test_my_clubs_are_active_pending_and_staffed_but_not_banned():
    viewer = MemberFactory()
    joined, pending, staffed, banned = ClubFactory.create_batch(4)
    ClubFactory()
    ClubMembershipFactory(club=joined, member=viewer)
    ClubMembershipFactory(club=pending, member=viewer, status=Status.PENDING)
    ClubMembershipFactory(club=banned, member=viewer, status=Status.BANNED)
    BrandStaffFactory(brand=staffed.brand, member=viewer)
    ClubMembershipFactory(club=staffed, member=viewer)  # both ways: listed once
    mine = list(selectors.club_list(viewer=viewer, mine=True))
    assert {club.pk for club in mine} == {joined.pk, pending.pk, staffed.pk}
    assert len(mine) == 3


def test_anonymous_directory_and_my_clubs():
    ClubFactory.create_batch(2)
    anonymous = AnonymousUser()
    clubs = list(selectors.club_list(viewer=anonymous))
    assert len(clubs) == 2 and all(club.viewer_status is None for club in clubs)
    assert list(selectors.club_list(viewer=anonymous, mine=True)) == []


def test_filter_by_brand():
    brand = BrandFactory(slug="bmw")
    ours = ClubFactory(brand=brand)
    ClubFactory()
    assert [club.pk for club in selectors.club_list(viewer=None, brand_slug="bmw")] == [ours.pk]
    assert list(selectors.club_list(viewer=None, brand_slug="nope")) == []
    assert list(selectors.brand_list_with_clubs()).count(brand) == 1
    assert BrandFactory() not in selectors.brand_list_with_clubs()


@pytest.mark.parametrize("as_member", [False, True])
def test_directory_query_count_is_fixed(django_assert_num_queries, as_member):
    viewer = MemberFactory() if as_member else AnonymousUser()
    for size in (10, 50):
        Club.objects.all().delete()
        for club in ClubFactory.create_batch(size):
            if as_member:
                ClubMembershipFactory(club=club, member=viewer)
        with django_assert_num_queries(1):
            clubs = list(selectors.club_list(viewer=viewer))
            assert all(club.brand.name for club in clubs)
        assert len(clubs) == size


def test_member_list_orders_owners_then_moderators_then_by_joining():
    club = ClubFactory()
    early = ClubMembershipFactory(club=club)
    moderator = ClubMembershipFactory(club=club, role=Role.MODERATOR)
    owner = ClubMembershipFactory(club=club, role=Role.OWNER)
    late = ClubMembershipFactory(club=club)
    ClubMembershipFactory(club=club, status=Status.PENDING)
    ClubMembershipFactory(club=club, status=Status.BANNED)
    ClubMembershipFactory()  # another club
    rows = list(selectors.club_member_list(club=club))
    assert [row.pk for row in rows] == [owner.pk, moderator.pk, early.pk, late.pk]


def test_member_list_query_count_is_fixed(django_assert_num_queries):
    for size in (10, 50):
        club = ClubFactory()
        ClubMembershipFactory.create_batch(size, club=club)
        with django_assert_num_queries(1):
            names = [row.member.public_name for row in selectors.club_member_list(club=club)]
        assert len(names) == size


def test_requests_banned_invites_and_audit_belong_to_the_club():
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    other = ClubFactory(visibility=Club.Visibility.APPROVAL)
    staff = BrandStaffFactory(brand=club.brand).member
    first, second = MemberFactory.create_batch(2)
    services.club_join(club=club, member=first)
    services.club_join(club=club, member=second)
    services.club_join(club=other, member=MemberFactory())
    assert [row.member for row in selectors.club_request_list(club=club)] == [first, second]
    assert selectors.club_request_count(club=club) == 2
    services.club_member_ban(club=club, actor=staff, member=second, reason="spam")
    assert [row.member for row in selectors.club_banned_list(club=club)] == [second]
    invite = services.club_invite_create(club=club, actor=staff)
    assert list(selectors.club_invite_list(club=club)) == [invite]
    assert selectors.club_invite_get(club=club, pk=invite.pk) == invite
    for bad in ("x", None, invite.pk + 1000):
        with pytest.raises(NotFound):
            selectors.club_invite_get(club=club, pk=bad)
    with pytest.raises(NotFound):
        selectors.club_invite_get(club=other, pk=invite.pk)
    assert [entry.action for entry in selectors.club_audit_list(club=club)] == ["invite", "ban"]
    assert selectors.club_brand_staff_ids(club=club) == {staff.pk}


def test_get_helpers_handle_bad_input():
    club = ClubFactory(slug="known")
    assert selectors.club_get(slug="known") == club
    with pytest.raises(NotFound):
        selectors.club_get(slug="unknown")
    for bad in ("abc", None, 10**9):
        with pytest.raises(NotFound):
            selectors.club_action_target(member_id=bad)
    assert selectors.club_invite_by_token(token="") is None
    assert selectors.club_invite_by_token(token="x" * 100) is None


def test_clubs_for_brand_in_one_query(django_assert_num_queries):
    brand = BrandFactory()
    ClubFactory.create_batch(5, brand=brand)
    ClubFactory()
    with django_assert_num_queries(1):
        clubs = selectors.club_list_for_brand(brand=brand)
        assert [club.get_absolute_url() for club in clubs]
    assert len(clubs) == 5
