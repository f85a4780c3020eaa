# ruff: noqa: RUF001 (real Chinese punctuation)
"""Search as a visitor uses it, in real Chromium: suggestions while typing (htmx), then
a results page in Chinese with a facet to narrow it."""

import pytest
from playwright.sync_api import Page, expect

from community.reviews import services
from tests.factories import BrandFactory, MemberFactory, ProductFactory

# serialized_rollback: see test_review_flow.py.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def catalogue(db, settings):
    # The page under test, not the engine's refresh interval: the database backend is
    # exact as soon as a write commits (the engine has its own contract tests).
    settings.SEARCH = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}
    brand = BrandFactory(name="Michelin", slug="michelin")
    product = ProductFactory(brand=brand, name="Pilot Road 6", slug="pilot-road-6")
    other = ProductFactory(name="Trail Boot", slug="trail-boot")
    services.review_create(
        author=MemberFactory(), product=product, rating=5, title="雨天抓地力很好",
        body="湿地抓地力很好，跑高速也稳。",
    )  # fmt: skip
    services.review_create(
        author=MemberFactory(), product=other, rating=2, title="不防水",
        body="抓地一般，下雨就进水。",
    )  # fmt: skip
    return product


def test_suggestions_then_results_with_a_facet(page: Page, live_server, catalogue):
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("searchbox").first
    box.press_sequentially("pilo", delay=50)
    suggestion = page.get_by_role("option").get_by_role("link", name="Pilot Road 6")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.get_by_role("heading", name="Pilot Road 6", level=1)).to_be_visible()

    page.goto(f"{live_server.url}/search/?q=抓地")
    expect(page.locator("body")).to_contain_text("雨天抓地力很好")
    expect(page.locator("body")).to_contain_text("不防水")
    expect(page.locator("mark").first).to_have_text("抓地")
    page.get_by_role("link", name="Michelin").first.click()
    expect(page.locator("body")).to_contain_text("雨天抓地力很好")
    expect(page.locator("body")).not_to_contain_text("不防水")
