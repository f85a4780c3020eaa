"""Leaderboards of a club and of a field: all time from the cached scores, the last 7 and
30 days from the ledger; ranks with ties; who is left out; a junk ?period= falls back
to the default; a private club's board is a 404 for outsiders; fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from brand_clubs.models import Club, ClubMembership
from community.reputation import leaderboards
from community.reputation.leaderboards import (
    ALL_TIME,
    DEFAULT_PERIOD,
    MONTH,
    WEEK,
    leaderboard_for_category,
    leaderboard_for_club,
    leaderboard_period,
)
from community.reputation.rules import Reason, TrustLevel
from community.reputation.services import reputation_record, reputation_undo
from tests.factories import (
    BrandStaffFactory,
    CategoryFactory,
    ClubFactory,
    ClubMembershipFactory,
    MemberFactory,
    ModeratorFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def events(member, count: int, *, days_ago: int = 0, **scope):
    """`count` event check-ins (5 points each) recorded `days_ago` days ago."""
    now = timezone.now() - timedelta(days=days_ago)
    for _ in range(count):
        reputation_record(member=member, reason=Reason.EVENT_ATTENDED, now=now, **scope)


def board(rows):
    return [(row.rank, row.member.pk, row.points) for row in rows]


def field_url(category, period=None):
    url = reverse("reputation:field_leaderboard", args=[category.slug])
    return f"{url}?period={period}" if period is not None else url


def club_url(club, period=None):
    url = reverse("reputation:club_leaderboard", args=[club.slug])
    return f"{url}?period={period}" if period is not None else url


# --- the selectors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("week", WEEK),
        ("month", MONTH),
        ("all", ALL_TIME),
        (None, DEFAULT_PERIOD),
        ("", DEFAULT_PERIOD),
        ("ALL", DEFAULT_PERIOD),
        ("year", DEFAULT_PERIOD),
        ("week\x00", DEFAULT_PERIOD),
        (["all"], DEFAULT_PERIOD),
    ],
)
def test_period_values(value, expected):
    assert leaderboard_period(value) == expected


def test_all_time_ranks_by_total_with_shared_ranks_for_ties():
    category = CategoryFactory()
    first, second, tied, last = MemberFactory.create_batch(4)
    events(first, 4, category=category)
    events(second, 2, category=category)
    events(tied, 2, category=category)
    events(last, 1, category=category)
    assert board(leaderboard_for_category(category=category, period=ALL_TIME)) == [
        (1, first.pk, 20),
        (2, second.pk, 10),
        (2, tied.pk, 10),
        (4, last.pk, 5),
    ]


def test_inactive_members_and_non_positive_sums_are_left_out():
    category = CategoryFactory()
    kept, closed, cancelled = MemberFactory.create_batch(3)
    events(kept, 1, category=category)
    events(closed, 3, category=category)
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    # A helpful mark withdrawn the same week: +10 then -10, nothing left.
    review, voter = ReviewFactory(author=cancelled), MemberFactory()
    reputation_record(
        member=cancelled,
        reason=Reason.REVIEW_HELPFUL,
        source=review,
        actor=voter,
        category=category,
    )
    reputation_undo(member=cancelled, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL])
    for period in (WEEK, MONTH, ALL_TIME):
        assert board(leaderboard_for_category(category=category, period=period)) == [
            (1, kept.pk, 5)
        ], period


def test_members_banned_from_the_club_are_left_out_of_its_board():
    club = ClubFactory()
    kept, banned = MemberFactory.create_batch(2)
    events(kept, 1, club=club)
    events(banned, 3, club=club)
    ClubMembershipFactory(club=club, member=banned, status=ClubMembership.Status.BANNED)
    for period in (WEEK, MONTH, ALL_TIME):
        assert board(leaderboard_for_club(club=club, period=period)) == [(1, kept.pk, 5)], period


def test_periods_count_only_their_window():
    club = ClubFactory()
    this_week, this_month, long_ago = MemberFactory.create_batch(3)
    events(this_week, 1, days_ago=1, club=club)
    events(this_month, 3, days_ago=10, club=club)
    events(long_ago, 5, days_ago=40, club=club)
    events(this_month, 1, days_ago=2, club=club)
    assert board(leaderboard_for_club(club=club, period=WEEK)) == [
        (1, this_week.pk, 5),
        (1, this_month.pk, 5),
    ]
    assert board(leaderboard_for_club(club=club, period=MONTH)) == [
        (1, this_month.pk, 20),
        (2, this_week.pk, 5),
    ]
    assert board(leaderboard_for_club(club=club, period=ALL_TIME)) == [
        (1, long_ago.pk, 25),
        (2, this_month.pk, 20),
        (3, this_week.pk, 5),
    ]


def test_a_club_board_counts_only_that_club_and_a_field_only_that_field():
    club, other_club = ClubFactory.create_batch(2)
    category, other_category = CategoryFactory.create_batch(2)
    member = MemberFactory()
    events(member, 1, club=club, category=category)
    events(member, 2, club=other_club, category=other_category)
    for period in (WEEK, ALL_TIME):
        assert board(leaderboard_for_club(club=club, period=period)) == [(1, member.pk, 5)]
        assert board(leaderboard_for_category(category=category, period=period)) == [
            (1, member.pk, 5)
        ]


def test_the_board_stops_at_its_size(monkeypatch):
    monkeypatch.setattr(leaderboards, "LEADERBOARD_SIZE", 2)
    category = CategoryFactory()
    for count in (1, 2, 3):
        events(MemberFactory(), count, category=category)
    for period in (WEEK, ALL_TIME):
        rows = leaderboard_for_category(category=category, period=period)
        assert [row.points for row in rows] == [15, 10]


# --- the pages -------------------------------------------------------------------------


def test_field_board_page_shows_rank_name_level_and_points(client):
    category = CategoryFactory(name="Tyres")
    leader = MemberFactory(display_name="Rita Rider", trust_level=TrustLevel.MEMBER)
    events(leader, 2, category=category)
    response = client.get(field_url(category))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Leaderboard of Tyres" in html
    assert f'<tr id="member-{leader.pk}">' in html
    assert "Rita Rider" in html and reverse("members:profile", args=[leader.pk]) in html
    assert "2 · Member" in html
    assert "<td>10</td>" in html
    assert 'href="?period=week" aria-current="page"' in html  # the default


@pytest.mark.parametrize(
    "query", ["?period=", "?period=year", "?period=%00", "?period[]=all", "?x=1"]
)
def test_junk_periods_show_the_default_board(client, query):
    category = CategoryFactory()
    events(MemberFactory(), 1, category=category, days_ago=20)
    response = client.get(field_url(category) + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="?period={DEFAULT_PERIOD}" aria-current="page"' in html
    assert "Nobody has earned points here in the last 7 days." in html


def test_empty_boards_say_so(client):
    category = CategoryFactory()
    html = client.get(field_url(category, "all")).content.decode()
    assert "Nobody has earned points here yet." in html
    html = client.get(field_url(category, "month")).content.decode()
    assert "Nobody has earned points here in the last 30 days." in html
    assert '<a href="?period=all">' in html


def test_unknown_field_or_club_is_404(client):
    assert client.get(reverse("reputation:field_leaderboard", args=["nope"])).status_code == 404
    assert client.get(reverse("reputation:club_leaderboard", args=["nope"])).status_code == 404


def test_public_club_board_is_open_to_everyone_and_linked_from_the_club(client):
    club = ClubFactory(name="Riders")
    member = MemberFactory(display_name="Otto")
    events(member, 1, club=club)
    response = client.get(club_url(club, "all"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Otto" in html and "Leaderboard" in html
    assert club_url(club) in client.get(club.get_absolute_url()).content.decode()


@pytest.mark.parametrize("visibility", [Club.Visibility.APPROVAL, Club.Visibility.INVITE])
def test_private_club_board_is_404_for_outsiders(client, visibility):
    club = ClubFactory(visibility=visibility)
    insider = ClubMembershipFactory(club=club).member
    events(insider, 1, club=club)
    # Anonymous visitors, signed-in outsiders, pending and banned members: 404.
    assert client.get(club_url(club, "all")).status_code == 404
    outsiders = [
        MemberFactory(),
        ClubMembershipFactory(club=club, status=ClubMembership.Status.PENDING).member,
        ClubMembershipFactory(club=club, status=ClubMembership.Status.BANNED).member,
    ]
    for outsider in outsiders:
        client.force_login(outsider)
        assert client.get(club_url(club, "all")).status_code == 404
    # Members, the brand's staff and site moderators see it.
    insiders = [insider, BrandStaffFactory(brand=club.brand).member, ModeratorFactory()]
    for viewer in insiders:
        client.force_login(viewer)
        response = client.get(club_url(club, "all"))
        assert response.status_code == 200
        assert f'<tr id="member-{insider.pk}"' in response.content.decode()


@pytest.mark.parametrize("period", [WEEK, ALL_TIME])
def test_field_board_query_count_is_fixed(client, django_assert_max_num_queries, period):
    category = CategoryFactory()
    counts = []
    for members in (3, 27):
        for member in MemberFactory.create_batch(members):
            events(member, 1, category=category)
        with django_assert_max_num_queries(2) as captured:
            response = client.get(field_url(category, period))
        assert response.content.decode().count('<tr id="member-') == len(counts) * 27 + 3
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("period", [MONTH, ALL_TIME])
def test_club_board_query_count_is_fixed(client, django_assert_max_num_queries, period):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    viewer = ClubMembershipFactory(club=club).member
    client.force_login(viewer)
    client.get(club_url(club))  # the session's first request records the day's visit
    counts = []
    for members in (3, 27):
        for member in MemberFactory.create_batch(members):
            events(member, 1, club=club)
        with django_assert_max_num_queries(10) as captured:
            response = client.get(club_url(club, period))
        assert response.content.decode().count('<tr id="member-') == len(counts) * 27 + 3
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
