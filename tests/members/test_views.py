"""Accounts (django-allauth), profiles, language and time zone of the viewer."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.members.models import Member
from community.reviews import services
from tests.factories import MemberFactory, image_upload

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def test_sign_up_sends_confirmation_mail_and_logs_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "display_name": "Newcomer",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(email="new@example.com")
    assert member.display_name == "Newcomer"
    assert len(mail.outbox) == 1
    assert "new@example.com" in mail.outbox[0].to
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert client.get(reverse("members:me")).status_code == 302  # logged in


def test_sign_up_rejects_duplicate_email_and_weak_password(client, member):
    response = client.post(
        reverse("account_signup"),
        {"email": member.email, "display_name": "X", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    assert Member.objects.filter(email=member.email).count() == 1
    assert response.context["form"].errors


def test_login_and_logout(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("members:edit")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("members:edit")).status_code == 302


def test_failed_logins_are_rate_limited(client, member):
    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    # allauth refuses even the right password once the failure budget is spent.
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_mail(client, member):
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_profile_lists_published_reviews(client, member, product):
    services.review_create(author=member, product=product, rating=5, title="Loved it", body="x")
    html = client.get(reverse("members:profile", args=[member.pk])).content.decode()
    assert member.display_name in html and "Loved it" in html
    assert member.email not in html  # e-mail addresses are never shown


def test_profile_edit_with_avatar(client, member):
    client.force_login(member)
    response = client.post(
        reverse("members:edit"),
        {
            "display_name": "Renamed",
            "bio": "I ride motorcycles.",
            "preferred_language": "zh-hans",
            "time_zone": "Asia/Shanghai",
            "avatar": image_upload("me.png", fmt="PNG", size=(400, 400)),
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Renamed"
    assert member.avatar_thumb and member.avatar_medium
    assert response.cookies["django_language"].value == "zh-hans"


def test_profile_edit_bad_avatar_keeps_text(client, member):
    client.force_login(member)
    bad = image_upload("me.gif", fmt="GIF")
    response = client.post(reverse("members:edit"), {"display_name": "Kept name", "avatar": bad})
    assert response.status_code == 400
    assert "Kept name" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name != "Kept name"


def test_profile_of_unknown_member_is_404(client):
    assert client.get(reverse("members:profile", args=[987654])).status_code == 404


def test_times_are_shown_in_the_viewers_time_zone(client, product):
    author = MemberFactory()
    review = services.review_create(author=author, product=product, rating=4, title="T", body="B")
    moment = dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.UTC)
    type(review).objects.filter(pk=review.pk).update(created_at=moment)
    url = reverse("reviews:detail", args=[review.pk])
    assert "11:30 p.m." in client.get(url).content.decode()  # UTC for an anonymous visitor
    client.cookies["gw_tz"] = "Asia/Shanghai"  # set by site.js from the browser
    assert "7:30 a.m." in client.get(url).content.decode()
    viewer = MemberFactory(time_zone="America/New_York")
    client.force_login(viewer)  # a saved preference wins over the cookie
    assert "6:30 p.m." in client.get(url).content.decode()
    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks between requests


def test_bad_time_zone_cookie_is_ignored(client, product):
    client.cookies["gw_tz"] = "../../etc/passwd"
    assert client.get(product.get_absolute_url()).status_code == 200


def test_chinese_interface(client, product):
    client.cookies["django_language"] = "zh-hans"
    html = client.get(product.get_absolute_url()).content.decode()
    assert 'lang="zh-hans"' in html
    assert "写评价" in html  # "Write a review", from the compiled catalogue


def test_preferred_language_of_member(client, product):
    client.force_login(MemberFactory(preferred_language="zh-hans"))
    assert 'lang="zh-hans"' in client.get(product.get_absolute_url()).content.decode()


def test_language_switcher(client):
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/brands/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hans"


@pytest.mark.parametrize("cookie", ["America", "Etc", "x" * 300, "Asia/Nowhere", "/etc/passwd"])
def test_odd_time_zone_cookies_never_break_a_page(client, cookie):
    client.cookies["gw_tz"] = cookie
    assert client.get(reverse("brand_clubs:brand_list")).status_code == 200
