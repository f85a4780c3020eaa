"""The notifications store and centre: who is told, when e-mail goes out, what a
member sees and can open, and in which language."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from community.members import notifications
from community.members.models import Notification
from community.members.notifications import (
    KINDS,
    NotificationKind,
    notification_mark_read,
    notification_text,
    notification_unread_count,
    notify,
)
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _notify(recipients, kind="club_post_comment", **kwargs):
    kwargs.setdefault("params", {"actor": "Ann", "club": "Riders"})
    kwargs.setdefault("url", "/clubs/riders/posts/1/")
    return notify(recipients=recipients, kind=kind, **kwargs)


# --- notify ---------------------------------------------------------------------------


def test_notify_skips_the_actor_inactive_members_and_duplicates(django_user_model):
    actor, reader = MemberFactory(), MemberFactory()
    closed = MemberFactory()
    django_user_model.objects.filter(pk=closed.pk).update(is_active=False)
    closed.refresh_from_db()
    stored = _notify([actor, reader, closed, reader], actor=actor)
    assert stored == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [reader.pk]


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        notify(recipients=[MemberFactory()], kind="no_such_kind")


def test_email_kinds_send_mail_after_commit_only(django_capture_on_commit_callbacks):
    reader = MemberFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([reader], kind="club_announcement", params={"club": "Riders", "excerpt": "Hi"})
    # The live event and the e-mail, both waiting for the commit.
    assert len(callbacks) == 2 and mail.outbox == []
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == [reader.email]
    assert message.subject == "Announcement in Riders: Hi"
    assert "/clubs/riders/posts/1/" in message.body


def test_quiet_kinds_send_no_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify([MemberFactory()], kind="club_post_comment")
    assert len(callbacks) == 1 and mail.outbox == []  # the live event only


def test_email_subject_is_one_line_even_with_line_breaks_in_params(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(
            [MemberFactory()],
            kind="club_announcement",
            params={"club": "Riders", "excerpt": "Line one\nBcc: victim@example.com"},
        )
    [message] = mail.outbox
    assert "\n" not in message.subject and message.subject.endswith("victim@example.com")
    assert message.message()["Bcc"] is None


def test_text_survives_a_kind_whose_params_no_longer_fit():
    notification = Notification(kind="club_post_comment", params={"club": "Riders"})
    assert "%(actor)s" in notification_text(notification)  # shown, not a 500
    assert notification_text(Notification(kind="retired_kind", params={})) == "retired_kind"


def test_html_in_params_is_escaped_on_the_page(client):
    reader = MemberFactory()
    _notify([reader], params={"actor": "<script>alert(1)</script>", "club": "R"})
    client.force_login(reader)
    html = client.get(reverse("members:notifications")).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


# --- the centre -----------------------------------------------------------------------


def test_centre_requires_login(client):
    response = client.get(reverse("members:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_centre_lists_only_own_notifications_and_filters_unread(client):
    reader, other = MemberFactory(), MemberFactory()
    _notify([reader], params={"actor": "Mine", "club": "Riders"})
    _notify([other], params={"actor": "Theirs", "club": "Riders"})
    read = Notification.objects.get(recipient=reader)
    _notify([reader], params={"actor": "Unread", "club": "Riders"})
    notification_mark_read(member=reader, notification_ids=[read.pk])
    client.force_login(reader)
    html = client.get(reverse("members:notifications")).content.decode()
    assert "Mine commented" in html and "Unread commented" in html
    assert "Theirs" not in html
    unread = client.get(reverse("members:notifications") + "?filter=unread").content.decode()
    assert "Unread commented" in unread and "Mine commented" not in unread


def test_empty_centre_is_friendly(client):
    client.force_login(MemberFactory())
    response = client.get(reverse("members:notifications"))
    assert response.status_code == 200 and "Nothing yet" in response.content.decode()


def test_open_marks_read_and_redirects_on_site(client):
    reader = MemberFactory()
    _notify([reader], url="/clubs/riders/posts/7/#comment-3")
    notification = Notification.objects.get()
    client.force_login(reader)
    response = client.get(reverse("members:notification_open", args=[notification.pk]))
    assert (
        response.status_code == 302 and response["Location"] == "/clubs/riders/posts/7/#comment-3"
    )
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url", ["https://evil.example/phish", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_open_refuses_an_off_site_url(client, url):
    reader = MemberFactory()
    _notify([reader], url=url)
    notification = Notification.objects.get()
    client.force_login(reader)
    response = client.get(reverse("members:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("members:notifications")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_someone_elses_notification_is_404(client):
    _notify([MemberFactory()])
    notification = Notification.objects.get()
    client.force_login(MemberFactory())
    response = client.get(reverse("members:notification_open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_is_a_post_and_touches_only_own(client):
    reader, other = MemberFactory(), MemberFactory()
    _notify([reader, other])
    _notify([reader])
    client.force_login(reader)
    assert client.get(reverse("members:notifications_read")).status_code == 405
    response = client.post(reverse("members:notifications_read"))
    assert response.status_code == 302
    assert notification_unread_count(member=reader) == 0
    assert notification_unread_count(member=other) == 1


def test_nav_badge_shows_the_unread_count(client):
    reader = MemberFactory()
    _notify([reader])
    _notify([reader])
    client.force_login(reader)
    html = client.get(reverse("members:notifications")).content.decode()
    # The badge is always there (live updates fill it in) and hidden at zero.
    badge = re.search(r'<span class="badge nav-notifications-unread"([^>]*)>(\d+)</span>', html)
    assert badge and badge.group(2) == "2" and " hidden" not in badge.group(1)
    client.post(reverse("members:notifications_read"))
    html = client.get(reverse("members:notifications")).content.decode()
    badge = re.search(r'<span class="badge nav-notifications-unread"([^>]*)>(\d+)</span>', html)
    assert badge and badge.group(2) == "0" and " hidden" in badge.group(1)


def test_centre_query_count_is_fixed(client, django_assert_max_num_queries):
    reader = MemberFactory()
    actors = [MemberFactory() for _ in range(5)]
    client.force_login(reader)

    def fill(count):
        for index in range(count):
            _notify([reader], actor=actors[index % 5], params={"actor": "A", "club": "R"})

    fill(10)
    with django_assert_max_num_queries(10) as ten:
        assert client.get(reverse("members:notifications")).status_code == 200
    fill(40)
    with django_assert_max_num_queries(10) as fifty:
        response = client.get(reverse("members:notifications"))
    assert response.content.decode().count('class="notification card') == 30  # one page
    assert len(fifty) == len(ten)


# --- languages ------------------------------------------------------------------------


@pytest.fixture
def translated_kind(monkeypatch):
    """A kind whose sentence the Chinese catalogue already translates, so the test does
    not depend on which new strings have been translated yet."""
    kind = NotificationKind(gettext_lazy("Only %(brand)s's staff can do this."), email=True)
    monkeypatch.setitem(KINDS, "test_translated", kind)
    return "test_translated"


def test_text_is_rendered_in_the_readers_language(client, translated_kind):
    reader = MemberFactory(preferred_language="zh-hans")
    notify(recipients=[reader], kind=translated_kind, params={"brand": "Acme"})
    client.force_login(reader)
    html = client.get(reverse("members:notifications")).content.decode()
    assert "只有 Acme 的员工才能执行此操作。" in html
    notification = Notification.objects.get()
    with translation.override("en"):  # stored as kind + params, not as text
        assert notification_text(notification) == "Only Acme's staff can do this."


def test_email_is_written_in_each_readers_language(
    translated_kind, django_capture_on_commit_callbacks
):
    chinese = MemberFactory(preferred_language="zh-hans")
    english = MemberFactory(preferred_language="en")
    unset = MemberFactory(preferred_language="")
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[chinese, english, unset], kind=translated_kind, params={"brand": "A"})
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[chinese.email] == "只有 A 的员工才能执行此操作。"
    assert subjects[english.email] == "Only A's staff can do this."
    assert subjects[unset.email] == "Only A's staff can do this."  # the site's language


def test_every_kind_renders_with_its_documented_params():
    """A typo in a placeholder would show raw %(...)s to members."""
    sample = {
        "club": "C",
        "excerpt": "E",
        "actor": "A",
        "role": "R",
        "event": "V",
        "when": "W",
        "reason": "Z",
        "room": "M",
        "brand": "B",
        "product": "P",
        "tier": "T",
        "decision": "D",
        "change": "H",
        "date": "Y",
        "expert": "X",
        "title": "Q",
    }
    for kind in KINDS:
        text = notifications._render(kind, sample)
        assert "%(" not in text, kind
