"""The member's reputation page: totals, the ledger with links to what earned each
point, why a row counted less, and a query count that does not grow with the ledger."""

import pytest
from django.urls import reverse

from community.reputation.rules import Reason
from community.reputation.services import (
    reputation_content_removed,
    reputation_record,
    reputation_undo,
)
from tests.factories import (
    CategoryFactory,
    ClubFactory,
    MemberFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def test_the_page_needs_a_login(client):
    response = client.get(reverse("reputation:mine"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_empty_ledger_says_how_to_earn(client):
    member = MemberFactory()
    client.force_login(member)
    html = client.get(reverse("reputation:mine")).content.decode()
    assert "No points yet" in html
    assert "How points are earned" in html


def test_page_shows_total_scopes_rows_and_links(client):
    member = MemberFactory()
    category, club = CategoryFactory(name="Tyres"), ClubFactory(name="Riders")
    review = ReviewFactory(author=member, title="Grippy in rain")
    voter = MemberFactory()
    reputation_record(
        member=member,
        reason=Reason.REVIEW_HELPFUL,
        source=review,
        actor=voter,
        category=category,
    )
    reputation_record(member=member, reason=Reason.POST_LIKED, actor=voter, club=club)
    reputation_undo(member=member, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL])
    client.force_login(member)
    html = client.get(reverse("reputation:mine")).content.decode()
    assert 'class="reputation-total">3<' in html
    assert "Riders" in html and "Tyres" in html
    assert review.get_absolute_url() in html
    assert "Grippy in rain" in html
    assert "Reverses the change of" in html
    assert "The vote or acceptance was withdrawn" in html


def test_a_floored_loss_explains_itself(client):
    member = MemberFactory()
    reputation_content_removed(
        content=ReviewFactory(author=member), author=member, moderator=MemberFactory()
    )
    client.force_login(member)
    html = client.get(reverse("reputation:mine")).content.decode()
    assert "Worth -100; reputation never goes below 1." in html


def test_public_profile_shows_the_total(client):
    member = MemberFactory()
    reputation_record(member=member, reason=Reason.EVENT_ATTENDED)
    html = client.get(reverse("members:profile", args=[member.pk])).content.decode()
    assert "6 reputation points" in html


def test_ledger_page_query_count_is_fixed(client, django_assert_max_num_queries):
    member = MemberFactory()
    client.force_login(member)
    counts = []
    for rows in (5, 45):
        for _ in range(rows):
            voter = MemberFactory()
            reputation_record(
                member=member,
                reason=Reason.REVIEW_HELPFUL,
                source=ReviewFactory(author=member),
                actor=voter,
                category=CategoryFactory(),
            )
        with django_assert_max_num_queries(14) as captured:
            response = client.get(reverse("reputation:mine"))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
