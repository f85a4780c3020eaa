"""Notification preferences: the settings page, the service and selector behind it,
what notify() does with them, and who may open a direct conversation (profile form)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.urls import reverse

from community.errors import AccessDenied, DomainError
from community.members import notifications
from community.members.models import Member, Notification, NotificationPreference
from community.members.notifications import (
    KINDS,
    notification_preferences_for,
    notification_preferences_set,
    notify,
)
from community.members.services import member_update_profile
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("members:notification_settings")
EMAIL_KINDS = [kind for kind, spec in KINDS.items() if spec.email]
QUIET_KINDS = [kind for kind, spec in KINDS.items() if not spec.email]


def _all_on(**changes):
    """The POST of the page with every box ticked, then `changes` ({field: False})."""
    data = {f"in_app_{kind}": "on" for kind in KINDS}
    data.update({f"email_{kind}": "on" for kind in EMAIL_KINDS})
    for field, value in changes.items():
        if not value:
            data.pop(field, None)
    return data


def _stored(member):
    return {
        kind: (in_app, email)
        for kind, in_app, email in NotificationPreference.objects.filter(member=member).values_list(
            "kind", "in_app", "email"
        )
    }


# --- kinds ----------------------------------------------------------------------------


def test_every_kind_has_a_label_and_the_chat_kinds_exist():
    assert {"chat_mention", "chat_reply", "chat_message", "review_brand_reply"} <= set(KINDS)
    for kind, spec in KINDS.items():
        assert str(spec.label), kind
    assert KINDS["review_brand_reply"].email
    assert str(KINDS["chat_mention"].label) == "Mentions in chat"


# --- the page -------------------------------------------------------------------------


def test_page_requires_login(client):
    for response in (client.get(URL), client.post(URL, _all_on())):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not NotificationPreference.objects.exists()


def test_page_lists_every_kind_with_email_boxes_only_where_mailed(client):
    member = MemberFactory()
    client.force_login(member)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for kind, spec in KINDS.items():
        assert str(spec.label) in html
        assert f'name="in_app_{kind}"' in html
        assert (f'name="email_{kind}"' in html) == spec.email
    assert "csrfmiddlewaretoken" in html
    assert html.count("checked") == len(KINDS) + len(EMAIL_KINDS)  # defaults: all on


def test_page_is_linked_from_the_centre(client):
    client.force_login(MemberFactory())
    assert URL in client.get(reverse("members:notifications")).content.decode()


def test_post_saves_only_changed_defaults_and_shows_them(client):
    member = MemberFactory()
    client.force_login(member)
    response = client.post(
        URL, _all_on(in_app_chat_message=False, email_club_announcement=False), follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert "Your notification settings are saved." in response.content.decode()
    assert _stored(member) == {"chat_message": (False, True), "club_announcement": (True, False)}
    rows = {row.kind: row for row in response.context["form"].preference_rows}
    assert rows["chat_message"].in_app is False
    assert rows["club_announcement"].email is False and rows["club_announcement"].in_app
    html = response.content.decode()
    assert 'name="in_app_chat_message"' in html
    assert html.count("checked") == len(KINDS) + len(EMAIL_KINDS) - 2

    # Everything back on: no rows left.
    client.post(URL, _all_on())
    assert _stored(member) == {}


def test_post_leaves_other_members_untouched(client):
    member, other = MemberFactory(), MemberFactory()
    notification_preferences_set(member=other, in_app={"chat_mention": False}, email={})
    client.force_login(member)
    client.post(URL, _all_on(in_app_event_created=False))
    assert _stored(other) == {"chat_mention": (False, True)}
    assert _stored(member) == {"event_created": (False, True)}


def test_page_needs_csrf(client):
    member = MemberFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(URL, _all_on(in_app_chat_message=False)).status_code == 403
    assert _stored(member) == {}


# --- service and selector -------------------------------------------------------------


def test_service_leaves_kinds_it_is_not_given_untouched():
    member = MemberFactory()
    notification_preferences_set(
        member=member,
        in_app={"chat_message": False, "event_created": False},
        email={"event_reminder": False},
    )
    notification_preferences_set(member=member, in_app={"chat_message": True}, email={})
    assert _stored(member) == {
        "event_created": (False, True),
        "event_reminder": (True, False),
    }


def test_service_ignores_email_of_kinds_never_mailed():
    member = MemberFactory()
    notification_preferences_set(member=member, in_app={}, email={"chat_mention": False})
    assert _stored(member) == {}


def test_service_refuses_unknown_kinds_and_anonymous():
    member = MemberFactory()
    with pytest.raises(DomainError):
        notification_preferences_set(member=member, in_app={"no_such_kind": False}, email={})
    with pytest.raises(AccessDenied):
        notification_preferences_set(member=AnonymousUser(), in_app={}, email={})
    assert not NotificationPreference.objects.exists()


def test_selector_gives_every_kind_in_order_in_one_query(django_assert_num_queries):
    member = MemberFactory()
    notification_preferences_set(member=member, in_app={"chat_reply": False}, email={})
    with django_assert_num_queries(1):
        rows = notification_preferences_for(member=member)
    assert [row.kind for row in rows] == list(KINDS)
    kind, label, in_app, email, email_possible = rows[list(KINDS).index("chat_reply")]
    assert (kind, in_app, email, email_possible) == ("chat_reply", False, False, False)
    assert label == "Replies to my chat messages"


# --- notify() with preferences --------------------------------------------------------


def test_notify_skips_recipients_who_turned_the_kind_off(django_capture_on_commit_callbacks):
    quiet, loud = MemberFactory(), MemberFactory()
    notification_preferences_set(member=quiet, in_app={"club_announcement": False}, email={})
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify(
            recipients=[quiet, loud],
            kind="club_announcement",
            params={"club": "Riders", "excerpt": "Hi"},
        )
    assert stored == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [loud.pk]
    assert [message.to for message in mail.outbox] == [[loud.email]]  # and no e-mail


def test_notify_stores_but_does_not_mail_who_turned_email_off(
    django_capture_on_commit_callbacks,
):
    no_mail, mailed = MemberFactory(), MemberFactory()
    notification_preferences_set(member=no_mail, in_app={}, email={"event_promoted": False})
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify(recipients=[no_mail, mailed], kind="event_promoted", params={"event": "E"})
    assert stored == 2
    assert [message.to for message in mail.outbox] == [[mailed.email]]


def test_a_preference_of_another_kind_changes_nothing(django_capture_on_commit_callbacks):
    member = MemberFactory()
    notification_preferences_set(
        member=member, in_app={"event_created": False}, email={"event_reminder": False}
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[member], kind="event_promoted", params={"event": "E"})
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_large_recipient_lists_read_preferences_by_kind(monkeypatch):
    """Above the IN (...) limit the query reads the kind's changed rows instead."""
    monkeypatch.setattr(notifications, "PREFERENCES_IN_LIMIT", 2)
    members = [MemberFactory() for _ in range(4)]
    stranger = MemberFactory()  # not a recipient: their preference must not matter
    notification_preferences_set(member=members[1], in_app={"event_created": False}, email={})
    notification_preferences_set(member=stranger, in_app={"event_created": False}, email={})
    stored = notify(recipients=members, kind="event_created", params={"club": "C", "event": "E"})
    assert stored == 3
    assert members[1].pk not in set(Notification.objects.values_list("recipient", flat=True))


@pytest.mark.parametrize("kind", ["club_announcement", "club_post_comment"])
def test_notify_query_count_does_not_grow_with_recipients(
    kind, django_assert_num_queries, django_capture_on_commit_callbacks
):
    params = {"club": "C", "excerpt": "E", "actor": "A"}
    few = [MemberFactory()]
    many = [MemberFactory() for _ in range(50)]
    for member in (few[0], many[0], many[7]):  # some preferences exist
        notification_preferences_set(member=member, in_app={}, email={kind: False})
    notification_preferences_set(member=many[3], in_app={kind: False}, email={})

    with django_capture_on_commit_callbacks(execute=False):
        with django_assert_num_queries(2) as one:  # preferences + one INSERT
            assert notify(recipients=few, kind=kind, params=params) == 1
        with django_assert_num_queries(2) as fifty:
            assert notify(recipients=many, kind=kind, params=params) == 49
    assert len(one) == len(fifty)


def test_notify_without_recipients_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify(recipients=[], kind="chat_message", params={"room": "R"}) == 0


def test_once_unread_keeps_one_unread_notification_per_url():
    reader, other = MemberFactory(), MemberFactory()
    url = "/chat/rooms/1/"
    assert notify(recipients=[reader], kind="chat_message", url=url, params={"room": "R"}) == 1
    again = notify(
        recipients=[reader, other],
        kind="chat_message",
        url=url,
        params={"room": "R"},
        once_unread=True,
    )
    assert again == 1  # only `other`
    assert Notification.objects.filter(recipient=reader).count() == 1
    notifications.notification_mark_read(member=reader)
    assert (
        notify(
            recipients=[reader],
            kind="chat_message",
            url=url,
            params={"room": "R"},
            once_unread=True,
        )
        == 1
    )
    # Another room is another url.
    assert (
        notify(
            recipients=[other],
            kind="chat_message",
            url="/chat/rooms/2/",
            params={"room": "S"},
            once_unread=True,
        )
        == 1
    )


# --- direct messages (profile form) ---------------------------------------------------


def test_direct_messages_default_and_profile_edit(client):
    member = MemberFactory()
    assert member.direct_messages == Member.DirectMessages.CLUB_MATES == "club_mates"
    client.force_login(member)
    html = client.get(reverse("members:edit")).content.decode()
    assert 'name="direct_messages"' in html and "Conversations you already have" in html
    data = {"display_name": "Ann", "direct_messages": "nobody"}
    assert client.post(reverse("members:edit"), data).status_code == 302
    member.refresh_from_db()
    assert member.direct_messages == "nobody"

    # A form without the field (an older page) keeps the choice.
    assert client.post(reverse("members:edit"), {"display_name": "Ann"}).status_code == 302
    member.refresh_from_db()
    assert member.direct_messages == "nobody"

    response = client.post(reverse("members:edit"), {"display_name": "Ann", "direct_messages": "x"})
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.direct_messages == "nobody"


def test_direct_messages_service_rejects_unknown_values():
    member = MemberFactory()
    with pytest.raises(DomainError) as info:
        member_update_profile(
            member=member, actor=member, display_name="Ann", direct_messages="strangers"
        )
    assert info.value.field == "direct_messages"
    member_update_profile(
        member=member, actor=member, display_name="Ann", direct_messages="everyone"
    )
    member.refresh_from_db()
    assert member.direct_messages == "everyone"
