"""The member's reputation page: totals, the ledger with links to what earned each
point, why a row counted less, progress to the next trust level requirement by
requirement, and a query count that does not grow with the ledger; the published
"How trust levels work" page."""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from community.reputation import rules
from community.reputation.models import MemberVisit, ReputationEntry
from community.reputation.rules import Privilege, Reason, TrustLevel
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
    """10 and 50 rows (one full page) cost the same. The first request of a process and
    session loads content types and may record the day's visit, so one request warms up
    before measuring."""
    member = MemberFactory()
    client.force_login(member)
    counts = []
    for rows in (10, 40):
        for _ in range(rows):
            voter = MemberFactory()
            reputation_record(
                member=member,
                reason=Reason.REVIEW_HELPFUL,
                source=ReviewFactory(author=member),
                actor=voter,
                category=CategoryFactory(),
            )
        if not counts:
            assert client.get(reverse("reputation:mine")).status_code == 200
        # Session and user, the level re-check (savepoint, lock, the counts Basic needs),
        # the ledger page and its sources, the scores, the nav's two badges.
        with django_assert_max_num_queries(12) as captured:
            response = client.get(reverse("reputation:mine"))
        assert response.status_code == 200
        assert response.content.decode().count('<tr id="entry-') == len(counts) * 40 + 10
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


# --- trust level progress on the page ------------------------------------------------


def _visits(member, days: int, *, read_each: int = 0):
    today = timezone.now().date()
    MemberVisit.objects.bulk_create(
        MemberVisit(member=member, day=today - timedelta(days=offset), items_read=read_each)
        for offset in range(days)
    )


def test_progress_is_shown_requirement_by_requirement(client):
    member = MemberFactory()
    _visits(member, 1, read_each=7)
    client.force_login(member)  # signing in today is the same day: still one day
    html = client.get(reverse("reputation:mine")).content.decode()
    assert "Trust level 0: New" in html
    assert "Toward level 1 (Basic)" in html
    assert "1 of 2 days visited" in html
    assert "7 of 20 reviews, posts and answers read" in html
    assert "0 of 2 requirements met." in html
    assert reverse("reputation:levels") in html


def test_opening_the_page_promotes_a_member_who_meets_the_requirements(client):
    member = MemberFactory()
    _visits(member, 2, read_each=10)
    client.force_login(member)
    html = client.get(reverse("reputation:mine")).content.decode()
    assert "Trust level 1: Basic" in html
    assert "you have reached the trust level Basic" in html
    assert "Toward level 2 (Member)" in html
    member.refresh_from_db()
    assert member.trust_level == TrustLevel.BASIC
    # The ledger row of the promotion names the level instead of points.
    row = ReputationEntry.objects.get(member=member, reason=Reason.LEVEL_PROMOTED)
    assert f'<tr id="entry-{row.pk}">' in html
    assert "Level 1: Basic" in html
    # The next visit shows the level without announcing it again.
    html = client.get(reverse("reputation:mine")).content.decode()
    assert "you have reached the trust level" not in html


def test_at_most_requirements_read_as_such_for_a_member(client):
    member = MemberFactory(trust_level=TrustLevel.MEMBER)
    client.force_login(member)
    html = client.get(reverse("reputation:mine")).content.decode()
    assert "Toward level 3 (Regular)" in html
    assert "Counted over the last 100 days." in html
    assert "0 of at most 2 posts removed by moderators" in html
    assert "0 of at most 0 bans from a club" in html


def test_a_failing_regular_sees_the_grace_notice_in_their_time_zone(client):
    failing_since = timezone.now() - timedelta(days=3)
    member = MemberFactory(
        trust_level=TrustLevel.REGULAR,
        trust_level_failing_since=failing_since,
        time_zone="Asia/Shanghai",
    )
    client.force_login(member)
    html = client.get(reverse("reputation:mine")).content.decode()
    assert "Keeping level 3 (Regular)" in html
    demotion_at = failing_since + timedelta(days=rules.TRUST_DEMOTION_GRACE_DAYS)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        shown = formats.date_format(timezone.localtime(demotion_at), "DATETIME_FORMAT")
    assert (
        f"You no longer meet every requirement of Regular. Unless you do again by {shown} (CST)"
        in html
    )
    assert "your level goes back to Member." in html


def test_a_leader_sees_the_leader_note_and_no_requirements(client):
    member = MemberFactory(trust_level=TrustLevel.LEADER)
    client.force_login(member)
    html = client.get(reverse("reputation:mine")).content.decode()
    assert "Trust level 4: Leader" in html
    assert "You are a leader" in html
    assert "trust-requirements" not in html


def test_field_scores_link_to_the_field_leaderboard(client):
    member = MemberFactory()
    category = CategoryFactory(name="Tyres", slug="tyres")
    reputation_record(member=member, reason=Reason.EVENT_ATTENDED, category=category)
    client.force_login(member)
    html = client.get(reverse("reputation:mine")).content.decode()
    assert reverse("reputation:field_leaderboard", args=["tyres"]) in html


# --- the published levels page -------------------------------------------------------


def test_levels_page_is_public_and_lists_every_level(client):
    CategoryFactory(name="Coffee machines", slug="coffee-machines")
    response = client.get(reverse("reputation:levels"))
    assert response.status_code == 200
    html = response.content.decode()
    for number, label in TrustLevel.choices:
        assert f"Level {number}: {label}" in html
    assert "At least 15 days visited" in html
    assert "At most 2 posts removed by moderators" in html
    assert "No bans from a club" in html
    assert "Counted over the last 100 days" in html
    assert "keeps the level for 14 more days" in html
    assert str(Privilege.POST_LINKS.label) in html
    assert str(Privilege.MODERATE_OWN_CLUBS.label) in html
    assert "How points are earned" in html and "+15" in html
    assert reverse("reputation:field_leaderboard", args=["coffee-machines"]) in html
