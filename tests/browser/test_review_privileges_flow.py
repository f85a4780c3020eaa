"""Trust-level privileges in real Chromium: a new member's link is refused on the review
form with the reason, a Regular (level 3) opens the read-only moderation queue from the
navigation and improves a community wiki answer."""

import pytest
from playwright.sync_api import Browser, Page, expect

from community.reputation.rules import TrustLevel
from community.reviews import services
from community.reviews.models import Review
from experts.models import Answer
from experts.services import questions as qa
from tests.factories import MemberFactory, ProductFactory, QuestionFactory

# serialized_rollback: the flush after a transactional test would otherwise erase what
# data migrations created (home page, groups) for the tests that run after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct-horse-battery"  # MemberFactory's password


def _sign_in(browser: Browser, live_server, member) -> Page:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name=member.display_name, exact=True)).to_be_visible()
    return page


def test_new_member_link_refused_regular_reads_queue_and_edits_wiki(browser: Browser, live_server):
    product = ProductFactory(name="Trail Tyre", slug="trail-tyre")
    flagged = services.review_create(
        author=MemberFactory(display_name="Lin"),
        product=product,
        rating=1,
        title="Buy cheaper elsewhere",
        body="Visit my shop.",
    )
    services.review_flag(review=flagged, reporter=MemberFactory(), reason="spam")
    services.review_flag(
        review=flagged, reporter=MemberFactory(trust_level=TrustLevel.MEMBER), reason="spam"
    )
    question = QuestionFactory(title="How long do these tyres last?")
    wiki = qa.answer_create(
        author=MemberFactory(display_name="Wen"),
        question=question,
        body="About 40,000 km.",
        is_wiki=True,
    )
    newcomer = MemberFactory(display_name="Nia", email="nia@example.com")
    regular = MemberFactory(
        display_name="Rae", email="rae@example.com", trust_level=TrustLevel.REGULAR
    )

    # 1. A new member's review with a link is refused on the field, text kept.
    nia = _sign_in(browser, live_server, newcomer)
    expect(nia.get_by_role("link", name="Moderation queue")).to_have_count(0)
    nia.goto(f"/reviews/new/{product.pk}/")
    nia.locator("label.star-choice").first.click()
    nia.get_by_label("Title").fill("Good grip")
    nia.get_by_label("Your review").fill("Bought at <https://shop.example.com/tyre>.")
    nia.get_by_role("button", name="Publish review").click()
    expect(nia.get_by_text("opens at trust level 1")).to_be_visible()
    expect(nia.get_by_label("Your review")).to_have_value(
        "Bought at <https://shop.example.com/tyre>."
    )
    assert not Review.objects.filter(author=newcomer).exists()

    # 2. A Regular finds the read-only queue in the navigation.
    rae = _sign_in(browser, live_server, regular)
    rae.get_by_role("link", name="Moderation queue").click()
    expect(rae.get_by_role("heading", name="Moderation queue")).to_be_visible()
    item = rae.locator(".queue-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Buy cheaper elsewhere")
    expect(item).to_contain_text("weight 3 from 2 flags")
    expect(item.get_by_role("button")).to_have_count(0)

    # 3. ... and improves the community wiki answer.
    rae.goto(f"/questions/{question.pk}/")
    answer = rae.locator(f"#answer-{wiki.pk}")
    expect(answer).to_contain_text("Community wiki")
    answer.get_by_role("link", name="Improve this answer").click()
    rae.get_by_label("Improve this answer").fill("About 40,000 km; check the tread at 3 mm.")
    rae.get_by_role("button", name="Save").click()
    answer = rae.locator(f"#answer-{wiki.pk}")
    expect(answer).to_contain_text("check the tread at 3 mm")
    expect(answer.locator(".wiki-note")).to_contain_text("last edited by")
    expect(answer.locator(".wiki-note")).to_contain_text("Rae")
    saved = Answer.objects.get(pk=wiki.pk)
    assert saved.edited_by_id == regular.pk and saved.author.display_name == "Wen"
