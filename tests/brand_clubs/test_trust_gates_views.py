"""Trust levels in club pages: the gates' form errors, a pending post in its author's
feed, the club's "Waiting for approval" list (fixed query count) with Approve and
Reject, leaders' links, and the posts a member reads counted for their trust level."""

from datetime import UTC, datetime

import pytest
from django.db.models import Sum
from django.urls import reverse

from brand_clubs.models import ClubAuditEntry, ClubMembership, ClubPost
from brand_clubs.services import feed as services
from community.reputation.models import MemberVisit
from community.reputation.rules import TrustLevel
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    MemberFactory,
    club_member_at,
    image_upload,
    no_rate_limits,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    no_rate_limits(settings)


@pytest.fixture
def club():
    return ClubFactory()


_member = club_member_at


def _moderator(club):
    return _member(club, role=ClubMembership.Role.MODERATOR)


def _url(name, club, *args):
    return reverse(f"brand_clubs:{name}", args=[club.slug, *args])


def _pending(club, author=None, body="Hello, new here", **kwargs):
    post = services.post_create(club=club, author=author or _member(club), body=body, **kwargs)
    assert post.status == ClubPost.Status.PENDING
    return post


def _items_read(member) -> int:
    return MemberVisit.objects.filter(member=member).aggregate(n=Sum("items_read"))["n"] or 0


# --- the gates as form errors ---------------------------------------------------------


def test_link_from_a_new_member_is_a_form_error_that_keeps_the_text(client, club):
    client.force_login(_member(club))
    body = "Cheap tyres at [my shop](https://spam.example)"
    response = client.post(_url("club_feed", club), {"body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert "trust level 1" in html and "https://spam.example" in html  # kept in the textarea
    assert not ClubPost.objects.exists()


def test_second_photo_from_a_new_member_is_a_form_error(client, club):
    client.force_login(_member(club))
    response = client.post(
        _url("club_feed", club),
        {"body": "Two shots", "photos": [image_upload("a.jpg"), image_upload("b.jpg")]},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["photos"]
    assert not ClubPost.objects.exists()


def test_link_in_a_comment_is_a_form_error(client, club):
    post = services.post_create(club=club, author=_member(club, TrustLevel.MEMBER), body="Ride")
    client.force_login(_member(club))
    response = client.post(_url("post", club, post.pk), {"body": "<https://spam.example>"})
    assert response.status_code == 400 and "trust level 1" in response.content.decode()
    assert not post.comments.exists()


# --- a pending post in the pages ------------------------------------------------------


def test_new_members_post_waits_and_only_its_author_sees_it(client, club):
    author = _member(club)
    client.force_login(author)
    response = client.post(_url("club_feed", club), {"body": "My first post"}, follow=True)
    post = ClubPost.objects.get()
    assert post.status == ClubPost.Status.PENDING
    html = response.content.decode()
    assert "waiting for a moderator" in html  # the message after posting
    assert f'id="post-{post.pk}"' in html and "Waiting for a moderator" in html

    page = client.get(_url("post", club, post.pk)).content.decode()
    assert "Waiting for a moderator" in page and "My first post" in page
    assert 'name="action" value="like"' not in page  # no like button
    assert "comment-form" not in page  # no comment form

    client.force_login(_member(club, TrustLevel.MEMBER))
    assert f'id="post-{post.pk}"' not in client.get(_url("club_feed", club)).content.decode()
    assert client.get(_url("post", club, post.pk)).status_code == 404
    client.logout()
    assert "My first post" not in client.get(club.get_absolute_url()).content.decode()


def test_moderators_see_the_pending_post_with_its_decisions(client, club):
    post = _pending(club)
    client.force_login(_moderator(club))
    page = client.get(_url("post", club, post.pk)).content.decode()
    assert f"/posts/{post.pk}/approve/" in page and f"/posts/{post.pk}/reject/" in page
    assert f"/posts/{post.pk}/hide/" not in page
    home = client.get(club.get_absolute_url()).content.decode()
    assert _url("club_pending_posts", club) in home and '<span class="badge">1</span>' in home


def test_plain_members_get_no_link_to_the_list(client, club):
    _pending(club)
    client.force_login(_member(club, TrustLevel.REGULAR))
    assert (
        _url("club_pending_posts", club) not in client.get(club.get_absolute_url()).content.decode()
    )


# --- the "Waiting for approval" list --------------------------------------------------


@pytest.mark.parametrize("who", ["club_moderator", "brand_staff", "leader"])
def test_list_is_for_those_who_decide(client, club, who):
    post = _pending(club, body="Please approve **me**")
    person = {
        "club_moderator": lambda: _moderator(club),
        "brand_staff": lambda: BrandStaffFactory(brand=club.brand).member,
        "leader": lambda: _member(club, TrustLevel.LEADER),
    }[who]()
    client.force_login(person)
    response = client.get(_url("club_pending_posts", club))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="pending-{post.pk}"' in html and "<strong>me</strong>" in html


@pytest.mark.parametrize("who", ["member", "other_clubs_leader", "outsider"])
def test_list_is_refused_to_others(client, club, who):
    _pending(club, body="Secret pending words")
    person = {
        "member": lambda: _member(club, TrustLevel.REGULAR),
        "other_clubs_leader": lambda: _member(ClubFactory(), TrustLevel.LEADER),
        "outsider": MemberFactory,
    }[who]()
    client.force_login(person)
    response = client.get(_url("club_pending_posts", club))
    assert response.status_code == 403
    assert "Secret pending words" not in response.content.decode()


def test_list_asks_anonymous_visitors_to_log_in(client, club):
    response = client.get(_url("club_pending_posts", club))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_runs_a_fixed_number_of_queries(client, club, django_assert_max_num_queries):
    client.force_login(_moderator(club))
    authors = [_member(club) for _ in range(3)]

    def seed(count):
        for index in range(count):
            _pending(club, authors[index % 3], body=f"Post {index}", photos=[image_upload()])

    seed(3)
    with django_assert_max_num_queries(12) as three:
        response = client.get(_url("club_pending_posts", club))
    assert response.content.decode().count('id="pending-') == 3
    seed(27)
    with django_assert_max_num_queries(12) as thirty:
        response = client.get(_url("club_pending_posts", club))
    assert response.content.decode().count('id="pending-') == 30
    assert len(thirty) == len(three), [q["sql"][:80] for q in thirty.captured_queries]


def test_approve_from_the_list(client, club):
    post = _pending(club)
    client.force_login(_moderator(club))
    assert client.get(_url("post_approve", club, post.pk)).status_code == 405
    response = client.post(_url("post_approve", club, post.pk))
    assert response.status_code == 302 and response["Location"] == _url("club_pending_posts", club)
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PUBLISHED
    again = client.post(_url("post_approve", club, post.pk), follow=True)
    assert "no longer waiting" in again.content.decode()
    assert ClubAuditEntry.objects.filter(action=ClubAuditEntry.Action.APPROVE_POST).count() == 1


def test_member_cannot_approve_by_posting_the_form(client, club):
    post = _pending(club)
    client.force_login(_member(club, TrustLevel.REGULAR))
    assert client.post(_url("post_approve", club, post.pk)).status_code == 404  # unseen post
    client.force_login(post.author)
    assert client.post(_url("post_approve", club, post.pk)).status_code == 403  # own post
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PENDING


def test_reject_asks_for_a_reason_and_confirms(client, club):
    post = _pending(club, body="Buy my stuff")
    client.force_login(_moderator(club))
    page = client.get(_url("post_reject", club, post.pk))
    assert page.status_code == 200 and "Buy my stuff" in page.content.decode()
    assert client.post(_url("post_reject", club, post.pk), {"reason": ""}).status_code == 400
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PENDING
    response = client.post(_url("post_reject", club, post.pk), {"reason": "Advertising"})
    assert response.status_code == 302 and response["Location"] == _url("club_pending_posts", club)
    post.refresh_from_db()
    assert post.status == ClubPost.Status.HIDDEN
    # Decided: the confirmation page sends the moderator back to the list.
    assert client.get(_url("post_reject", club, post.pk)).status_code == 302


def test_approving_the_post_of_a_banned_author_is_refused_with_a_message(client, club):
    post = _pending(club)
    ClubMembership.objects.filter(club=club, member=post.author).update(
        status=ClubMembership.Status.BANNED
    )
    client.force_login(_moderator(club))
    response = client.post(_url("post_approve", club, post.pk), follow=True)
    assert response.redirect_chain[-1][0] == _url("club_pending_posts", club)
    assert "can no longer take part in this club" in response.content.decode()
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PENDING
    as_json = client.post(_url("post_approve", club, post.pk), HTTP_ACCEPT="application/json")
    assert as_json.status_code == 409
    assert as_json.json()["error"]["code"] == "author_cannot_participate"


# --- editing a published post -----------------------------------------------------------


def test_premoderated_author_is_told_their_edit_waits(client, club):
    author = _member(club)
    moderator = _moderator(club)
    post = services.post_approve(post=_pending(club, author, body="Sunday ride"), actor=moderator)
    client.force_login(author)
    edit = _url("post_edit", club, post.pk)
    page = client.get(edit)
    assert "it waits for a moderator again" in page.content.decode()

    response = client.post(edit, {"body": "Sunday ride, and my shop"}, follow=True)

    assert response.redirect_chain[-1][0] == _url("post", club, post.pk)
    html = response.content.decode()
    assert "Your edit is waiting for a moderator" in html
    assert "Edit waiting for a moderator" in html  # the author still sees it, labelled
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PENDING
    client.force_login(moderator)
    listed = client.get(_url("club_pending_posts", club)).content.decode()
    assert f'id="pending-{post.pk}"' in listed and "Edited after it was published" in listed


def test_regular_edits_without_waiting(client, club):
    author = _member(club, TrustLevel.MEMBER)
    post = services.post_create(club=club, author=author, body="Sunday ride")
    client.force_login(author)
    edit = _url("post_edit", club, post.pk)
    assert "waits for a moderator again" not in client.get(edit).content.decode()
    response = client.post(edit, {"body": "Saturday ride"}, follow=True)
    html = response.content.decode()
    assert "Your post is updated." in html and "waiting for a moderator" not in html
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PUBLISHED


def test_approved_post_shows_when_it_was_written_in_the_viewers_zone(client, club):
    post = _pending(club, body="Written at night")
    ClubPost.objects.filter(pk=post.pk).update(created_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))
    services.post_approve(post=post, actor=_moderator(club))
    viewer = _member(club, TrustLevel.MEMBER)
    viewer.time_zone = "Asia/Tokyo"
    viewer.save(update_fields=["time_zone"])
    client.force_login(viewer)
    for page in (_url("club_feed", club), _url("post", club, post.pk)):
        html = client.get(page).content.decode()
        # 23:30 UTC is 08:30 the next morning in Tokyo.
        assert 'written <time datetime="2026-01-06T08:30:00+09:00">' in html
        assert "Jan. 6, 2026, 8:30 a.m." in html
    # A post published at once says nothing more.
    services.post_create(club=club, author=viewer, body="Straight in")
    assert client.get(_url("club_feed", club)).content.decode().count("written <time") == 1


# --- leaders --------------------------------------------------------------------------


def test_leader_gets_the_moderation_links_in_their_own_club_only(client, club):
    author = _member(club, TrustLevel.MEMBER)
    post = services.post_create(club=club, author=author, body="Ride")
    services.comment_create(post=post, author=author, body="Me too")
    leader = _member(club, TrustLevel.LEADER)
    client.force_login(leader)
    page = client.get(_url("post", club, post.pk)).content.decode()
    assert f"/posts/{post.pk}/hide/" in page and "/comments/" in page
    assert client.get(_url("post_hide", club, post.pk)).status_code == 200
    response = client.post(_url("post_hide", club, post.pk), {"reason": "Spam"})
    assert response.status_code == 302
    assert client.get(_url("club_members", club)).status_code == 200
    assert client.get(_url("club_audit", club)).status_code == 403  # members' side: no

    elsewhere = ClubFactory()
    other = services.post_create(
        club=elsewhere, author=_member(elsewhere, TrustLevel.MEMBER), body="Hi"
    )
    ClubMembershipFactory(club=elsewhere, member=MemberFactory())
    page = client.get(_url("post", elsewhere, other.pk)).content.decode()
    assert f"/posts/{other.pk}/hide/" not in page
    assert client.get(_url("post_hide", elsewhere, other.pk)).status_code == 403


# --- posts read, for trust levels -----------------------------------------------------


def test_feed_and_post_page_count_the_posts_read_once_a_day(client, club):
    writer = _member(club, TrustLevel.MEMBER)
    posts = [services.post_create(club=club, author=writer, body=f"P{i}") for i in range(3)]
    reader = _member(club, TrustLevel.MEMBER)
    services.post_create(club=club, author=reader, body="Mine")  # own posts do not count
    client.force_login(reader)
    client.get(_url("club_feed", club))
    assert _items_read(reader) == 3
    client.get(_url("club_feed", club))
    client.get(_url("post", club, posts[0].pk))
    assert _items_read(reader) == 3  # already counted today
    fourth = services.post_create(club=club, author=writer, body="P3")
    client.get(_url("post", club, fourth.pk))
    assert _items_read(reader) == 4
