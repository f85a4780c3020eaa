"""The ledger: each rule's points, the daily vote cap, the floor of 1, undo, removal
and restoration, serial voting, and that the cached totals always equal a recount."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.members.models import Member
from community.reputation import rules
from community.reputation.models import ReputationEntry, ReputationScore
from community.reputation.rules import Reason
from community.reputation.services import (
    reputation_content_removed,
    reputation_content_restored,
    reputation_recalculate,
    reputation_record,
    reputation_serial_votes_reverse,
    reputation_undo,
)
from tests.factories import CategoryFactory, ClubFactory, MemberFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def total(member) -> int:
    return Member.objects.get(pk=member.pk).reputation


def recount(member) -> int:
    return rules.STARTING_POINTS + sum(
        ReputationEntry.objects.filter(member=member).values_list("delta", flat=True)
    )


@pytest.fixture
def author():
    return MemberFactory()


@pytest.fixture
def review(author):
    return ReviewFactory(author=author)


def test_a_new_member_has_one_point(author):
    assert total(author) == 1


@pytest.mark.parametrize(
    ("reason", "points"),
    [
        (Reason.REVIEW_HELPFUL, 10),
        (Reason.ANSWER_UPVOTED, 10),
        (Reason.ANSWER_ACCEPTED, 15),
        (Reason.ACCEPTED_AN_ANSWER, 2),
        (Reason.QUESTION_UPVOTED, 5),
        (Reason.EVENT_ATTENDED, 5),
        (Reason.POST_LIKED, 2),
    ],
)
def test_each_rule_is_worth_its_points(author, review, reason, points):
    entry = reputation_record(member=author, reason=reason, source=review, actor=MemberFactory())
    assert entry.delta == points == entry.rule_delta
    assert entry.rule_version == rules.RULE_VERSION
    assert entry.source == review
    assert total(author) == 1 + points


def test_helpful_points_depend_on_purchase_and_expert_check():
    assert rules.review_helpful_points(verified_purchase=False, expert_checked=False) == 10
    assert rules.review_helpful_points(verified_purchase=True, expert_checked=False) == 15
    assert rules.review_helpful_points(verified_purchase=True, expert_checked=True) == 20
    assert rules.review_helpful_points(verified_purchase=False, expert_checked=True) == 20


def test_no_self_votes(author, review):
    assert reputation_record(member=author, reason=Reason.REVIEW_HELPFUL, actor=author) is None
    assert not ReputationEntry.objects.exists()
    assert total(author) == 1


def test_the_floor_holds_and_the_applied_loss_is_what_is_recorded(author, review):
    entry = reputation_record(
        member=author, reason=Reason.ANSWER_DOWNVOTED, source=review, actor=MemberFactory()
    )
    assert entry.rule_delta == -2
    assert entry.delta == 0
    assert total(author) == 1


def test_daily_vote_cap_counts_votes_only(author, review):
    now = timezone.now()
    for _ in range(25):
        reputation_record(
            member=author,
            reason=Reason.REVIEW_HELPFUL,
            source=review,
            actor=MemberFactory(),
            now=now,
        )
    assert total(author) == 1 + rules.DAILY_VOTE_CAP
    capped = ReputationEntry.objects.filter(delta=0, rule_delta=10).count()
    assert capped == 5
    reputation_record(
        member=author, reason=Reason.ANSWER_ACCEPTED, source=review, actor=MemberFactory()
    )
    assert total(author) == 1 + rules.DAILY_VOTE_CAP + 15  # accepted answers are exempt
    tomorrow = now + timedelta(days=1)
    reputation_record(
        member=author,
        reason=Reason.REVIEW_HELPFUL,
        source=review,
        actor=MemberFactory(),
        now=tomorrow,
    )
    assert total(author) == 1 + rules.DAILY_VOTE_CAP + 15 + 10


def test_undo_reverses_the_vote_once(author, review):
    voter = MemberFactory()
    reputation_record(member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=voter)
    assert (
        reputation_undo(member=author, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL])
        == 1
    )
    assert total(author) == 1
    reversal = ReputationEntry.objects.get(reason=Reason.UNDONE)
    assert reversal.delta == -10 and reversal.reverses.reason == Reason.REVIEW_HELPFUL
    assert (
        reputation_undo(member=author, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL])
        == 0
    )
    assert total(author) == 1


def test_removal_reverses_what_the_content_earned_and_costs_the_penalty(author, review):
    for _ in range(3):
        reputation_record(
            member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=MemberFactory()
        )
    other = ReviewFactory(author=author)
    reputation_record(
        member=author, reason=Reason.REVIEW_HELPFUL, source=other, actor=MemberFactory()
    )
    assert total(author) == 41
    moderator = MemberFactory()
    reputation_content_removed(content=review, author=author, moderator=moderator)
    # 30 reversed, then -100 floored at 1: 41 - 30 = 11, 11 - 10 = 1.
    assert total(author) == 1
    penalty = ReputationEntry.objects.get(reason=Reason.CONTENT_REMOVED, reverses__isnull=True)
    assert penalty.rule_delta == rules.CONTENT_REMOVED_PENALTY and penalty.delta == -10
    reputation_content_restored(content=review, author=author, moderator=moderator)
    assert total(author) == 41
    assert total(author) == recount(author)


def test_serial_voting_is_reversed_by_the_job(author):
    voter = MemberFactory()
    now = timezone.now()
    for _ in range(rules.SERIAL_VOTES):
        reputation_record(
            member=author,
            reason=Reason.REVIEW_HELPFUL,
            source=ReviewFactory(author=author),
            actor=voter,
            now=now,
        )
    honest = MemberFactory()
    reputation_record(
        member=author,
        reason=Reason.REVIEW_HELPFUL,
        source=ReviewFactory(author=author),
        actor=honest,
        now=now,
    )
    assert total(author) == 1 + 60
    assert reputation_serial_votes_reverse(now=now) == rules.SERIAL_VOTES
    assert total(author) == 1 + 10
    assert ReputationEntry.objects.filter(reason=Reason.SERIAL_VOTING).count() == 5
    assert reputation_serial_votes_reverse(now=now) == 0  # once


def test_scores_per_club_and_field(author, review):
    club, category = ClubFactory(), CategoryFactory()
    reputation_record(
        member=author,
        reason=Reason.POST_LIKED,
        source=review,
        actor=MemberFactory(),
        club=club,
    )
    reputation_record(
        member=author,
        reason=Reason.REVIEW_HELPFUL,
        source=review,
        actor=MemberFactory(),
        category=category,
    )
    assert ReputationScore.objects.get(member=author, club=club).total == 2
    assert ReputationScore.objects.get(member=author, category=category).total == 10


def test_recalculate_agrees_and_repairs(author, review, capsys):
    category = CategoryFactory()
    reputation_record(
        member=author,
        reason=Reason.REVIEW_HELPFUL,
        source=review,
        actor=MemberFactory(),
        category=category,
    )
    assert reputation_recalculate() == 0
    Member.objects.filter(pk=author.pk).update(reputation=999)
    ReputationScore.objects.filter(member=author).update(total=5)
    call_command("recalculate_reputation", "--no-progress")
    assert "2 cached value(s) corrected" in capsys.readouterr().out
    assert total(author) == 11
    assert ReputationScore.objects.get(member=author).total == 10


def test_a_vote_withdrawn_while_the_content_was_removed_stays_withdrawn(author, review):
    voter, moderator = MemberFactory(), MemberFactory()
    keeper = MemberFactory()
    reputation_record(member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=voter)
    reputation_record(member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=keeper)
    for _ in range(20):  # enough that the penalty is not floored
        reputation_record(
            member=author,
            reason=Reason.ANSWER_ACCEPTED,
            source=ReviewFactory(author=author),
            actor=MemberFactory(),
        )
    before = total(author)
    reputation_content_removed(content=review, author=author, moderator=moderator)
    assert total(author) == before - 20 - 100
    assert (
        reputation_undo(member=author, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL])
        == 0
    )
    reputation_content_restored(content=review, author=author, moderator=moderator)
    assert total(author) == before - 10  # the keeper's vote is back, the withdrawn one not
    assert total(author) == recount(author)
    # Withdrawing again, or removing again, finds nothing more of the voter's to reverse.
    assert (
        reputation_undo(member=author, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL])
        == 0
    )


def test_serial_voting_caught_again_after_withdrawing_and_recasting(author):
    voter = MemberFactory()
    now = timezone.now()
    reviews = [ReviewFactory(author=author) for _ in range(rules.SERIAL_VOTES)]
    for review in reviews:
        reputation_record(
            member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=voter, now=now
        )
    assert reputation_serial_votes_reverse(now=now) == rules.SERIAL_VOTES
    for review in reviews[:4]:  # withdraw and vote again: 4 new votes, under the threshold
        reputation_undo(member=author, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL])
        reputation_record(
            member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=voter, now=now
        )
    assert reputation_serial_votes_reverse(now=now) == 4
    assert total(author) == 1 == recount(author)


def test_deleting_a_member_with_reversed_rows_works(author, review):
    voter = MemberFactory()
    reputation_record(member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=voter)
    reputation_undo(member=author, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL])
    Member.objects.filter(pk=author.pk).delete()
    assert not ReputationEntry.objects.filter(member_id=author.pk).exists()


def test_the_author_deleting_content_gives_back_what_it_earned_without_penalty(author, review):
    from community.reputation.services import reputation_content_deleted

    reputation_record(
        member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=MemberFactory()
    )
    assert total(author) == 11
    assert reputation_content_deleted(content=review, author=author) == 1
    assert total(author) == 1 == recount(author)
    assert ReputationEntry.objects.filter(reason=Reason.CONTENT_DELETED).count() == 1
