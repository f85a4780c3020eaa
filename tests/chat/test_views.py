"""Chat pages over HTTP: rooms stay private (pages, JSON, photos), the room page works
without JavaScript (history pages, a form that posts), bad photos are form errors,
moderators delete and mute through confirm pages, and list pages run a fixed number of
queries whatever their length."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from brand_clubs.models import Club, ClubMembership
from community.chat import services
from community.chat.models import Message, MessageReaction, RoomMute, RoomSubscription
from tests.factories import (
    ClubFactory,
    ClubMembershipFactory,
    EventFactory,
    EventRSVPFactory,
    MemberFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    """Tests write many messages quickly; the limits themselves are tested elsewhere."""
    settings.WRITE_RATE_LIMITS = {
        **settings.WRITE_RATE_LIMITS,
        "chat_message": (10_000, 60),
        "chat_reaction": (10_000, 60),
        "chat_direct_open": (10_000, 60),
    }


def _member(club, **kwargs):
    return ClubMembershipFactory(club=club, **kwargs).member


def _say(room, author, body="Hello **there**", **kwargs):
    return services.message_send(author=author, room=room, body=body, **kwargs)


@pytest.fixture
def club():
    return ClubFactory()


@pytest.fixture
def alice(club):
    return _member(club)


@pytest.fixture
def bob(club):
    return _member(club)


@pytest.fixture
def room(club, alice):
    return services.room_for_club(user=alice, club=club)


def _room_url(room, name="room", **query):
    url = reverse(f"chat:{name}", args=[room.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _json(client, url, **kwargs):
    return client.get(url, HTTP_ACCEPT="application/json", **kwargs)


# --- who may see what -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, method",
    [("rooms", "get"), ("room", "get"), ("history", "get"), ("send", "post")],
)
def test_anonymous_visitors_are_sent_to_log_in(client, room, name, method):
    url = reverse("chat:rooms") if name == "rooms" else _room_url(room, name)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_room_of_a_club_you_are_not_in_is_404(client, room, alice):
    _say(room, alice, "Members only")
    client.force_login(MemberFactory())
    assert client.get(_room_url(room)).status_code == 404
    assert _json(client, _room_url(room, "history")).status_code == 404
    response = client.post(_room_url(room, "send"), {"body": "Let me in"})
    assert response.status_code == 404
    assert Message.objects.filter(room=room).count() == 1


def test_pending_and_banned_members_do_not_see_the_room(client, club, room):
    for status in (ClubMembership.Status.PENDING, ClubMembership.Status.BANNED):
        client.force_login(_member(club, status=status))
        assert client.get(_room_url(room)).status_code == 404


def test_other_peoples_direct_rooms_are_404_by_id(client):
    sender, recipient = MemberFactory(), MemberFactory(direct_messages="everyone")
    direct = services.direct_room_open(sender=sender, recipient=recipient)
    _say(direct, sender, "Just between us")
    client.force_login(MemberFactory())
    assert client.get(_room_url(direct)).status_code == 404
    assert _json(client, _room_url(direct, "history")).status_code == 404
    client.force_login(recipient)
    response = client.get(_room_url(direct))
    assert response.status_code == 200
    assert "Just between us" in response.content.decode()


def test_unknown_room_is_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("chat:room", args=[999_999])).status_code == 404


# --- the rooms list -----------------------------------------------------------------------


def test_rooms_list_empty_state_has_a_hint(client):
    client.force_login(MemberFactory())
    response = client.get(reverse("chat:rooms"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Join a club to chat with its members." in html
    assert reverse("brand_clubs:club_list") in html


def test_rooms_list_shows_title_kind_unread_and_last_message(client, club, room, alice, bob):
    client.force_login(bob)
    client.get(_room_url(room))  # bob follows the room from now on
    _say(room, alice, "First news")
    _say(room, alice, "Second <b>news</b>")
    response = client.get(reverse("chat:rooms"))
    html = response.content.decode()
    assert club.name in html
    assert "Club room" in html
    assert f'data-room-unread="{room.pk}"' in html
    assert '<span class="badge chat-unread"' in html and ">2</span>" in html
    assert "Second &lt;b&gt;news&lt;/b&gt;" in html
    assert f"{alice.public_name}:" in html
    # The navigation badge counts the same.
    assert 'class="badge nav-chat-unread"' in html
    assert 'nav-chat-unread" aria-label="2 unread">2<' in html


def _rooms_for(member, count):
    for _ in range(count):
        club = ClubFactory()
        ClubMembershipFactory(club=club, member=member)
        room = services.room_for_club(user=member, club=club)
        _say(room, _member(club), "Hi")


def test_rooms_list_runs_a_fixed_number_of_queries(client):
    member = MemberFactory()
    other = MemberFactory(direct_messages="everyone")
    services.direct_room_open(sender=member, recipient=other)
    _rooms_for(member, 10)
    client.force_login(member)
    client.get(reverse("chat:rooms"))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(reverse("chat:rooms"))
    assert response.content.decode().count('class="card chat-room-item') == 11
    _rooms_for(member, 40)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(reverse("chat:rooms"))
    assert response.content.decode().count('class="card chat-room-item') == 51
    assert len(fifty) <= len(ten), [q["sql"] for q in fifty.captured_queries]


# --- the room page ------------------------------------------------------------------------


def test_room_page_renders_history_and_a_form_that_works_without_js(client, room, alice, bob):
    first = _say(room, alice, "Good *morning*")
    answer = _say(room, bob, "Good answer", reply_to_id=first.pk)
    client.force_login(bob)
    response = client.get(_room_url(room))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Good <em>morning</em>" in html
    assert html.index(f'id="m-{first.pk}"') < html.index(f'id="m-{answer.pk}"')
    assert f'id="m-{first.pk}"' in html
    assert f'data-updated-sequence="{first.updated_sequence}"' in html
    assert 'class="chat-quote' in html
    assert f'action="{_room_url(room, "send")}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/*"' in html
    room.refresh_from_db()
    assert f'data-last-sequence="{room.last_sequence}"' in html
    assert 'id="live-config"' in html and "js/chat.js" in html and "js/live.js" in html
    assert 'id="chat-older"' not in html


def test_opening_the_latest_page_marks_the_room_read(client, room, alice, bob):
    client.force_login(bob)
    client.get(_room_url(room))
    _say(room, alice, "One")
    _say(room, alice, "Two")
    subscription = RoomSubscription.objects.get(room=room, member=bob)
    assert subscription.last_read_sequence == 0
    client.get(_room_url(room))
    subscription.refresh_from_db()
    assert subscription.last_read_sequence == 2


def test_history_pages_without_js(client, settings, room, alice):
    settings.CHAT_HISTORY_PAGE_SIZE = 5
    messages = [_say(room, alice, f"Number {n:02d}") for n in range(1, 13)]
    client.force_login(alice)

    html = client.get(_room_url(room)).content.decode()
    assert [f"Number {n:02d}" in html for n in (7, 8, 12)] == [False, True, True]
    assert f'href="?before={messages[7].sequence}"' in html

    html = client.get(_room_url(room, before=messages[7].sequence)).content.decode()
    assert [f"Number {n:02d}" in html for n in (2, 3, 7, 8)] == [False, True, True, False]
    assert f'href="?before={messages[2].sequence}"' in html
    assert "Back to the latest messages" in html

    html = client.get(_room_url(room, before=messages[2].sequence)).content.decode()
    assert "Number 01" in html and "Number 02" in html and "Number 03" not in html
    assert 'id="chat-older"' not in html


def test_reply_link_without_js_fills_the_form(client, room, alice, bob):
    original = _say(room, alice, "Who rides on Sunday?")
    client.force_login(bob)
    html = client.get(_room_url(room, reply_to=original.pk)).content.decode()
    assert f'name="reply_to" value="{original.pk}"' in html
    assert "Replying to" in html
    response = client.post(_room_url(room, "send"), {"body": "Me!", "reply_to": original.pk})
    assert response.status_code == 302
    assert Message.objects.get(body="Me!").reply_to == original


def _page_with(client, room, viewer):
    client.get(_room_url(room))  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_room_url(room))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_room_page_runs_a_fixed_number_of_queries(client, settings, room, alice, bob):
    settings.CHAT_HISTORY_PAGE_SIZE = 50

    def add(count):
        for n in range(count):
            message = _say(room, alice if n % 2 else bob, f"Message {n} @{bob.public_name}")
            if n % 3 == 0:
                _say(room, bob, "An answer", reply_to_id=message.pk)
            if n % 4 == 0:
                services.reaction_toggle(member=bob, message=message, emoji="👍")

    add(7)
    client.force_login(bob)
    few, html = _page_with(client, room, bob)
    assert html.count("data-updated-sequence=") == 10
    add(30)
    many, html = _page_with(client, room, bob)
    assert html.count("data-updated-sequence=") == 50
    assert many <= few


# --- sending --------------------------------------------------------------------------


def test_post_send_saves_and_redirects_to_the_message(client, room, alice):
    client.force_login(alice)
    response = client.post(_room_url(room, "send"), {"body": "Hello **club**"})
    message = Message.objects.get(room=room)
    assert response.status_code == 302
    assert response["Location"] == _room_url(room) + f"#m-{message.pk}"
    assert message.body_html.strip() == "<p>Hello <strong>club</strong></p>"


def test_post_send_as_json_returns_the_payload(client, room, alice):
    client.force_login(alice)
    response = client.post(
        _room_url(room, "send"), {"body": "Over fetch"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201
    payload = response.json()["message"]
    assert payload["body"] == "Over fetch"
    assert payload["author"]["id"] == alice.pk
    assert payload["room"] == room.pk


def test_empty_message_is_a_form_error(client, room, alice):
    client.force_login(alice)
    response = client.post(_room_url(room, "send"), {"body": "   "})
    assert response.status_code == 400
    assert "Write a message or add a photo." in response.content.decode()
    response = client.post(_room_url(room, "send"), {"body": ""}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not Message.objects.exists()


def test_too_long_message_keeps_the_text(client, settings, room, alice):
    settings.CHAT_MESSAGE_MAX_LENGTH = 4000
    client.force_login(alice)
    response = client.post(_room_url(room, "send"), {"body": "x" * 4001})
    assert response.status_code == 400
    assert "x" * 4001 in response.content.decode()
    assert not Message.objects.exists()


def test_script_in_a_message_is_sanitised(client, room, alice, bob):
    client.force_login(alice)
    client.post(
        _room_url(room, "send"), {"body": "<script>alert('x')</script> [a](javascript:alert(1)) hi"}
    )
    client.force_login(bob)
    html = client.get(_room_url(room)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    payload = _json(client, _room_url(room, "history")).json()["messages"][0]
    assert "<script" not in payload["body_html"]
    assert 'href="javascript' not in payload["body_html"]


def test_photo_message_and_its_access_checked_file(client, room, alice, bob):
    client.force_login(alice)
    upload = image_upload("ride.png", size=(640, 480), fmt="PNG")
    response = client.post(_room_url(room, "send"), {"body": "", "photo": upload})
    assert response.status_code == 302
    message = Message.objects.get(room=room)
    assert message.photo.width == 640
    client.force_login(bob)
    html = client.get(_room_url(room)).content.decode()
    thumb = reverse("chat:photo", args=[message.pk, "thumb"])
    assert thumb in html and reverse("chat:photo", args=[message.pk, "large"]) in html
    response = client.get(thumb)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(reverse("chat:photo", args=[message.pk, "original"])).status_code == 404
    # Outsiders and anonymous visitors get nothing.
    client.force_login(MemberFactory())
    assert client.get(thumb).status_code == 404
    client.logout()
    assert client.get(thumb).status_code == 302


def test_photo_of_a_deleted_message_is_gone(client, room, alice):
    message = _say(room, alice, "With photo", photo=image_upload())
    services.message_delete(actor=alice, message=message)
    client.force_login(alice)
    assert client.get(reverse("chat:photo", args=[message.pk, "thumb"])).status_code == 404


def test_fake_image_is_a_form_error(client, room, alice):
    client.force_login(alice)
    fake = io.BytesIO(b"#!/bin/sh\necho not an image\n" * 20)
    fake.name = "evil.jpg"
    response = client.post(_room_url(room, "send"), {"body": "Look", "photo": fake})
    assert response.status_code == 400
    html = response.content.decode()
    assert "not an image we can read" in html
    assert "Look</textarea>" in html  # the text is kept
    assert not Message.objects.exists()


def test_oversized_image_is_rejected(client, settings, room, alice):
    settings.IMAGE_MAX_BYTES = 2_000
    client.force_login(alice)
    upload = image_upload("big.png", size=(600, 600), fmt="PNG", color=(1, 2, 3))
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "big.png"
    response = client.post(
        _room_url(room, "send"), {"body": "", "photo": upload}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "big.png" in response.json()["error"]["message"]
    assert not Message.objects.exists()


def test_decompression_bomb_is_rejected(client, settings, room, alice):
    settings.IMAGE_MAX_PIXELS = 10_000
    client.force_login(alice)
    bomb = image_upload("bomb.png", size=(4_000, 4_000), fmt="PNG", color=(0, 0, 0))
    response = client.post(_room_url(room, "send"), {"body": "boom", "photo": bomb})
    assert response.status_code == 400
    assert "bomb.png" in response.content.decode()
    assert not Message.objects.exists()


def test_closed_club_room_is_read_only(client, club, room, alice):
    _say(room, alice, "Before closing")
    Club.objects.filter(pk=club.pk).update(is_closed=True)
    client.force_login(alice)
    html = client.get(_room_url(room)).content.decode()
    assert "Before closing" in html
    assert 'id="message-form"' not in html
    assert "read-only" in html
    response = client.post(_room_url(room, "send"), {"body": "After"})
    assert response.status_code == 400
    assert not Message.objects.filter(body="After").exists()


# --- JSON history, read marks, notification level ----------------------------------------


def test_json_history_pages(client, settings, room, alice):
    settings.CHAT_HISTORY_PAGE_SIZE = 3
    messages = [_say(room, alice, f"Line {n}") for n in range(1, 8)]
    client.force_login(alice)
    data = _json(client, _room_url(room, "history")).json()
    assert [m["body"] for m in data["messages"]] == ["Line 5", "Line 6", "Line 7"]
    assert data["has_more"] is True
    data = _json(client, _room_url(room, "history", before=messages[4].sequence)).json()
    assert [m["body"] for m in data["messages"]] == ["Line 2", "Line 3", "Line 4"]
    data = _json(client, _room_url(room, "history", before=messages[1].sequence)).json()
    assert [m["body"] for m in data["messages"]] == ["Line 1"]
    assert data["has_more"] is False
    assert set(data["messages"][0]) >= {
        "id", "room", "sequence", "updated_sequence", "author", "body_html", "created_at",
        "edited", "deleted", "reply_to", "photo", "reactions",
    }  # fmt: skip


def test_read_and_notify_level(client, room, alice, bob):
    client.force_login(bob)
    client.get(_room_url(room))
    last = _say(room, alice, "Unread one")
    response = client.post(
        _room_url(room, "read"), {"sequence": last.sequence}, HTTP_ACCEPT="application/json"
    )
    assert response.json() == {"room": room.pk, "unread": 0}
    response = client.post(
        _room_url(room, "read"), {"sequence": "x"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    response = client.post(_room_url(room, "notify"), {"level": "all"})
    assert response.status_code == 302
    assert RoomSubscription.objects.get(room=room, member=bob).notify == "all"
    response = client.post(_room_url(room, "notify"), {"level": "loud"})
    assert response.status_code == 302
    assert RoomSubscription.objects.get(room=room, member=bob).notify == "all"


# --- deleting ---------------------------------------------------------------------------


def _delete_url(message):
    return reverse("chat:message_delete", args=[message.pk])


def test_author_deletes_own_message_after_confirming(client, room, alice):
    message = _say(room, alice, "Oops, wrong room")
    client.force_login(alice)
    response = client.get(_delete_url(message))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete your message?" in html and 'name="reason"' not in html
    assert Message.objects.get(pk=message.pk).deleted_at is None
    response = client.post(_delete_url(message))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.deleted_at is not None
    html = client.get(_room_url(room)).content.decode()
    assert "This message was deleted." in html and "wrong room" not in html
    assert client.get(_delete_url(message)).status_code == 404


def test_moderator_deletes_with_a_reason(client, club, room, alice):
    message = _say(room, alice, "Spam spam spam")
    moderator = _member(club, role=ClubMembership.Role.MODERATOR)
    client.force_login(moderator)
    html = client.get(_room_url(room)).content.decode()
    assert _delete_url(message) in html
    assert reverse("chat:mute", args=[room.pk]) + f"?member={alice.pk}" in html
    response = client.get(_delete_url(message))
    assert 'name="reason"' in response.content.decode()
    response = client.post(_delete_url(message), {"reason": ""})
    assert response.status_code == 400
    assert Message.objects.get(pk=message.pk).deleted_at is None
    response = client.post(_delete_url(message), {"reason": "Advertising"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.deleted_by == moderator and message.delete_reason == "Advertising"


def test_members_cannot_delete_others_messages(client, room, alice, bob):
    message = _say(room, alice, "Mine")
    client.force_login(bob)
    assert _delete_url(message) not in client.get(_room_url(room)).content.decode()
    assert client.get(_delete_url(message)).status_code == 403
    assert client.post(_delete_url(message), {"reason": "no"}).status_code == 403
    client.force_login(MemberFactory())
    assert client.post(_delete_url(message)).status_code == 404
    assert Message.objects.get(pk=message.pk).deleted_at is None


# --- muting -------------------------------------------------------------------------------


def test_mute_form_flow(client, club, room, alice):
    moderator = _member(club, role=ClubMembership.Role.MODERATOR)
    mute_url = reverse("chat:mute", args=[room.pk])
    client.force_login(moderator)
    response = client.get(mute_url, {"member": alice.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert alice.public_name in html and 'name="reason"' in html
    response = client.post(mute_url, {"member": alice.pk, "minutes": 60, "reason": ""})
    assert response.status_code == 400
    assert not RoomMute.objects.exists()
    response = client.post(mute_url, {"member": alice.pk, "minutes": 60, "reason": "Shouting"})
    assert response.status_code == 302
    mute = RoomMute.objects.get(room=room, member=alice)
    assert mute.reason == "Shouting" and mute.until > timezone.now()

    client.force_login(alice)
    response = client.post(_room_url(room, "send"), {"body": "Can I talk?"})
    assert response.status_code == 400
    assert "muted" in response.content.decode()
    response = client.post(
        _room_url(room, "send"), {"body": "Can I talk?"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "muted"
    assert not Message.objects.exists()

    client.force_login(moderator)
    assert "Muted until" in client.get(mute_url, {"member": alice.pk}).content.decode()
    response = client.post(mute_url, {"member": alice.pk, "action": "unmute"})
    assert response.status_code == 302
    client.force_login(alice)
    assert client.post(_room_url(room, "send"), {"body": "Thanks"}).status_code == 302


def test_only_moderators_mute(client, room, alice, bob):
    client.force_login(bob)
    mute_url = reverse("chat:mute", args=[room.pk])
    assert client.get(mute_url, {"member": alice.pk}).status_code == 403
    response = client.post(mute_url, {"member": alice.pk, "minutes": 60, "reason": "x"})
    assert response.status_code == 403
    assert not RoomMute.objects.exists()


# --- ways into a room ----------------------------------------------------------------------


def test_club_room_redirects_members_and_hides_from_outsiders(client, club, alice):
    client.force_login(alice)
    response = client.get(reverse("chat:club_room", args=[club.slug]))
    assert response.status_code == 302
    assert response["Location"] == club.chat_room.get_absolute_url()
    client.force_login(MemberFactory())
    assert client.get(reverse("chat:club_room", args=[club.slug])).status_code == 404
    assert client.get(reverse("chat:club_room", args=["no-such-club"])).status_code == 404


def test_club_page_links_to_the_chat_for_members_only(client, club, alice):
    client.force_login(alice)
    link = reverse("chat:club_room", args=[club.slug])
    assert link in client.get(club.get_absolute_url()).content.decode()
    client.force_login(MemberFactory())
    assert link not in client.get(club.get_absolute_url()).content.decode()


def test_event_room_for_attendees(client, club, alice):
    event = EventFactory(club=club)
    EventRSVPFactory(event=event, member=alice)
    client.force_login(alice)
    event_url = reverse("brand_clubs:event", args=[club.slug, event.pk])
    assert reverse("chat:event_room", args=[event.pk]) in client.get(event_url).content.decode()
    response = client.get(reverse("chat:event_room", args=[event.pk]))
    assert response.status_code == 302
    client.force_login(_member(club))  # a member who is not going
    assert client.get(reverse("chat:event_room", args=[event.pk])).status_code == 404


def test_direct_conversation_is_opened_by_post(client):
    sender = MemberFactory()
    recipient = MemberFactory(direct_messages="everyone")
    url = reverse("chat:direct", args=[recipient.pk])
    client.force_login(sender)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    room_url = response["Location"]
    assert client.get(room_url).status_code == 200
    assert client.post(url)["Location"] == room_url  # the same conversation again


def test_direct_conversation_refused_by_the_recipient(client):
    sender = MemberFactory()
    recipient = MemberFactory(direct_messages="nobody")
    client.force_login(sender)
    response = client.post(reverse("chat:direct", args=[recipient.pk]), follow=True)
    assert response.redirect_chain[-1][0] == recipient.get_absolute_url()
    assert "does not accept direct messages" in response.content.decode()
    response = client.post(
        reverse("chat:direct", args=[recipient.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert client.post(reverse("chat:direct", args=[sender.pk])).status_code == 302


# --- navigation -------------------------------------------------------------------------


def test_navigation_has_chat_and_live_config_only_for_members(client, alice):
    html = client.get(reverse("brand_clubs:club_list")).content.decode()
    assert 'id="live-config"' not in html and "js/live.js" not in html
    client.force_login(alice)
    html = client.get(reverse("brand_clubs:club_list")).content.decode()
    assert reverse("chat:rooms") in html
    assert 'class="badge nav-chat-unread" hidden' in html
    start = html.index('id="live-config"')
    config = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert config["member_id"] == alice.pk
    assert config["ws_path"] == "/ws/live/"
    assert config["strings"]["typing_one"] == "%s is typing…"
    assert "js/live.js" in html


def test_reactions_show_who_reacted(client, room, alice, bob):
    message = _say(room, alice, "React to me")
    services.reaction_toggle(member=bob, message=message, emoji="❤️")
    assert MessageReaction.objects.count() == 1
    client.force_login(bob)
    html = client.get(_room_url(room)).content.decode()
    assert 'class="chat-reaction pressed"' in html and 'data-emoji="❤️"' in html
