"""Live delivery of notifications (through the channel layer, after commit only), the
text rendered for a socket's member in their language, and the brand-reply notice."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from community.members.models import Notification
from community.members.notifications import (
    KINDS,
    NotificationKind,
    notification_preferences_set,
    notify,
    render_notification,
)
from community.realtime import member_group
from community.reviews import services as review_services
from tests.factories import BrandStaffFactory, MemberFactory, ReviewFactory

live = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def memory_channel_layer(settings):
    """These tests read the layer from several event loops in turn, which only the
    in-memory layer allows; delivery over Redis is covered by tests/chat's socket tests."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _listen(member) -> str:
    """A test channel in the member's group, as a socket of theirs would be."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(member_group(member.pk), channel)
    return channel


def _received(channel: str, timeout: float = 0.3) -> list[dict]:
    """Every event waiting on `channel` (none arrives later than `timeout`)."""

    async def drain():
        layer = get_channel_layer()
        events = []
        while True:
            try:
                events.append(await asyncio.wait_for(layer.receive(channel), timeout))
            except TimeoutError:
                return events

    return async_to_sync(drain)()


# --- live delivery --------------------------------------------------------------------


@live
def test_each_stored_notification_is_sent_to_its_recipient_after_commit():
    ann, bob, actor = MemberFactory(), MemberFactory(), MemberFactory()
    ann_channel, bob_channel, actor_channel = _listen(ann), _listen(bob), _listen(actor)
    with transaction.atomic():
        notify(
            recipients=[ann, bob, actor],
            kind="chat_mention",
            actor=actor,
            url="/chat/rooms/3/#m-9",
            params={"actor": "Cy", "room": "Riders", "excerpt": "hi @Ann"},
        )
        assert _received(ann_channel, timeout=0.05) == []  # nothing before the commit
    [event] = _received(ann_channel)
    stored = Notification.objects.get(recipient=ann)
    assert event == {
        "type": "notification.created",
        "id": stored.pk,  # bulk_create returned the primary keys
        "kind": "chat_mention",
        "params": {"actor": "Cy", "room": "Riders", "excerpt": "hi @Ann"},
        "url": "/chat/rooms/3/#m-9",
        "open_url": reverse("members:notification_open", args=[stored.pk]),
        "created_at": stored.created_at.isoformat(),
    }
    [bob_event] = _received(bob_channel)
    assert bob_event["id"] == Notification.objects.get(recipient=bob).pk != stored.pk
    assert _received(actor_channel) == []  # never the actor


@live
def test_a_rolled_back_notification_reaches_no_socket():
    reader = MemberFactory()
    channel = _listen(reader)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[reader], kind="chat_message", params={"room": "Riders"})
        raise RuntimeError("the service failed after notifying")
    assert not Notification.objects.exists()
    assert _received(channel) == []


@live
def test_nothing_is_sent_to_who_turned_the_kind_off():
    quiet, loud = MemberFactory(), MemberFactory()
    notification_preferences_set(member=quiet, in_app={"chat_message": False}, email={})
    quiet_channel, loud_channel = _listen(quiet), _listen(loud)
    notify(recipients=[quiet, loud], kind="chat_message", params={"room": "Riders"})
    assert _received(quiet_channel) == []
    assert len(_received(loud_channel)) == 1


@live
def test_many_recipients_each_get_their_own_event():
    readers = [MemberFactory() for _ in range(30)]
    channels = [_listen(reader) for reader in readers]
    with transaction.atomic():
        notify(recipients=readers, kind="event_created", params={"club": "C", "event": "E"})
    ids = set()
    for reader, channel in zip(readers, channels, strict=True):
        [event] = _received(channel, timeout=0.1)
        assert event["id"] == Notification.objects.get(recipient=reader).pk
        ids.add(event["id"])
    assert len(ids) == 30


# --- rendering for a socket's member --------------------------------------------------


@pytest.fixture
def translated_kind(monkeypatch):
    """A kind whose sentence the Chinese catalogue already translates (the new chat
    sentences are translated later)."""
    kind = NotificationKind(gettext_lazy("Only %(brand)s's staff can do this."))
    monkeypatch.setitem(KINDS, "test_translated", kind)
    return "test_translated"


def test_render_notification_in_the_given_language(translated_kind):
    params = {"brand": "Acme"}
    chinese, english = "只有 Acme 的员工才能执行此操作。", "Only Acme's staff can do this."
    with translation.override("en"):
        assert render_notification(translated_kind, params, "zh-hans") == chinese
    with translation.override("zh-hans"):
        assert render_notification(translated_kind, params, "en") == english
        # No language saved: the site's language, not the one that happens to be active.
        assert render_notification(translated_kind, params, None) == english
        assert render_notification(translated_kind, params, "") == english
        assert translation.get_language() == "zh-hans"  # restored afterwards


def test_render_the_new_kinds():
    params = {"actor": "Ann", "room": "Riders", "excerpt": "see you", "brand": "B", "product": "P"}
    assert render_notification("chat_mention", params, "en") == (
        "Ann mentioned you in Riders: see you"
    )
    assert render_notification("chat_reply", params, "en") == (
        "Ann replied to you in Riders: see you"
    )
    assert render_notification("chat_message", params, "en") == "New messages in Riders"
    assert render_notification("review_brand_reply", params, "en") == (
        "B replied to your review of P."
    )
    for kind in KINDS:  # every kind renders in Chinese too, translated or not yet
        assert "%(" not in render_notification(kind, params | _OLD_PARAMS, "zh-hans"), kind
    assert render_notification("retired_kind", {}, "zh-hans") == "retired_kind"


_OLD_PARAMS = {
    "club": "C",
    "role": "R",
    "event": "V",
    "when": "W",
    "reason": "Z",
    # experts
    "tier": "T",
    "decision": "D",
    "change": "H",
    "date": "Y",
    "expert": "X",
    "title": "Q",
}


# --- brand replies --------------------------------------------------------------------


@pytest.mark.django_db
def test_brand_reply_notifies_the_review_author_once(django_capture_on_commit_callbacks):
    review = ReviewFactory()
    staff = BrandStaffFactory(brand=review.product.brand).member
    with django_capture_on_commit_callbacks(execute=True):
        review_services.brand_reply_save(review=review, author=staff, body="Thank you!")
    [notification] = Notification.objects.all()
    assert notification.recipient == review.author and notification.kind == "review_brand_reply"
    assert notification.url == f"/reviews/{review.pk}/#review-{review.pk}"
    assert notification.params == {
        "brand": review.product.brand.name,
        "product": review.product.name,
    }
    [message] = mail.outbox  # an important kind: mailed too
    assert message.to == [review.author.email]
    assert message.subject == (
        f"{review.product.brand.name} replied to your review of {review.product.name}."
    )

    colleague = BrandStaffFactory(brand=review.product.brand).member
    with django_capture_on_commit_callbacks(execute=True):
        review_services.brand_reply_save(review=review, author=colleague, body="Edited")
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1  # edits: no news


@pytest.mark.django_db
def test_brand_staff_replying_to_their_own_review_are_not_notified():
    review = ReviewFactory()
    BrandStaffFactory(brand=review.product.brand, member=review.author)
    review_services.brand_reply_save(review=review, author=review.author, body="Our product!")
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_brand_reply_respects_the_authors_preferences():
    review = ReviewFactory()
    notification_preferences_set(
        member=review.author, in_app={"review_brand_reply": False}, email={}
    )
    staff = BrandStaffFactory(brand=review.product.brand).member
    review_services.brand_reply_save(review=review, author=staff, body="Thanks")
    assert not Notification.objects.exists()
