"""Following members: the services, the follow state read, the POST actions and the
member profile's follow button."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from community.errors import AccessDenied, Conflict, DomainError, NotFound, RateLimited
from community.members.models import Follow, Notification
from community.members.selectors import member_follow_state
from community.members.services import follow_create, follow_delete
from tests.experts.factories_directory import FollowFactory
from tests.factories import BrandFactory, CertificateFactory, MemberFactory

pytestmark = pytest.mark.django_db


# --- services -------------------------------------------------------------------------


def test_follow_creates_the_link_and_notifies_the_followed(member, other_member):
    follow = follow_create(follower=member, followed=other_member)
    assert follow.follower == member and follow.followed == other_member
    notification = Notification.objects.get(recipient=other_member)
    assert notification.kind == "member_followed"
    assert notification.params == {"actor": member.public_name}
    assert notification.url == reverse("members:profile", args=[member.pk])


def test_self_follow_is_refused(member):
    with pytest.raises(DomainError) as caught:
        follow_create(follower=member, followed=member)
    assert caught.value.code == "self_follow"
    assert not Follow.objects.exists()


def test_following_twice_is_a_conflict(member, other_member):
    follow_create(follower=member, followed=other_member)
    with pytest.raises(Conflict) as caught:
        follow_create(follower=member, followed=other_member)
    assert other_member.public_name in str(caught.value.message)
    assert caught.value.status_code == 409
    assert Follow.objects.count() == 1


def test_following_a_closed_account_is_not_found(member):
    closed = MemberFactory(is_active=False)
    with pytest.raises(NotFound):
        follow_create(follower=member, followed=closed)


def test_anonymous_and_closed_accounts_cannot_follow(other_member):
    with pytest.raises(AccessDenied):
        follow_create(follower=AnonymousUser(), followed=other_member)
    with pytest.raises(AccessDenied):
        follow_create(follower=MemberFactory(is_active=False), followed=other_member)


def test_follow_is_rate_limited(settings, member):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "follow": (2, 3600)}
    follow_create(follower=member, followed=MemberFactory())
    follow_create(follower=member, followed=MemberFactory())
    with pytest.raises(RateLimited):
        follow_create(follower=member, followed=MemberFactory())
    assert Follow.objects.filter(follower=member).count() == 2


def test_refollowing_while_the_notice_is_unread_adds_no_second_one(member, other_member):
    follow_create(follower=member, followed=other_member)
    follow_delete(follower=member, followed=other_member)
    follow_create(follower=member, followed=other_member)
    assert Notification.objects.filter(recipient=other_member).count() == 1


def test_unfollow(member, other_member):
    FollowFactory(follower=member, followed=other_member)
    follow_delete(follower=member, followed=other_member)
    assert not Follow.objects.exists()
    with pytest.raises(NotFound) as caught:
        follow_delete(follower=member, followed=other_member)
    assert caught.value.code == "not_following"


def test_follow_state_counts_active_members_only(member, other_member):
    FollowFactory(follower=member, followed=other_member)
    FollowFactory(follower=MemberFactory(is_active=False), followed=other_member)
    FollowFactory(follower=other_member, followed=MemberFactory())
    state = member_follow_state(member=other_member, viewer=member)
    assert state.follower_count == 1
    assert state.following_count == 1
    assert state.viewer_follows and state.can_follow
    own = member_follow_state(member=other_member, viewer=other_member)
    assert not own.can_follow and not own.viewer_follows
    anonymous = member_follow_state(member=other_member, viewer=AnonymousUser())
    assert not anonymous.can_follow and anonymous.follower_count == 1


def test_follow_state_is_one_query(member, other_member, django_assert_num_queries):
    with django_assert_num_queries(1):
        member_follow_state(member=other_member, viewer=member)


# --- actions --------------------------------------------------------------------------


def test_follow_action_redirects_back_with_a_message(client, member, other_member):
    client.force_login(member)
    target = reverse("experts:directory")
    response = client.post(reverse("experts:follow", args=[other_member.pk]), {"next": target})
    assert response.status_code == 302 and response.url == target
    assert Follow.objects.filter(follower=member, followed=other_member).exists()


def test_follow_action_answers_json(client, member, other_member):
    client.force_login(member)
    url = reverse("experts:follow", args=[other_member.pk])
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"following": True, "follower_count": 1}
    again = client.post(url, HTTP_ACCEPT="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_following"


def test_self_follow_action_is_refused(client, member):
    client.force_login(member)
    url = reverse("experts:follow", args=[member.pk])
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "self_follow"
    page = client.post(url, follow=True)
    assert page.status_code == 200
    assert "You cannot follow yourself." in page.content.decode()
    assert not Follow.objects.exists()


def test_follow_action_needs_post_and_a_login(client, other_member):
    url = reverse("experts:follow", args=[other_member.pk])
    assert client.post(url).status_code == 302
    assert reverse("account_login") in client.post(url).url
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 403
    client.force_login(MemberFactory())
    assert client.get(url).status_code == 405
    assert not Follow.objects.exists()


def test_follow_action_on_a_closed_account_is_404(client, member):
    client.force_login(member)
    closed = MemberFactory(is_active=False)
    assert client.post(reverse("experts:follow", args=[closed.pk])).status_code == 404


def test_unfollow_action(client, member, other_member):
    FollowFactory(follower=member, followed=other_member)
    client.force_login(member)
    url = reverse("experts:unfollow", args=[other_member.pk])
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.json() == {"following": False, "follower_count": 0}
    # A repeated click from a page says so and goes back instead of a 404.
    page = client.post(url, follow=True)
    assert page.status_code == 200
    assert "You do not follow" in page.content.decode()


def test_unfollow_does_not_follow_a_foreign_next(client, member, other_member):
    FollowFactory(follower=member, followed=other_member)
    client.force_login(member)
    response = client.post(
        reverse("experts:unfollow", args=[other_member.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("members:profile", args=[other_member.pk])


# --- member profile -------------------------------------------------------------------


def _render_profile(member, viewer, **context):
    request = RequestFactory().get(f"/members/{member.pk}/")
    request.user = viewer
    page = Paginator([], 20).get_page(1)
    return render_to_string(
        "members/profile.html", {"member": member, "page": page, **context}, request=request
    )


def test_profile_page_shows_follow_button_and_count(client, member, other_member):
    FollowFactory(follower=MemberFactory(), followed=other_member)
    client.force_login(member)
    html = client.get(reverse("members:profile", args=[other_member.pk])).content.decode()
    assert reverse("experts:follow", args=[other_member.pk]) in html
    assert "1 follower" in html
    own = client.get(reverse("members:profile", args=[member.pk])).content.decode()
    assert reverse("experts:follow", args=[member.pk]) not in own
    assert reverse("experts:feed") in own  # the feed is linked from one's own profile


def test_profile_template_shows_unfollow_with_follow_state(member, other_member):
    FollowFactory(follower=member, followed=other_member)
    state = member_follow_state(member=other_member, viewer=member)
    html = _render_profile(other_member, member, follow=state)
    assert reverse("experts:unfollow", args=[other_member.pk]) in html
    assert reverse("experts:follow", args=[other_member.pk]) not in html
    assert "follows 0 members" in html


def test_profile_of_an_expert_shows_badge_and_links_the_expert_profile(client, member):
    brand = BrandFactory(name="RoadGrip")
    employee = CertificateFactory(tier="brand_staff", employer=brand).member
    client.force_login(member)
    html = client.get(reverse("members:profile", args=[employee.pk])).content.decode()
    assert "Brand employee · RoadGrip" in html
    assert reverse("experts:profile", args=[employee.pk]) in html
    assert reverse("experts:credentials", args=[employee.pk]) in html
