"""Feed pages and actions over HTTP: private clubs stay private (pages, photos), forms
keep the text on errors, ids of other clubs' posts are 404s, htmx and JSON clients get
fragments and 4xx bodies, and the feed page runs a fixed number of queries."""

import io

import pytest
from django.urls import reverse

from brand_clubs.models import Club, ClubAuditEntry, ClubComment, ClubMembership, ClubPost
from brand_clubs.services import feed as services
from community.reputation.rules import TrustLevel
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
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


def _feed(club):
    return reverse("brand_clubs:club_feed", args=[club.slug])


def _url(name, club, *args):
    return reverse(f"brand_clubs:{name}", args=[club.slug, *args])


@pytest.fixture
def club():
    return ClubFactory()


@pytest.fixture
def private_club():
    return ClubFactory(visibility=Club.Visibility.APPROVAL)


def _post(club, author=None, **kwargs):
    kwargs.setdefault("body", "Ride **report**")
    return services.post_create(club=club, author=author or _member(club), **kwargs)


# --- the feed page --------------------------------------------------------------------


def test_anonymous_reads_public_feed_with_labels(client, club):
    plain = _post(club, body="Plain <script>alert('x')</script> post")
    staff = BrandStaffFactory(brand=club.brand).member
    announcement = _post(club, staff, body="Big news", kind=ClubPost.Kind.ANNOUNCEMENT)
    services.post_pin(post=plain, actor=staff, pinned=True)
    response = client.get(_feed(club))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="post-') == 2
    assert html.index(f'id="post-{plain.pk}"') < html.index(f'id="post-{announcement.pk}"')
    assert "Pinned" in html and "Announcement" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'name="body"' not in html  # no post form for visitors
    assert "Log in" in html


def test_empty_feed_has_a_friendly_message(client, club):
    client.force_login(_member(club))
    response = client.get(_feed(club))
    assert "Be the first" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "outsider", "pending"])
def test_private_feed_is_403_with_a_join_hint(client, private_club, who):
    _post(private_club, body="Members-only secret")
    if who == "outsider":
        client.force_login(MemberFactory())
    elif who == "pending":
        client.force_login(_member(private_club, status=ClubMembership.Status.PENDING))
    response = client.get(_feed(private_club))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Members-only secret" not in html
    assert private_club.get_absolute_url() in html and "join" in html


@pytest.mark.parametrize("who", ["member", "brand_staff", "site_moderator"])
def test_private_feed_for_insiders(client, private_club, who):
    _post(private_club, body="Members-only secret")
    viewer = {
        "member": lambda: _member(private_club),
        "brand_staff": lambda: BrandStaffFactory(brand=private_club.brand).member,
        "site_moderator": ModeratorFactory,
    }[who]()
    client.force_login(viewer)
    response = client.get(_feed(private_club))
    assert response.status_code == 200 and "Members-only secret" in response.content.decode()


def test_unknown_club_is_404(client):
    assert client.get("/clubs/no-such-club/feed/").status_code == 404


def test_member_posts_with_photos(client, club):
    member = _member(club)
    client.force_login(member)
    response = client.post(
        _feed(club), {"body": "My *ride*", "photos": [image_upload("a.jpg"), image_upload("b.jpg")]}
    )
    post = ClubPost.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{post.pk}")
    assert post.author == member and post.photo_count == 2 and post.kind == "post"
    html = client.get(_feed(club)).content.decode()
    photo = post.photos.first()
    assert _url("post_photo", club, photo.pk, "thumb_webp") in html
    assert _url("post_photo", club, photo.pk, "thumb") in html
    assert "/media/" not in html  # private photos never get a public URL


def test_bad_photo_keeps_the_text(client, club):
    client.force_login(_member(club))
    fake = io.BytesIO(b"definitely not a picture")
    fake.name = "trip.jpg"
    response = client.post(_feed(club), {"body": "My long story", "photos": [fake]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "trip.jpg" in html and "My long story" in html
    assert "choose your photos again" in html
    assert not ClubPost.objects.exists()


def test_empty_post_is_400(client, club):
    client.force_login(_member(club))
    response = client.post(_feed(club), {"body": ""})
    assert response.status_code == 400 and not ClubPost.objects.exists()


def test_only_brand_staff_see_and_use_the_announcement_box(client, club):
    member = _member(club)
    client.force_login(member)
    assert 'name="announcement"' not in client.get(_feed(club)).content.decode()
    client.post(_feed(club), {"body": "Fake news", "announcement": "on"})
    assert ClubPost.objects.get().kind == ClubPost.Kind.POST  # the field is ignored
    staff = BrandStaffFactory(brand=club.brand).member
    client.force_login(staff)
    assert 'name="announcement"' in client.get(_feed(club)).content.decode()
    client.post(_feed(club), {"body": "Real news", "announcement": "on"})
    assert ClubPost.objects.get(author=staff).kind == ClubPost.Kind.ANNOUNCEMENT


def test_anonymous_post_goes_to_login(client, club):
    response = client.post(_feed(club), {"body": "Hi"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ClubPost.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "banned", "removed"])
def test_outsiders_banned_and_removed_members_get_403_on_post(client, club, who):
    if who == "outsider":
        user = MemberFactory()
    elif who == "banned":
        user = _member(club, status=ClubMembership.Status.BANNED)
    else:
        user = _member(club)
        ClubMembership.objects.filter(member=user).delete()
    client.force_login(user)
    response = client.post(_feed(club), {"body": "Old form"})
    assert response.status_code == 403
    assert not ClubPost.objects.exists()


def test_feed_is_paginated(client, club, settings):
    settings.CLUB_FEED_PAGE_SIZE = 2
    for n in range(3):
        _post(club, body=f"number {n}")
    first = client.get(_feed(club)).content.decode()
    assert first.count('id="post-') == 2 and "page=2" in first
    second = client.get(_feed(club) + "?page=2").content.decode()
    assert second.count('id="post-') == 1
    assert client.get(_feed(club) + "?page=abc").status_code == 200


def _seed(club, count, fans):
    for index in range(count):
        post = services.post_create(
            club=club, author=fans[index % 3], body=f"Post {index}", photos=[image_upload()]
        )
        services.post_like(post=post, member=fans[(index + 1) % 3])
        for offset in (1, 2):
            services.comment_create(post=post, author=fans[(index + offset) % 3], body="Nice")


@pytest.mark.parametrize("viewer", ["anonymous", "member", "brand_staff"])
def test_feed_page_query_count_is_fixed(
    client, club, settings, viewer, django_assert_max_num_queries
):
    settings.WRITE_RATE_LIMITS = {
        k: (10**6, p) for k, (_n, p) in settings.WRITE_RATE_LIMITS.items()
    }
    settings.CLUB_FEED_PAGE_SIZE = 50
    fans = [_member(club) for _ in range(3)]
    if viewer == "member":
        client.force_login(fans[0])
    elif viewer == "brand_staff":
        client.force_login(BrandStaffFactory(brand=club.brand).member)
    _seed(club, 10, fans)
    # 15, plus counting the posts read for a signed-in viewer (trust levels): one UPDATE
    # of the day's visit row and the session write that remembers what was counted.
    with django_assert_max_num_queries(17) as ten:
        response = client.get(_feed(club))
    assert response.content.decode().count('id="post-') == 10
    _seed(club, 40, fans)
    with django_assert_max_num_queries(17) as fifty:
        response = client.get(_feed(club))
    assert response.content.decode().count('id="post-') == 50
    assert len(fifty) == len(ten)


# --- the post page and comments -------------------------------------------------------


def test_post_page_and_comment(client, club):
    post = _post(club)
    commenter = _member(club)
    client.force_login(commenter)
    url = _url("post", club, post.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": "Great <script>x</script> ride"})
    comment = ClubComment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    html = client.get(url).content.decode()
    assert "Great" in html and "<script>x" not in html


def test_empty_comment_is_400(client, club):
    post = _post(club)
    client.force_login(_member(club))
    assert client.post(_url("post", club, post.pk), {"body": ""}).status_code == 400


def test_banned_member_comment_is_403(client, club):
    post = _post(club)
    client.force_login(_member(club, status=ClubMembership.Status.BANNED))
    assert client.post(_url("post", club, post.pk), {"body": "Hi"}).status_code == 403
    assert not ClubComment.objects.exists()


def test_other_clubs_post_by_id_is_404(client, club):
    post = _post(ClubFactory())
    client.force_login(_member(club))
    for name in ("post", "post_edit", "post_delete", "post_hide"):
        assert client.get(_url(name, club, post.pk)).status_code == 404
    assert client.post(_url("post_like", club, post.pk)).status_code == 404
    assert client.get(f"/clubs/{club.slug}/posts/abc/").status_code == 404
    assert client.get(f"/clubs/{club.slug}/posts/99999999999999999999/").status_code == 404


def test_private_post_page_is_403_for_outsiders(client, private_club):
    post = _post(private_club)
    client.force_login(MemberFactory())
    assert client.get(_url("post", private_club, post.pk)).status_code == 403


def test_hidden_post_page_is_404_for_other_members(client, club):
    author = _member(club)
    post = _post(club, author)
    services.post_hide(post=post, actor=ModeratorFactory(), reason="Spam")
    client.force_login(_member(club))
    assert client.get(_url("post", club, post.pk)).status_code == 404
    client.force_login(author)
    response = client.get(_url("post", club, post.pk))
    assert response.status_code == 200 and "Hidden by a moderator" in response.content.decode()


# --- edit, delete, hide, pin ----------------------------------------------------------


def test_author_edits_and_others_get_403(client, club):
    author = _member(club)
    post = _post(club, author)
    client.force_login(_member(club))
    assert client.get(_url("post_edit", club, post.pk)).status_code == 403
    assert client.post(_url("post_edit", club, post.pk), {"body": "x"}).status_code == 403
    client.force_login(author)
    assert client.get(_url("post_edit", club, post.pk)).status_code == 200
    response = client.post(_url("post_edit", club, post.pk), {"body": "Better text"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Better text" and post.edited_at


def test_delete_needs_confirmation(client, club):
    author = _member(club)
    post = _post(club, author)
    client.force_login(author)
    response = client.get(_url("post_delete", club, post.pk))
    assert response.status_code == 200 and "Yes, delete it" in response.content.decode()
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PUBLISHED
    assert client.post(_url("post_delete", club, post.pk)).status_code == 302
    post.refresh_from_db()
    assert post.status == ClubPost.Status.DELETED
    assert client.get(_url("post", club, post.pk)).status_code == 404


def test_other_member_cannot_delete(client, club):
    post = _post(club)
    client.force_login(_member(club))
    assert client.get(_url("post_delete", club, post.pk)).status_code == 403
    assert client.post(_url("post_delete", club, post.pk)).status_code == 403


def test_delete_requires_login(client, club):
    post = _post(club)
    response = client.post(_url("post_delete", club, post.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_hide_with_reason_and_restore(client, club):
    post = _post(club)
    client.force_login(_member(club, role=ClubMembership.Role.MODERATOR))
    assert client.get(_url("post_hide", club, post.pk)).status_code == 200
    assert client.post(_url("post_hide", club, post.pk), {"reason": ""}).status_code == 400
    assert client.post(_url("post_hide", club, post.pk), {"reason": "Spam"}).status_code == 302
    post.refresh_from_db()
    assert post.status == ClubPost.Status.HIDDEN
    assert client.post(_url("post_restore", club, post.pk), {"reason": "OK"}).status_code == 302
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PUBLISHED
    assert ClubAuditEntry.objects.count() == 2


def test_member_cannot_hide(client, club):
    post = _post(club)
    client.force_login(_member(club))
    assert client.post(_url("post_hide", club, post.pk), {"reason": "x"}).status_code == 403


def test_pin_and_unpin(client, club):
    post = _post(club)
    client.force_login(BrandStaffFactory(brand=club.brand).member)
    assert client.post(_url("post_pin", club, post.pk), {"pinned": "1"}).status_code == 302
    post.refresh_from_db()
    assert post.is_pinned
    client.post(_url("post_pin", club, post.pk), {"pinned": "0"})
    post.refresh_from_db()
    assert not post.is_pinned
    assert client.get(_url("post_pin", club, post.pk)).status_code == 405


def test_member_pin_is_403(client, club):
    post = _post(club)
    client.force_login(_member(club))
    assert client.post(_url("post_pin", club, post.pk), {"pinned": "1"}).status_code == 403


# --- likes ----------------------------------------------------------------------------


def test_like_plain_post_htmx_and_json(client, club):
    post = _post(club)
    fan = _member(club)
    client.force_login(fan)
    url = _url("post_like", club, post.pk)
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
    response = client.post(url, {"action": "unlike"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "0 likes" in html and 'value="like"' in html and "<html" not in html
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.json() == {"like_count": 1, "liked": True}


def test_like_own_post_is_refused(client, club):
    author = _member(club)
    post = _post(club, author)
    client.force_login(author)
    response = client.post(_url("post_like", club, post.pk), HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "own_post"


def test_anonymous_like(client, club):
    post = _post(club)
    url = _url("post_like", club, post.pk)
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and response.json()["error"]["code"] == "login_required"
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_banned_member_like_is_refused(client, club):
    post = _post(club)
    client.force_login(_member(club, status=ClubMembership.Status.BANNED))
    url = _url("post_like", club, post.pk)
    assert client.post(url).status_code == 403
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 403
    post.refresh_from_db()
    assert post.like_count == 0


# --- comments: delete and hide --------------------------------------------------------


def test_comment_delete_and_hide_pages(client, club):
    post = _post(club)
    writer = _member(club)
    first = services.comment_create(post=post, author=writer, body="One")
    second = services.comment_create(post=post, author=writer, body="Two")
    client.force_login(_member(club))
    assert client.get(_url("comment_delete", club, first.pk)).status_code == 403
    assert client.post(_url("comment_hide", club, first.pk), {"reason": "x"}).status_code == 403
    client.force_login(writer)
    assert client.get(_url("comment_delete", club, first.pk)).status_code == 200
    assert client.post(_url("comment_delete", club, first.pk)).status_code == 302
    assert client.get(_url("comment_delete", club, first.pk)).status_code == 404
    client.force_login(ModeratorFactory())
    assert client.get(_url("comment_hide", club, second.pk)).status_code == 200
    assert client.post(_url("comment_hide", club, second.pk), {"reason": ""}).status_code == 400
    assert client.post(_url("comment_hide", club, second.pk), {"reason": "No"}).status_code == 302
    post.refresh_from_db()
    assert post.comment_count == 0


def test_other_clubs_comment_is_404(client, club):
    other = _post(ClubFactory())
    comment = services.comment_create(post=other, author=other.author, body="Hi")
    client.force_login(ModeratorFactory())
    assert client.get(_url("comment_delete", club, comment.pk)).status_code == 404
    assert client.get(_url("comment_hide", club, comment.pk)).status_code == 404


# --- private photos -------------------------------------------------------------------


def _photo(club, author=None):
    post = _post(club, author, photos=[image_upload()])
    return post, post.photos.get()


def test_member_gets_a_private_photo(client, private_club):
    _unused, photo = _photo(private_club)
    client.force_login(_member(private_club))
    response = client.get(_url("post_photo", private_club, photo.pk, "thumb_webp"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content)[:4] == b"RIFF"


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_private_photo_refused_to_outsiders(client, private_club, who):
    _unused, photo = _photo(private_club)
    if who == "outsider":
        client.force_login(MemberFactory())
    response = client.get(_url("post_photo", private_club, photo.pk, "large"))
    assert response.status_code == 403
    assert not hasattr(response, "streaming_content")


def test_photo_under_another_clubs_url_or_bad_rendition_is_404(client, club, private_club):
    _unused, photo = _photo(private_club)
    client.force_login(_member(club))
    assert client.get(_url("post_photo", club, photo.pk, "large")).status_code == 404
    client.force_login(_member(private_club))
    for rendition in ("original", "__dict__", "post"):
        assert client.get(_url("post_photo", private_club, photo.pk, rendition)).status_code == 404


def test_photo_of_hidden_or_deleted_post(client, club):
    author = _member(club)
    post, photo = _photo(club, author)
    services.post_hide(post=post, actor=ModeratorFactory(), reason="Spam")
    url = _url("post_photo", club, photo.pk, "thumb")
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(_member(club))
    assert client.get(url).status_code == 404
    client.force_login(author)
    assert client.get(url).status_code == 200
    services.post_delete(post=post, actor=author)
    assert client.get(url).status_code == 404
