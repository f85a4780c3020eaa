"""Reads of club feeds: order, visibility, the viewer's like, prefetched comments, and
a fixed number of queries whatever the feed's length."""

import pytest
from django.contrib.auth.models import AnonymousUser

from brand_clubs.models import Club, ClubMembership, ClubPost
from brand_clubs.selectors import feed as selectors
from brand_clubs.services import feed as services
from community.errors import NotFound
from community.reputation.rules import TrustLevel
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    ClubPostFactory,
    MemberFactory,
    ModeratorFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


def _member(club, *, level=TrustLevel.MEMBER, **kwargs):
    """A member of `club`. These tests mean established members (trust level 2: links,
    several photos, posts published at once); test_trust_gates.py covers new members."""
    if "member" not in kwargs:
        kwargs["member__trust_level"] = level
    return ClubMembershipFactory(club=club, **kwargs).member


@pytest.fixture
def club():
    return ClubFactory()


def test_pinned_first_then_newest_and_only_published(club):
    old, middle, new = (ClubPostFactory(club=club) for _ in range(3))
    hidden = ClubPostFactory(club=club, status=ClubPost.Status.HIDDEN)
    deleted = ClubPostFactory(club=club, status=ClubPost.Status.DELETED)
    ClubPostFactory()  # another club's post
    services.post_pin(post=old, actor=BrandStaffFactory(brand=club.brand).member, pinned=True)
    posts = list(selectors.post_list_for_club(club=club, viewer=AnonymousUser()))
    assert posts == [old, new, middle]
    assert hidden not in posts and deleted not in posts


def test_viewer_liked_and_latest_three_visible_comments(club):
    post = ClubPostFactory(club=club)
    fan = _member(club)
    services.post_like(post=post, member=fan)
    comments = [services.comment_create(post=post, author=fan, body=f"c{n}") for n in range(5)]
    services.comment_hide(comment=comments[4], actor=ModeratorFactory(), reason="Spam")
    [for_fan] = selectors.post_list_for_club(club=club, viewer=fan)
    assert for_fan.viewer_liked is True
    assert [c.body for c in for_fan.latest_comments] == ["c3", "c2", "c1"]
    [for_other] = selectors.post_list_for_club(club=club, viewer=_member(club))
    assert for_other.viewer_liked is False
    [for_anonymous] = selectors.post_list_for_club(club=club, viewer=AnonymousUser())
    assert for_anonymous.viewer_liked is False


def test_private_feed_is_empty_for_outsiders(db):
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    ClubPostFactory(club=club)
    assert not selectors.post_list_for_club(club=club, viewer=AnonymousUser()).exists()
    assert not selectors.post_list_for_club(club=club, viewer=MemberFactory()).exists()
    pending = _member(club, status=ClubMembership.Status.PENDING)
    assert not selectors.post_list_for_club(club=club, viewer=pending).exists()
    for insider in (_member(club), BrandStaffFactory(brand=club.brand).member, ModeratorFactory()):
        assert selectors.post_list_for_club(club=club, viewer=insider).count() == 1


def _seed(club, count):
    fans = [_member(club) for _ in range(3)]
    for index in range(count):
        post = services.post_create(
            club=club, author=fans[index % 3], body=f"Post {index}", photos=[image_upload()]
        )
        services.post_like(post=post, member=fans[(index + 1) % 3])
        services.comment_create(post=post, author=fans[(index + 2) % 3], body="Nice")
    return fans[0]


def test_list_query_count_does_not_grow(club, settings, django_assert_num_queries):
    settings.WRITE_RATE_LIMITS = {
        k: (10**6, p) for k, (_n, p) in settings.WRITE_RATE_LIMITS.items()
    }
    viewer = _seed(club, 10)
    with django_assert_num_queries(5):  # standing (2), posts, photos, comments + authors
        posts = list(selectors.post_list_for_club(club=club, viewer=viewer))
        assert all(p.photos.all() and p.latest_comments and p.author.public_name for p in posts)
    _seed(club, 40)
    with django_assert_num_queries(5):
        posts = list(selectors.post_list_for_club(club=club, viewer=viewer))
        assert len(posts) == 50
        assert all(p.photos.all() and p.latest_comments and p.author.public_name for p in posts)


def test_post_get_visibility(club):
    author = _member(club)
    post = ClubPostFactory(club=club, author=author)
    assert selectors.post_get(club=club, pk=post.pk, viewer=AnonymousUser()) == post
    assert selectors.post_get(club=club, pk=str(post.pk), viewer=author) == post
    for bad in ("abc", None, "", 10**30, -1):
        with pytest.raises(NotFound):
            selectors.post_get(club=club, pk=bad, viewer=author)
    with pytest.raises(NotFound):  # another club's URL for this post
        selectors.post_get(club=ClubFactory(), pk=post.pk, viewer=author)
    post.status = ClubPost.Status.HIDDEN
    post.save()
    assert selectors.post_get(club=club, pk=post.pk, viewer=author) == post
    club_moderator = _member(club, role=ClubMembership.Role.MODERATOR)
    assert selectors.post_get(club=club, pk=post.pk, viewer=club_moderator) == post
    assert selectors.post_get(club=club, pk=post.pk, viewer=ModeratorFactory()) == post
    for viewer in (_member(club), AnonymousUser()):
        with pytest.raises(NotFound):
            selectors.post_get(club=club, pk=post.pk, viewer=viewer)
    post.status = ClubPost.Status.DELETED
    post.save()
    for viewer in (author, club_moderator, ModeratorFactory()):
        with pytest.raises(NotFound):
            selectors.post_get(club=club, pk=post.pk, viewer=viewer)


def test_post_get_in_private_club_is_not_found_for_outsiders(db):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    post = ClubPostFactory(club=club)
    with pytest.raises(NotFound):
        selectors.post_get(club=club, pk=post.pk, viewer=MemberFactory())


def test_comment_list_shows_hidden_comments_to_their_author_and_moderators(club):
    post = ClubPostFactory(club=club)
    writer = _member(club)
    shown = services.comment_create(post=post, author=writer, body="Fine")
    hidden = services.comment_create(post=post, author=writer, body="Rude")
    services.comment_hide(comment=hidden, actor=ModeratorFactory(), reason="Rude")
    gone = services.comment_create(post=post, author=writer, body="Oops")
    services.comment_delete(comment=gone, actor=writer)
    assert list(selectors.comment_list_for_post(post=post, viewer=_member(club))) == [shown]
    assert list(selectors.comment_list_for_post(post=post, viewer=writer)) == [shown, hidden]
    moderator = _member(club, role=ClubMembership.Role.MODERATOR)
    assert list(selectors.comment_list_for_post(post=post, viewer=moderator)) == [shown, hidden]


def test_photo_rendition_is_whitelisted(club):
    author = _member(club)
    post = services.post_create(club=club, author=author, body="", photos=[image_upload()])
    photo = post.photos.get()
    file = selectors.post_photo_get(
        club=club, photo_id=photo.pk, rendition="thumb_webp", viewer=AnonymousUser()
    )
    assert file.name == photo.thumb_webp.name
    for rendition in ("original", "__class__", "post", "width", "thumb.url"):
        with pytest.raises(NotFound):
            selectors.post_photo_get(
                club=club, photo_id=photo.pk, rendition=rendition, viewer=author
            )
    with pytest.raises(NotFound):
        selectors.post_photo_get(
            club=ClubFactory(), photo_id=photo.pk, rendition="thumb", viewer=author
        )
