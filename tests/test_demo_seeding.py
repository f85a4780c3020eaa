"""community.demo.seeding.demo_seed, called directly (tests/reviews/test_seed_demo.py covers
the command and the data it leaves)."""

import pytest

from community.demo.seeding import DemoSeedError, demo_reviews, demo_seed
from community.reviews.models import BrandReply


def test_demo_seed_reports_what_it_holds_and_adds_nothing_the_second_time(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    first = demo_seed(reviews=30)
    assert (first.brands, first.products, first.members) == (6, 30, 200)
    assert first.reviews == first.created == demo_reviews().count() == 30
    assert first.with_photos == 3  # min(30, 30 // 10)
    assert first.verified == demo_reviews().filter(verified_purchase=True).count()
    assert first.brand_replies == BrandReply.objects.count()
    again = demo_seed(reviews=30)
    assert again.created == 0
    assert (again.reviews, again.verified, again.with_photos) == (30, first.verified, 3)


def test_demo_seed_refuses_a_negative_count(db):
    with pytest.raises(DemoSeedError):
        demo_seed(reviews=-1)


def test_demo_seed_adds_clubs_with_pages_members_feed_and_events_once(db, settings):
    from django.contrib.auth.models import AnonymousUser

    from brand_clubs.models import (
        Club,
        ClubComment,
        ClubMembership,
        ClubPage,
        ClubPost,
        ClubPostLike,
        Event,
        EventReview,
        EventRSVP,
    )
    from brand_clubs.services.pages import editor_group_name
    from community.members.models import Member
    from search import services as search

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    first = demo_seed(reviews=10)
    assert first.clubs == Club.objects.count() == 5
    assert set(Club.objects.values_list("visibility", flat=True)) == set(Club.Visibility.values)
    assert 10 <= first.club_posts == ClubPost.objects.count()
    assert first.events == Event.objects.count() == 3
    for club in Club.objects.all():
        page = ClubPage.objects.get(club=club)
        assert page.live
        assert [block.block_type for block in page.body] == [
            "paragraph",
            "products",
            "upcoming_events",
        ]
        assert club.member_count == club.memberships.filter(status="active").count()
        assert club.cover_card

    demo = Member.objects.get(email="demo@goodword.example")
    staff = Member.objects.get(email="staff@goodword.example")
    public, approval = (
        Club.objects.get(slug="roadgrip-riders"),
        Club.objects.get(slug="roadgrip-track-days"),
    )
    assert ClubMembership.objects.get(club=public, member=demo).status == "active"
    assert ClubMembership.objects.get(club=approval, member=demo).status == "pending"
    assert staff.groups.filter(name=editor_group_name(public.brand)).exists()
    assert ClubComment.objects.exists() and ClubPostLike.objects.exists()

    upcoming = Event.objects.filter(ends_at__gt=first_now()).order_by("starts_at")
    assert upcoming.count() == 2
    small = upcoming.first()
    assert (small.capacity, small.going_count, small.waitlist_count) == (3, 3, 2)
    past = Event.objects.get(ends_at__lte=first_now())
    assert EventRSVP.objects.filter(event=past, checked_in_at__isnull=False).count() == 2
    assert EventReview.objects.filter(event=past).count() == 1

    # Search: the public club's feed for anyone, the approval club's for its members only.
    track_member = Member.objects.get(email="member6@goodword.example")
    assert search.search("ring", user=AnonymousUser()).total == 0
    assert [h.doc_type for h in search.search("ring", user=track_member).hits] == ["club_post"]
    assert search.search("commute", user=AnonymousUser()).total == 1

    memberships, likes = ClubMembership.objects.count(), ClubPostLike.objects.count()
    again = demo_seed(reviews=10)
    assert (again.clubs, again.club_posts, again.events) == (5, first.club_posts, 3)
    assert (ClubMembership.objects.count(), ClubPostLike.objects.count()) == (memberships, likes)


def first_now():
    from django.utils import timezone

    return timezone.now()
