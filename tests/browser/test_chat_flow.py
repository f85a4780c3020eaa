"""Two members of a club chat in real Chromium over the live socket: typing, presence,
live messages, the navigation's unread badge, catch-up after a time offline, a reply
and an edit. Websockets need the ASGI application, so this test runs against the
`asgi_server` fixture (uvicorn in a thread) instead of Django's WSGI live_server."""

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from brand_clubs.models import Club
from community.chat.models import Message, Room, RoomSubscription
from tests.factories import ClubFactory, ClubMembershipFactory, MemberFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIVE = 10_000  # ms a live update may take to show in the other browser
SCREENSHOTS = Path(settings.BASE_DIR) / "test-results"


def _signed_in_context(browser, base_url, member, **options):
    """A browser context carrying `member`'s session (the login form has its own test),
    and the session cookie's value."""
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(base_url=base_url, **options)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
    return context, session


def _eventually(check, timeout: float = 10.0):
    """Poll `check` (a database read) until it is true."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{check.__doc__ or check} did not happen in {timeout}s")
        time.sleep(0.05)


def _messages(page):
    return page.locator("#chat-messages > li.chat-message")


def _message(page, text):
    return _messages(page).filter(has_text=text)


def _composer(page):
    return page.locator("#message-form textarea[name=body]")


def _send(page, text):
    composer = _composer(page)
    composer.fill(text)
    composer.press("Enter")
    # The server's ack puts the message on the author's own page and empties the field.
    expect(_message(page, text)).to_have_count(1, timeout=LIVE)
    expect(composer).to_have_value("")


def _live(page):
    expect(page.locator("[data-live-state]")).to_have_attribute("data-state", "open", timeout=LIVE)


def test_two_members_chat_live_with_typing_presence_badges_catch_up_reply_and_edit(
    browser, asgi_server
):
    club = ClubFactory(name="Night Riders", slug="night-riders", visibility=Club.Visibility.PUBLIC)
    ada = ClubMembershipFactory(club=club, member=MemberFactory(display_name="Ada")).member
    bo = ClubMembershipFactory(club=club, member=MemberFactory(display_name="Bo")).member
    Club.objects.filter(pk=club.pk).update(member_count=2)

    ada_context, _ada_session = _signed_in_context(browser, asgi_server, ada)
    bo_context, bo_session = _signed_in_context(browser, asgi_server, bo)
    try:
        # 1. Both open the club's room: the club link redirects to it, the socket goes live.
        ada_page = ada_context.new_page()
        ada_page.goto(f"/chat/club/{club.slug}/")
        room = Room.objects.get(club=club)
        expect(ada_page).to_have_url(f"{asgi_server}{room.get_absolute_url()}")
        expect(ada_page.get_by_role("heading", name="Night Riders")).to_be_visible()
        _live(ada_page)
        bo_page = bo_context.new_page()
        bo_page.goto(f"/chat/club/{club.slug}/")
        expect(bo_page).to_have_url(f"{asgi_server}{room.get_absolute_url()}")
        _live(bo_page)
        # Each sees the other in the room's presence list.
        expect(bo_page.locator(f"#chat-online li[data-member-id='{ada.pk}']")).to_have_text(
            "Ada", timeout=LIVE
        )
        expect(ada_page.locator(f"#chat-online li[data-member-id='{bo.pk}']")).to_have_text(
            "Bo", timeout=LIVE
        )
        expect(bo_page.locator(".nav-chat-unread")).to_be_hidden()

        # 2. Ada types without sending: Bo is told.
        _composer(ada_page).press_sequentially("Hel")
        expect(bo_page.locator("#chat-typing")).to_have_text("Ada is typing…", timeout=LIVE)
        expect(ada_page.locator("#chat-typing")).to_have_text("")

        # 3. Ada sends: the message shows on Bo's page without a reload, with her name;
        # the typing note goes away and Bo, reading the room, has nothing unread.
        _send(ada_page, "Hello from A")
        hello = _message(bo_page, "Hello from A")
        expect(hello).to_have_count(1, timeout=LIVE)
        expect(hello.locator(".chat-author")).to_have_text("Ada")
        expect(bo_page.locator("#chat-typing")).to_have_text("")
        expect(bo_page.locator(f"#chat-online li[data-member-id='{ada.pk}']")).to_have_text("Ada")
        first = Message.objects.get(room=room, body="Hello from A")

        def bo_read_first():
            """Bo's page marked Ada's message read"""
            return RoomSubscription.objects.filter(
                room=room, member=bo, last_read_sequence__gte=first.sequence
            ).exists()

        _eventually(bo_read_first)
        expect(bo_page.locator(".nav-chat-unread")).to_be_hidden()
        expect(bo_page.locator(".nav-chat-unread")).to_have_text("0")

        # 4. Bo leaves the room for another page: its chat badge goes up live when Ada
        # writes, and back to 0 once Bo has read the room.
        bo_page.close()
        elsewhere = bo_context.new_page()
        elsewhere.goto("/clubs/")
        elsewhere.wait_for_function(
            "() => window.GoodwordLive && window.GoodwordLive.state === 'open'", timeout=LIVE
        )
        badge = elsewhere.locator(".nav-chat-unread")
        expect(badge).to_be_hidden()
        _send(ada_page, "Are you still there?")
        expect(badge).to_be_visible(timeout=LIVE)
        expect(badge).to_have_text("1")
        bo_page = bo_context.new_page()
        bo_page.goto(room.get_absolute_url())
        expect(_message(bo_page, "Are you still there?")).to_have_count(1)
        _live(bo_page)
        expect(badge).to_have_text("0", timeout=LIVE)
        expect(badge).to_be_hidden()
        expect(bo_page.locator(".nav-chat-unread")).to_be_hidden()
        elsewhere.close()

        # 5. Bo drops off the network; Ada sends three messages; back online, Bo's page
        # catches up over the socket: each message once, in order, and "Live" again.
        expect(ada_page.locator(f"#chat-online li[data-member-id='{bo.pk}']")).to_have_count(
            1, timeout=LIVE
        )
        # Offline emulation stops new connections but leaves an open socket alone, so
        # the server cuts Bo's socket too, as a dropped network would.
        bo_context.set_offline(True)
        # live.js closes its socket itself on the "offline" event; cut anything left over.
        asgi_server.drop_websockets(cookie=bo_session)
        state = bo_page.locator("[data-live-state]")
        expect(state).not_to_have_attribute("data-state", "open", timeout=LIVE)
        missed = ["Missed one", "Missed two", "Missed three"]
        for text in missed:
            _send(ada_page, text)
        expect(state).not_to_have_attribute("data-state", "open")
        expect(_message(bo_page, "Missed one")).to_have_count(0)
        bo_context.set_offline(False)
        _live(bo_page)
        expect(state).to_have_text("Live")
        for text in missed:
            expect(_message(bo_page, text)).to_have_count(1, timeout=LIVE)
        ids = [
            str(pk)
            for pk in Message.objects.filter(room=room)
            .order_by("sequence")
            .values_list("pk", flat=True)
        ]
        assert _messages(bo_page).evaluate_all("items => items.map(i => i.dataset.id)") == ids
        for pk in ids:
            expect(bo_page.locator(f"#chat-messages > li[data-id='{pk}']")).to_have_count(1)
        expect(bo_page.locator(".nav-chat-unread")).to_be_hidden()

        # 6. Bo replies to Ada's first message with the reply button: Ada sees the quote.
        _message(bo_page, "Hello from A").locator("[data-action=reply]").click()
        expect(bo_page.locator("#chat-replying")).to_be_visible()
        expect(bo_page.locator("#chat-replying-text")).to_contain_text("Hello from A")
        _send(bo_page, "Hi Ada, loud and clear")
        expect(bo_page.locator("#chat-replying")).to_be_hidden()
        reply = _message(ada_page, "Hi Ada, loud and clear")
        expect(reply).to_have_count(1, timeout=LIVE)
        expect(reply.locator(".chat-quote")).to_have_text("Ada: Hello from A")
        expect(reply.locator(".chat-author")).to_have_text("Bo")
        assert Message.objects.get(body="Hi Ada, loud and clear").reply_to_id == first.pk

        # Ada edits her last message: Bo sees the new text, marked edited.
        last = _message(ada_page, "Missed three")
        last.locator("[data-action=edit]").click()
        editor = last.locator("form.chat-edit textarea")
        expect(editor).to_have_value("Missed three")
        editor.fill("Missed three, now edited")
        editor.press("Enter")
        edited = _message(bo_page, "Missed three, now edited")
        expect(edited).to_have_count(1, timeout=LIVE)
        expect(edited.locator(".chat-edited")).to_have_text("(edited)")
        expect(_message(ada_page, "Missed three, now edited")).to_have_count(1, timeout=LIVE)
        expect(_messages(bo_page)).to_have_count(len(ids) + 1)

        # The room on a phone (looked at by hand: test-results/chat-room-phone.png).
        bo_page.set_viewport_size({"width": 390, "height": 844})
        bo_page.reload()
        _live(bo_page)
        expect(_message(bo_page, "Missed three, now edited")).to_be_visible()
        SCREENSHOTS.mkdir(exist_ok=True)
        bo_page.screenshot(path=str(SCREENSHOTS / "chat-room-phone.png"))
        bo_page.screenshot(path=str(SCREENSHOTS / "chat-room-phone-full.png"), full_page=True)
    finally:
        ada_context.close()
        bo_context.close()
