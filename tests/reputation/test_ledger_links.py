"""The ledger page's links (selectors.reputation_ledger_page): a row links to what it is
about only while the member can open it; otherwise it says why (`source_note`), and a
page costs a fixed number of queries however many rows and sources it shows."""

import pytest

from brand_clubs.models import Club, ClubMembership, ClubPost, Event
from community.members.models import Member
from community.reputation.rules import Reason
from community.reputation.selectors import reputation_ledger_page
from community.reputation.services import reputation_record
from community.reviews.models import Review
from tests.factories import (
    AnswerFactory,
    ClubFactory,
    ClubMembershipFactory,
    ClubPostFactory,
    EventFactory,
    MemberFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

REMOVED = "Removed by a moderator"
GONE = "No longer available"
MEMBERS_ONLY = "Only for the club's members"


@pytest.fixture
def member():
    return MemberFactory()


def earn(member, source, reason=Reason.REVIEW_HELPFUL):
    return reputation_record(member=member, reason=reason, source=source, actor=MemberFactory())


def row_for(member, entry):
    page = reputation_ledger_page(member=member, page_number=1)
    return next(row for row in page.object_list if row.pk == entry.pk)


def test_a_published_review_is_linked_without_a_note(member):
    review = ReviewFactory(author=member, title="Grippy in rain")
    row = row_for(member, earn(member, review))
    assert row.source_url == review.get_absolute_url()
    assert "Grippy in rain" in row.source_label
    assert row.source_note == ""


def test_a_review_hidden_by_a_moderator_is_not_linked(member):
    review = ReviewFactory(author=member, title="Grippy in rain")
    entry = earn(member, review)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.HIDDEN)
    row = row_for(member, entry)
    assert row.source_url == ""
    assert row.source_note == REMOVED
    assert "Grippy in rain" in row.source_label  # still says what it was


def test_a_deleted_review_is_no_longer_available(member):
    review = ReviewFactory(author=member)
    entry = earn(member, review)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.DELETED)
    row = row_for(member, entry)
    assert (row.source_url, row.source_note) == ("", GONE)


def test_a_deleted_answer_is_no_longer_available(member):
    answer = AnswerFactory(author=member)
    entry = earn(member, answer, Reason.ANSWER_UPVOTED)
    assert row_for(member, entry).source_url.endswith(f"#answer-{answer.pk}")
    answer.delete()
    row = row_for(member, entry)
    assert (row.source_label, row.source_url, row.source_note) == ("", "", GONE)


def test_a_hidden_answer_or_an_answer_to_a_hidden_question_is_not_linked(member):
    hidden_answer = AnswerFactory(author=member, is_hidden=True)
    under_hidden_question = AnswerFactory(author=member)
    under_hidden_question.question.is_hidden = True
    under_hidden_question.question.save(update_fields=["is_hidden"])
    for answer in (hidden_answer, under_hidden_question):
        row = row_for(member, earn(member, answer, Reason.ANSWER_UPVOTED))
        assert (row.source_url, row.source_note) == ("", REMOVED)


def test_a_post_in_a_private_club_the_member_left_or_was_banned_from(member):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    membership = ClubMembershipFactory(club=club, member=member)
    post = ClubPostFactory(club=club, author=member)
    entry = earn(member, post, Reason.POST_LIKED)
    assert row_for(member, entry).source_url == post.get_absolute_url()

    ClubMembership.objects.filter(pk=membership.pk).update(status=ClubMembership.Status.BANNED)
    row = row_for(member, entry)
    assert (row.source_url, row.source_note) == ("", MEMBERS_ONLY)

    ClubMembership.objects.filter(pk=membership.pk).delete()  # left
    row = row_for(member, entry)
    assert (row.source_url, row.source_note) == ("", MEMBERS_ONLY)


def test_a_post_in_a_public_club_stays_linked_after_leaving_unless_hidden(member):
    post = ClubPostFactory(club=ClubFactory(), author=member)
    entry = earn(member, post, Reason.POST_LIKED)
    assert row_for(member, entry).source_url == post.get_absolute_url()
    ClubPost.objects.filter(pk=post.pk).update(status=ClubPost.Status.HIDDEN)
    assert row_for(member, entry).source_note == REMOVED
    ClubPost.objects.filter(pk=post.pk).update(status=ClubPost.Status.DELETED)
    assert row_for(member, entry).source_note == GONE


def test_a_members_only_event_after_leaving_and_a_public_event(member):
    club = ClubFactory()
    membership = ClubMembershipFactory(club=club, member=member)
    members_only = EventFactory(club=club, visibility=Event.Visibility.CLUB)
    public = EventFactory(club=club, visibility=Event.Visibility.PUBLIC)
    for_members = earn(member, members_only, Reason.EVENT_ATTENDED)
    for_all = earn(member, public, Reason.EVENT_ATTENDED)
    assert row_for(member, for_members).source_url == members_only.get_absolute_url()
    membership.delete()
    row = row_for(member, for_members)
    assert (row.source_url, row.source_note) == ("", MEMBERS_ONLY)
    row = row_for(member, for_all)
    assert (row.source_url, row.source_note) == (public.get_absolute_url(), "")


def test_rows_without_a_source_have_no_note(member):
    entry = reputation_record(member=member, reason=Reason.EVENT_ATTENDED)
    row = row_for(member, entry)
    assert (row.source_label, row.source_url, row.source_note) == ("", "", "")


def test_the_note_is_translated_when_the_page_is_read(member):
    from django.utils import translation

    review = ReviewFactory(author=member)
    entry = earn(member, review)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.HIDDEN)
    with translation.override("zh-hans"):
        assert row_for(member, entry).source_note == "被版主移除"


def _mixed_rows(member, count: int) -> None:
    """`count` rows of each kind: published and hidden reviews, answers, posts in a
    private club the member left and in a public one, members-only events."""
    private = ClubFactory(visibility=Club.Visibility.INVITE)
    public = ClubFactory()
    for _ in range(count):
        earn(member, ReviewFactory(author=member))
        hidden = ReviewFactory(author=member)
        earn(member, hidden)
        Review.objects.filter(pk=hidden.pk).update(status=Review.Status.HIDDEN)
        earn(member, AnswerFactory(author=member), Reason.ANSWER_UPVOTED)
        earn(member, ClubPostFactory(club=private, author=member), Reason.POST_LIKED)
        earn(member, ClubPostFactory(club=public, author=member), Reason.POST_LIKED)
        earn(member, EventFactory(club=private), Reason.EVENT_ATTENDED)


def test_a_page_costs_a_fixed_number_of_queries(member, django_assert_max_num_queries):
    counts = []
    for per_kind in (1, 5):  # 6 and 30 rows on the page (and all kinds of sources)
        _mixed_rows(member, per_kind)
        reputation_ledger_page(member=member, page_number=1)  # warm the content-type cache
        fresh = Member.objects.get(pk=member.pk)  # no permission cache from the last page
        with django_assert_max_num_queries(12) as captured:
            page = reputation_ledger_page(member=fresh, page_number=1)
            notes = [(row.source_url, row.source_note) for row in page.object_list]
        counts.append(len(captured.captured_queries))
        rows_so_far = 6 * (1 + (5 if per_kind == 5 else 0))
        assert len(notes) == rows_so_far
        # The private club's posts and events (the member never joined it).
        assert sum(1 for _url, note in notes if note == MEMBERS_ONLY) == rows_so_far // 3
    assert counts[0] == counts[1], counts
