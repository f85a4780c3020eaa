"""Messages (community/chat/services/messages.py and moderation.py): sending with
sequence numbers, limits, sanitising, replies, mentions, followers' notifications and
photos; edits, deletions, reactions; mutes. Broadcasts go after commit only."""

import io
import struct
import zlib
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from brand_clubs.models import ClubAuditEntry, ClubMembership, Event
from community import realtime
from community.chat import services
from community.chat.models import (
    Message,
    MessagePhoto,
    MessageReaction,
    Room,
    RoomMute,
)
from community.chat.payloads import message_payload
from community.chat.selectors import room_history
from community.chat.services.messages import MAX_MENTIONS
from community.chat.services.moderation import MAX_MUTE_MINUTES
from community.errors import AccessDenied, Conflict, DomainError, NotFound, RateLimited
from community.members.models import Notification
from community.reputation.rules import TrustLevel
from community.reviews.photos import RENDITION_FIELDS
from tests.chat.conftest import club_with_room, send
from tests.factories import (
    BrandStaffFactory,
    ClubMembershipFactory,
    EventFactory,
    EventRSVPFactory,
    MemberFactory,
    ModeratorFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return club_with_room()


@pytest.fixture
def sent(monkeypatch):
    """The live events that reached the channel layer (after commit)."""
    events = []
    monkeypatch.setattr(realtime, "_send", lambda group, event: events.append((group, event)))
    return events


def _named(member, name):
    member.display_name = name
    member.save(update_fields=["display_name"])
    return member


def _notifications(member, kind=None):
    rows = Notification.objects.filter(recipient=member)
    return rows.filter(kind=kind) if kind else rows


def _reloaded(message):
    return (
        Message.objects.select_related("author", "reply_to", "reply_to__author", "photo")
        .prefetch_related("reactions")
        .get(pk=message.pk)
    )


def _mute(world, member, minutes=10):
    return services.room_mute(
        actor=world.moderator, room=world.room, member=member, minutes=minutes, reason="Spam"
    )


# --- sending: numbers and limits ------------------------------------------------------


def test_sequences_increment_per_room(world):
    other = club_with_room(members=1)
    author = world.members[0]
    first = [send(author, world.room, f"a{n}") for n in range(3)]
    second = [send(other.members[0], other.room, f"b{n}") for n in range(2)]
    assert [m.sequence for m in first] == [1, 2, 3]
    assert [m.updated_sequence for m in first] == [1, 2, 3]
    assert [m.sequence for m in second] == [1, 2]
    world.room.refresh_from_db()
    other.room.refresh_from_db()
    assert (world.room.last_sequence, other.room.last_sequence) == (3, 2)


def test_body_length_limit(world, settings):
    author = world.members[0]
    assert settings.CHAT_MESSAGE_MAX_LENGTH == 4000
    assert len(send(author, world.room, "x" * 4000).body) == 4000
    with pytest.raises(DomainError) as info:
        send(author, world.room, "x" * 4001)
    assert (info.value.code, info.value.field) == ("too_long", "body")
    assert "4000" in str(info.value.message) and "4001" in str(info.value.message)
    # Stripped characters do not count.
    assert len(send(author, world.room, "  " + "y" * 4000 + "\x00  ").body) == 4000


@pytest.mark.parametrize("body", ["", "   ", " \n\t \n", "\x00\x01", None])
def test_empty_bodies_are_refused_without_a_photo(world, body):
    with pytest.raises(DomainError) as info:
        send(world.members[0], world.room, body)
    assert info.value.field == "body"
    assert not Message.objects.exists()


def test_non_text_body_is_refused(world):
    with pytest.raises(DomainError):
        send(world.members[0], world.room, ["not", "text"])


def test_control_characters_are_stripped_but_lines_kept(world):
    message = send(world.members[0], world.room, "a\x00b\x07c\x1b[31m\x7fd\nnext\tline")
    assert message.body == "abc[31md\nnext\tline"


class _Tags(HTMLParser):
    """The tags and attributes a browser would build from the HTML."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://x.example" onclick="steal()">x</a>',
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '[x](https://example.com "t" onmouseover="alert(1)")',
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_html_and_script_are_neutralised(world, body):
    message = send(world.members[0], world.room, body)
    assert message.body == body  # the text is kept as typed; only the HTML is sanitised
    for tag, attrs in _Tags(message.body_html).tags:
        assert tag in {"p", "a", "strong", "em", "code", "pre", "br"}, message.body_html
        assert not [name for name in attrs if name.startswith("on")], message.body_html
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:")), message.body_html
    assert "<script" not in message.body_html and "<img" not in message.body_html


def test_markdown_links_get_rel_nofollow(world):
    basic = world.members[0]
    basic.trust_level = TrustLevel.BASIC
    basic.save(update_fields=["trust_level"])
    message = send(basic, world.room, "See [the manual](https://example.com/manual)")
    assert 'href="https://example.com/manual"' in message.body_html
    assert 'rel="nofollow ugc noopener"' in message.body_html


def test_message_rate_limit_is_per_member_per_room(world, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "chat_message": (2, 60)}
    author = world.members[0]
    send(author, world.room, "one")
    send(author, world.room, "two")
    with pytest.raises(RateLimited):
        send(author, world.room, "three")
    send(world.members[1], world.room, "someone else")  # others are not affected
    ClubMembershipFactory(club=(other := club_with_room(members=1)).club, member=author)
    send(author, other.room, "another room")  # nor other rooms
    world.room.refresh_from_db()
    assert world.room.last_sequence == 3


def test_people_who_may_not_post_are_refused(world):
    with pytest.raises(NotFound):
        send(MemberFactory(), world.room, "let me in")
    with pytest.raises(AccessDenied) as info:
        send(ModeratorFactory(), world.room, "site moderators read")
    assert info.value.code == "members_only"
    inactive = world.members[0]
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    with pytest.raises(AccessDenied):
        send(inactive, world.room, "gone")
    assert not Message.objects.exists()


# --- replies, mentions, followers -----------------------------------------------------


def test_reply_to_a_message_of_another_room_is_not_found(world):
    other = club_with_room(members=1)
    foreign = send(other.members[0], other.room, "elsewhere")
    with pytest.raises(NotFound):
        send(world.members[0], world.room, "reply", reply_to_id=foreign.pk)
    with pytest.raises(NotFound):
        send(world.members[0], world.room, "reply", reply_to_id=987654)
    world.room.refresh_from_db()
    assert world.room.last_sequence == 0
    assert not Message.objects.filter(room=world.room).exists()


def test_reply_notifies_the_replied_author(world):
    alice, bob = world.members
    original = send(alice, world.room, "Who rides on Sunday?")
    reply = send(bob, world.room, "Me!", reply_to_id=original.pk)
    assert reply.reply_to == original
    notification = _notifications(alice, "chat_reply").get()
    assert notification.url == world.room.get_absolute_url()
    assert notification.params["excerpt"] == "Me!"
    assert notification.actor == bob
    # Replying to yourself tells nobody.
    send(alice, world.room, "And me", reply_to_id=original.pk)
    assert _notifications(alice, "chat_reply").count() == 1
    payload = message_payload(_reloaded(reply))
    assert payload["reply_to"]["id"] == original.pk
    assert payload["reply_to"]["excerpt"] == "Who rides on Sunday?"


def test_reply_to_someone_who_left_tells_them_nothing(world):
    alice, bob = world.members
    original = send(alice, world.room, "Bye soon")
    ClubMembership.objects.filter(club=world.club, member=alice).delete()
    send(bob, world.room, "Bye", reply_to_id=original.pk)
    assert not _notifications(alice).exists()


def test_reply_and_mention_of_the_same_person_is_one_notification(world):
    alice, bob = world.members
    _named(alice, "Alice")
    original = send(alice, world.room, "Question")
    send(bob, world.room, "@Alice answer", reply_to_id=original.pk)
    assert list(_notifications(alice).values_list("kind", flat=True)) == ["chat_mention"]


def test_mentions_notify_readers_only_never_the_author(world):
    alice, bob = world.members
    _named(alice, "Alice")
    _named(bob, "Bob Smith")
    author = _named(world.moderator, "Mod")
    _named(MemberFactory(), "Zed")  # not in the club
    message = send(
        author, world.room, "Hi @alice and @**Bob Smith**, not @Zed, and me @Mod. mail@Zed"
    )
    assert sorted(message.mentioned_ids) == sorted([alice.pk, bob.pk])
    assert set(
        Notification.objects.filter(kind="chat_mention").values_list("recipient_id", flat=True)
    ) == {alice.pk, bob.pk}
    assert message_payload(_reloaded(message))["mentions"] == message.mentioned_ids
    notification = _notifications(alice, "chat_mention").get()
    assert notification.params["actor"] == "Mod"
    assert notification.params["room"] == world.club.name


def test_an_e_mail_address_is_not_a_mention(world):
    dotted = ClubMembershipFactory(club=world.club, member=_named(MemberFactory(), "example.com"))
    message = send(world.members[0], world.room, "Write to bob@example.com")
    assert message.mentioned_ids == []
    assert not _notifications(dotted.member).exists()


def test_at_most_ten_mentions(world):
    people = [
        ClubMembershipFactory(club=world.club, member=_named(MemberFactory(), f"M{n}")).member
        for n in range(12)
    ]
    message = send(world.members[0], world.room, " ".join(f"@M{n}" for n in range(12)))
    assert len(message.mentioned_ids) == MAX_MENTIONS == 10
    assert set(message.mentioned_ids) == {member.pk for member in people[:10]}
    assert Notification.objects.filter(kind="chat_mention").count() == 10


def test_at_most_ten_people_are_told_even_when_names_repeat(world):
    for n in range(10):
        for _twin in range(2):
            ClubMembershipFactory(club=world.club, member=_named(MemberFactory(), f"Twin{n}"))
    message = send(world.members[0], world.room, " ".join(f"@Twin{n}" for n in range(10)))
    assert len(message.mentioned_ids) == MAX_MENTIONS
    assert Notification.objects.filter(kind="chat_mention").count() == MAX_MENTIONS


def test_followers_get_one_notification_per_room_until_they_read(world):
    alice, bob = world.members
    services.room_notify_set(member=alice, room=world.room, level="all")
    services.room_notify_set(member=world.moderator, room=world.room, level="none")
    for n in range(3):
        last = send(bob, world.room, f"news {n}")
    assert _notifications(alice, "chat_message").count() == 1
    assert not _notifications(bob).exists()  # never the author
    assert not _notifications(world.moderator).exists()  # "nothing"
    services.room_mark_read(member=alice, room=world.room, sequence=last.sequence)
    assert not _notifications(alice, "chat_message").filter(read_at__isnull=True).exists()
    send(bob, world.room, "more news")
    assert _notifications(alice, "chat_message").count() == 2
    assert _notifications(alice, "chat_message").filter(read_at__isnull=True).count() == 1


def test_followers_who_lost_access_are_not_told(world):
    alice, bob = world.members
    services.room_notify_set(member=alice, room=world.room, level="all")
    ClubMembership.objects.filter(club=world.club, member=alice).update(
        status=ClubMembership.Status.BANNED
    )
    send(bob, world.room, "news")
    assert not _notifications(alice).exists()


def test_mentions_only_followers_get_no_message_notification(world):
    alice, bob = world.members
    services.room_notify_set(member=alice, room=world.room, level="mentions")
    send(bob, world.room, "news")
    assert not _notifications(alice).exists()


def test_direct_messages_notify_the_other_person():
    one, two = MemberFactory(), MemberFactory(direct_messages="everyone")
    room = services.direct_room_open(sender=one, recipient=two)
    send(one, room, "hello")
    send(one, room, "are you there?")
    notification = _notifications(two, "chat_message").get()
    assert notification.params["room"] == one.public_name
    assert not _notifications(one).exists()


# --- photos ---------------------------------------------------------------------------


def _jpeg_with_gps() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (10, 120, 200)).save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return SimpleUploadedFile("gps.jpg", data, content_type="image/jpeg")


def test_photo_message_gets_renditions_without_metadata(world):
    message = send(world.members[0], world.room, "", photo=_jpeg_with_gps())
    photo = MessagePhoto.objects.get(message=message)
    assert (photo.width, photo.height) == (120, 80)
    for name in RENDITION_FIELDS:
        field_file = getattr(photo, name)
        assert field_file.name.startswith(f"chat/{world.room.pk}/")
        assert field_file.storage.exists(field_file.name)
        with field_file.storage.open(field_file.name) as handle:
            data = handle.read()
        assert b"SnoopCam" not in data and b"Exif" not in data
        assert len(Image.open(io.BytesIO(data)).getexif()) == 0
    payload = message_payload(_reloaded(message))
    assert payload["photo"]["width"] == 120
    assert set(payload["photo"]) == {"thumb", "medium", "large", "width", "height"}
    assert payload["photo"]["thumb"].endswith("/thumb/")


def test_photo_with_text(world):
    message = send(world.members[0], world.room, "Look", photo=image_upload())
    assert message.body == "Look"
    assert MessagePhoto.objects.filter(message=message, width=64, height=48).exists()


def _png_bomb(side: int) -> bytes:
    """A valid 1-bit PNG that declares side x side pixels (tiny when compressed)."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _private_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: SimpleUploadedFile("fake.jpg", b"GIF89a not really", "image/jpeg"), "not_image"),
        (lambda: SimpleUploadedFile("bomb.png", _png_bomb(12_000), "image/png"), "too_many_pixels"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_saved(world, settings, upload, code):
    upload = upload()
    with pytest.raises(DomainError) as info:
        send(world.members[0], world.room, "look", photo=upload)
    assert info.value.code == code
    assert upload.name in str(info.value.message)  # names the file and the reason
    assert not Message.objects.exists() and not MessagePhoto.objects.exists()
    world.room.refresh_from_db()
    assert world.room.last_sequence == 0
    assert _private_files(settings) == []


# --- broadcasts after commit ----------------------------------------------------------


def test_message_is_broadcast_after_commit_only(world, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(world.members[0], world.room, "Hello **all**")
    assert sent == []
    for callback in callbacks:
        callback()
    room_events = [event for group, event in sent if group == realtime.room_group(world.room.pk)]
    assert room_events == [
        {
            "type": "chat.message",
            "room": world.room.pk,
            "message": message_payload(_reloaded(message)),
        }
    ]
    assert room_events[0]["message"]["body_html"] == "<p>Hello <strong>all</strong></p>\n"


def test_refused_message_broadcasts_nothing(world, sent, django_capture_on_commit_callbacks):
    other = club_with_room(members=1)
    foreign = send(other.members[0], other.room, "elsewhere")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(NotFound):
            send(world.members[0], world.room, "reply", reply_to_id=foreign.pk)
        with pytest.raises(DomainError):
            send(world.members[0], world.room, "x" * 5000)
    assert callbacks == [] and sent == []


# --- edits ----------------------------------------------------------------------------


def test_edit_own_message(world, sent, django_capture_on_commit_callbacks):
    author = world.members[0]
    message = send(author, world.room, "Helo")
    send(world.members[1], world.room, "later")
    with django_capture_on_commit_callbacks(execute=True):
        edited = services.message_edit(actor=author, message=message, body="Hello *there*")
    assert (edited.sequence, edited.updated_sequence) == (1, 3)
    assert edited.body_html == "<p>Hello <em>there</em></p>\n"
    assert edited.edited_at is not None
    payload = message_payload(edited)
    assert payload["edited"] is True
    assert sent[-1] == (
        realtime.room_group(world.room.pk),
        {"type": "chat.message", "room": world.room.pk, "message": payload},
    )


def test_edit_with_the_same_body_changes_nothing(world):
    author = world.members[0]
    message = send(author, world.room, "Same")
    unchanged = services.message_edit(actor=author, message=message, body="  Same ")
    assert unchanged.updated_sequence == 1 and unchanged.edited_at is None
    world.room.refresh_from_db()
    assert world.room.last_sequence == 1


def test_edit_rules(world):
    author, other = world.members
    message = send(author, world.room, "Mine")
    with pytest.raises(DomainError) as info:
        services.message_edit(actor=other, message=message, body="Theirs")
    assert info.value.code == "forbidden"
    with pytest.raises(DomainError) as info:  # moderators delete, they do not rewrite
        services.message_edit(actor=world.moderator, message=message, body="Theirs")
    assert info.value.code == "forbidden"
    with pytest.raises(DomainError) as info:
        services.message_edit(actor=author, message=message, body="x" * 4001)
    assert info.value.code == "too_long"
    with pytest.raises(DomainError):
        services.message_edit(actor=author, message=message, body="   ")
    services.message_delete(actor=author, message=message)
    with pytest.raises(Conflict):
        services.message_edit(actor=author, message=message, body="Back")


def test_edit_needs_posting_rights_now(world):
    author = world.members[0]
    message = send(author, world.room, "Before")
    _mute(world, author)
    with pytest.raises(AccessDenied) as info:
        services.message_edit(actor=author, message=message, body="After")
    assert info.value.code == "muted"
    RoomMute.objects.update(lifted_at=timezone.now())
    ClubMembership.objects.filter(club=world.club, member=author).delete()
    with pytest.raises(NotFound):
        services.message_edit(actor=author, message=message, body="After")


def test_edit_rate_limit(world, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "chat_edit": (2, 60)}
    author = world.members[0]
    message = send(author, world.room, "v0")
    services.message_edit(actor=author, message=message, body="v1")
    services.message_edit(actor=author, message=message, body="v2")
    with pytest.raises(RateLimited):
        services.message_edit(actor=author, message=message, body="v3")


# --- deletions ------------------------------------------------------------------------


def test_delete_own_message_needs_no_reason(world):
    author = world.members[0]
    message = send(author, world.room, "Oops")
    services.reaction_toggle(member=world.members[1], message=message, emoji="👍")
    deleted = services.message_delete(actor=author, message=message)
    assert deleted.is_deleted and deleted.deleted_by == author and deleted.delete_reason == ""
    assert (deleted.body, deleted.body_html) == ("", "")
    assert deleted.updated_sequence == 3  # message 1, reaction 2, deletion 3
    assert not MessageReaction.objects.exists()
    assert not ClubAuditEntry.objects.filter(action=ClubAuditEntry.Action.CHAT_DELETE).exists()
    payload = message_payload(deleted)
    assert payload["deleted"] is True
    assert (payload["body"], payload["body_html"], payload["reactions"]) == ("", "", [])
    with pytest.raises(Conflict):
        services.message_delete(actor=author, message=message)


def test_plain_members_cannot_delete_others_messages(world):
    message = send(world.members[0], world.room, "Mine")
    with pytest.raises(AccessDenied) as info:
        services.message_delete(actor=world.members[1], message=message, reason="Rude")
    assert info.value.code == "forbidden"
    with pytest.raises(NotFound):
        services.message_delete(actor=MemberFactory(), message=message, reason="Rude")
    assert not Message.objects.get(pk=message.pk).is_deleted


@pytest.mark.parametrize("who", ["club_moderator", "brand_staff", "site_moderator"])
def test_moderators_delete_with_a_reason_that_is_logged(world, who):
    actor = {
        "club_moderator": lambda: world.moderator,
        "brand_staff": lambda: BrandStaffFactory(brand=world.club.brand).member,
        "site_moderator": ModeratorFactory,
    }[who]()
    author = world.members[0]
    message = send(author, world.room, "Buy cheap watches")
    with pytest.raises(DomainError) as info:
        services.message_delete(actor=actor, message=message, reason="   ")
    assert info.value.field == "reason"
    assert not Message.objects.get(pk=message.pk).is_deleted
    deleted = services.message_delete(actor=actor, message=message, reason="  Spam \n link ")
    assert deleted.delete_reason == "Spam link"
    entry = ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.CHAT_DELETE)
    assert (entry.club, entry.actor, entry.target_member, entry.reason) == (
        world.club,
        actor,
        author,
        "Spam link",
    )
    assert "Buy cheap" in entry.target_repr  # kept in the log, for the club's moderators


def test_moderator_delete_in_an_event_room_is_logged_in_the_club():
    event = EventFactory(visibility=Event.Visibility.PUBLIC)
    moderator = ClubMembershipFactory(club=event.club, role=ClubMembership.Role.MODERATOR).member
    going = EventRSVPFactory(event=event).member
    room = services.room_for_event(user=going, event=event)
    message = send(going, room, "hello")
    services.message_delete(actor=moderator, message=message, reason="Off topic")
    assert ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.CHAT_DELETE).club == event.club


def test_nobody_moderates_a_direct_conversation():
    one, two = MemberFactory(), MemberFactory(direct_messages="everyone")
    room = services.direct_room_open(sender=one, recipient=two)
    message = send(one, room, "hi")
    with pytest.raises(AccessDenied):
        services.message_delete(actor=two, message=message, reason="Rude")
    with pytest.raises(NotFound):
        services.message_delete(actor=ModeratorFactory(), message=message, reason="Rude")


def test_deleting_a_photo_message_removes_the_files_on_commit(
    world, django_capture_on_commit_callbacks
):
    author = world.members[0]
    message = send(author, world.room, "pic", photo=image_upload())
    photo = MessagePhoto.objects.get(message=message)
    files = [(getattr(photo, name).storage, getattr(photo, name).name) for name in RENDITION_FIELDS]
    assert all(storage.exists(name) for storage, name in files)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deleted = services.message_delete(actor=author, message=message)
    assert all(storage.exists(name) for storage, name in files)  # not before the commit
    for callback in callbacks:
        callback()
    assert not any(storage.exists(name) for storage, name in files)
    assert not MessagePhoto.objects.exists()
    assert message_payload(_reloaded(deleted))["photo"] is None


def test_a_reply_to_a_deleted_message_shows_no_excerpt(world):
    alice, bob = world.members
    original = send(alice, world.room, "secret")
    reply = send(bob, world.room, "ok", reply_to_id=original.pk)
    services.message_delete(actor=alice, message=original)
    payload = message_payload(_reloaded(reply))
    assert payload["reply_to"]["deleted"] is True and payload["reply_to"]["excerpt"] == ""
    # Replying to a deleted message tells its author nothing.
    Notification.objects.all().delete()
    send(bob, world.room, "ok again", reply_to_id=original.pk)
    assert not _notifications(alice).exists()


# --- reactions ------------------------------------------------------------------------


def test_reaction_toggles_and_takes_a_sequence(world):
    alice, bob = world.members
    message = send(alice, world.room, "Nice ride")
    assert services.reaction_toggle(member=bob, message=message, emoji="👍") is True
    assert services.reaction_toggle(member=alice, message=message, emoji="👍") is True
    assert services.reaction_toggle(member=bob, message=message, emoji="❤️") is True
    payload = message_payload(_reloaded(message))
    assert payload["reactions"] == [
        {"emoji": "👍", "count": 2, "members": [bob.pk, alice.pk]},
        {"emoji": "❤️", "count": 1, "members": [bob.pk]},
    ]
    assert payload["updated_sequence"] == 4
    assert services.reaction_toggle(member=bob, message=message, emoji="👍") is False
    assert MessageReaction.objects.filter(message=message).count() == 2
    assert _reloaded(message).updated_sequence == 5


@pytest.mark.parametrize("emoji", ["🍕", "", None, "<b>", "👍👍"])
def test_only_the_fixed_reactions(world, emoji):
    message = send(world.members[0], world.room, "hi")
    with pytest.raises(DomainError) as info:
        services.reaction_toggle(member=world.members[1], message=message, emoji=emoji)
    assert info.value.field == "emoji"


def test_reaction_rules(world, settings):
    alice, bob = world.members
    message = send(alice, world.room, "hi")
    with pytest.raises(NotFound):
        services.reaction_toggle(member=MemberFactory(), message=message, emoji="👍")
    with pytest.raises(AccessDenied):  # site moderators read but do not react
        services.reaction_toggle(member=ModeratorFactory(), message=message, emoji="👍")
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "chat_reaction": (2, 60)}
    services.reaction_toggle(member=bob, message=message, emoji="👍")
    services.reaction_toggle(member=bob, message=message, emoji="👍")
    with pytest.raises(RateLimited):
        services.reaction_toggle(member=bob, message=message, emoji="👍")
    services.message_delete(actor=alice, message=message)
    with pytest.raises(Conflict):
        services.reaction_toggle(member=alice, message=message, emoji="👍")


# --- mutes ----------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -5, MAX_MUTE_MINUTES + 1, "ten", None, "1.5"])
def test_mute_minutes_bounds(world, minutes):
    with pytest.raises(DomainError) as info:
        _mute(world, world.members[0], minutes=minutes)
    assert info.value.field == "minutes"
    assert not RoomMute.objects.exists()


@pytest.mark.parametrize("minutes", [1, "60", MAX_MUTE_MINUTES])
def test_mute_minutes_accepted(world, minutes):
    mute = _mute(world, world.members[0], minutes=minutes)
    expected = timezone.now() + timedelta(minutes=int(minutes))
    assert abs((mute.until - expected).total_seconds()) < 60


def test_mute_needs_a_reason(world):
    for reason in ("", "   \n ", None):
        with pytest.raises(DomainError) as info:
            services.room_mute(
                actor=world.moderator,
                room=world.room,
                member=world.members[0],
                minutes=10,
                reason=reason,
            )
        assert info.value.field == "reason"


def test_who_cannot_be_muted(world):
    staff = BrandStaffFactory(brand=world.club.brand).member
    site_moderator = ModeratorFactory()
    for target in (world.moderator, staff, site_moderator, MemberFactory(), None):
        with pytest.raises(DomainError) as info:
            _mute(world, target)
        assert info.value.field == "member"
    with pytest.raises(DomainError):  # a brand's staff cannot mute themselves either
        services.room_mute(actor=staff, room=world.room, member=staff, minutes=5, reason="x")
    assert not RoomMute.objects.exists()


def test_only_moderators_mute(world):
    with pytest.raises(AccessDenied) as info:
        services.room_mute(
            actor=world.members[0], room=world.room, member=world.members[1], minutes=5, reason="x"
        )
    assert info.value.code == "forbidden"
    with pytest.raises(AccessDenied):
        services.room_unmute(actor=world.members[0], room=world.room, member=world.members[1])
    one, two = MemberFactory(), MemberFactory(direct_messages="everyone")
    direct = services.direct_room_open(sender=one, recipient=two)
    with pytest.raises(AccessDenied):
        services.room_mute(actor=one, room=direct, member=two, minutes=5, reason="x")


def test_mute_blocks_posting_and_reacting_until_it_ends(world):
    muted, other = world.members
    message = send(other, world.room, "hi")
    mute = _mute(world, muted, minutes=10)
    with pytest.raises(AccessDenied) as info:
        send(muted, world.room, "let me speak")
    assert info.value.code == "muted"
    with pytest.raises(AccessDenied) as info:
        services.reaction_toggle(member=muted, message=message, emoji="👍")
    assert info.value.code == "muted"
    # Reading and their own deletions still work.
    assert services.access_room_read(user=muted, room=world.room).can_read
    # Other rooms are not affected.
    other_world = club_with_room(members=0)
    ClubMembershipFactory(club=other_world.club, member=muted)
    send(muted, other_world.room, "here I can")
    RoomMute.objects.filter(pk=mute.pk).update(until=timezone.now() - timedelta(seconds=1))
    send(muted, world.room, "back")
    services.reaction_toggle(member=muted, message=message, emoji="👍")


def test_unmute_lifts_the_mute_and_both_are_logged(world):
    muted = world.members[0]
    _mute(world, muted, minutes=60)
    assert services.room_unmute(actor=world.moderator, room=world.room, member=muted) == 1
    send(muted, world.room, "free again")
    assert services.room_unmute(actor=world.moderator, room=world.room, member=muted) == 0
    entries = ClubAuditEntry.objects.filter(club=world.club).order_by("pk")
    assert [(e.action, e.actor, e.target_member) for e in entries] == [
        (ClubAuditEntry.Action.CHAT_MUTE, world.moderator, muted),
        (ClubAuditEntry.Action.CHAT_UNMUTE, world.moderator, muted),
    ]
    assert "60" in entries[0].reason and "Spam" in entries[0].reason


def test_site_moderator_mutes_in_an_event_room_logged_in_the_club():
    event = EventFactory(visibility=Event.Visibility.PUBLIC)
    going = EventRSVPFactory(event=event).member
    room = services.room_for_event(user=going, event=event)
    moderator = ModeratorFactory()
    services.room_mute(actor=moderator, room=room, member=going, minutes=5, reason="Flood")
    with pytest.raises(AccessDenied):
        send(going, room, "flood")
    entry = ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.CHAT_MUTE)
    assert (entry.club, entry.actor) == (event.club, moderator)


def test_mute_rate_limit(world, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "chat_moderate": (1, 3600)}
    _mute(world, world.members[0])
    with pytest.raises(RateLimited):
        _mute(world, world.members[1])


def test_history_shows_what_was_sent(world):
    alice, bob = world.members
    first = send(alice, world.room, "one")
    send(bob, world.room, "two", reply_to_id=first.pk)
    messages, has_more = room_history(room=world.room)
    assert [m.body for m in messages] == ["one", "two"] and has_more is False
    assert Room.objects.get(pk=world.room.pk).last_sequence == 2


def test_links_in_chat_open_at_trust_level_1(world):
    """Below Basic a message with a link is refused (an error on the body); a bare URL is
    plain text (the renderer does not linkify) and goes through."""
    newcomer = world.members[0]
    with pytest.raises(DomainError) as refused:
        send(newcomer, world.room, "Cheap parts at [my shop](https://spam.example)")
    assert (refused.value.code, refused.value.field) == ("privilege", "body")
    assert not Message.objects.filter(author=newcomer).exists()
    plain = send(newcomer, world.room, "the manual is on example.com/manual")
    with pytest.raises(DomainError):
        services.message_edit(
            actor=newcomer, message=plain, body="now [a link](https://spam.example)"
        )
    assert Message.objects.get(pk=plain.pk).body == "the manual is on example.com/manual"
