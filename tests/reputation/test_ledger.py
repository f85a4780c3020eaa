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


def _voted_review(author, votes: int, category):
    """A review with `votes` helpful votes, a third of them withdrawn (a chain of one
    reversal each) and the rest in effect."""
    review = ReviewFactory(author=author)
    for n in range(votes):
        voter = MemberFactory()
        reputation_record(
            member=author,
            reason=Reason.REVIEW_HELPFUL,
            source=review,
            actor=voter,
            category=category,
            now=timezone.now() - timedelta(days=n),  # under the daily cap
        )
        if n % 3 == 0:
            reputation_undo(
                member=author, source=review, actor=voter, reasons=[Reason.REVIEW_HELPFUL]
            )
    return review


@pytest.mark.parametrize("cycles", [0, 2])
def test_removal_and_restoration_cost_a_fixed_number_of_queries(
    author, django_assert_max_num_queries, cycles
):
    """Whatever the number of votes (3 or 30) and of earlier removal and restoration
    cycles (longer chains), removing and restoring read the chains in one query and
    write the reversals in one INSERT."""
    category, moderator = CategoryFactory(), MemberFactory()
    for _ in range(20):  # enough that no penalty is cut by the floor: like for like
        reputation_record(
            member=author,
            reason=Reason.ANSWER_ACCEPTED,
            source=ReviewFactory(author=author),
            actor=MemberFactory(),
        )
    counts = []
    for votes in (3, 30):
        review = _voted_review(author, votes, category)
        for _ in range(cycles):
            reputation_content_removed(
                content=review, author=author, moderator=moderator, category=category
            )
            reputation_content_restored(content=review, author=author, moderator=moderator)
        before = total(author)
        with django_assert_max_num_queries(13) as removed:
            reputation_content_removed(
                content=review, author=author, moderator=moderator, category=category
            )
        in_effect = votes - (votes + 2) // 3
        assert ReputationEntry.objects.filter(
            source_id=review.pk, reason=Reason.CONTENT_REMOVED, reverses__isnull=False
        ).count() == in_effect * (cycles + 1)
        with django_assert_max_num_queries(10) as restored:
            reputation_content_restored(content=review, author=author, moderator=moderator)
        assert total(author) == before == recount(author)
        counts.append((len(removed.captured_queries), len(restored.captured_queries)))
    assert counts[0] == counts[1], counts
    assert reputation_recalculate(member_ids=[author.pk]) == 0


def test_the_authors_delete_costs_a_fixed_number_of_queries(author, django_assert_max_num_queries):
    from community.reputation.services import reputation_content_deleted

    category = CategoryFactory()
    counts = []
    for votes in (3, 30):
        review = _voted_review(author, votes, category)
        with django_assert_max_num_queries(9) as deleted:
            reversed_rows = reputation_content_deleted(content=review, author=author)
        assert reversed_rows == votes - (votes + 2) // 3
        counts.append(len(deleted.captured_queries))
    assert counts[0] == counts[1], counts
    assert total(author) == 1 == recount(author)
    assert ReputationScore.objects.get(member=author, category=category).total == 0


def test_a_withdrawal_during_removal_with_many_votes(author, django_assert_max_num_queries):
    """Withdrawing one vote of 30 while the content is removed closes that vote's
    reversal; restoring gives back the 29 others, in a fixed number of queries."""
    category, moderator = CategoryFactory(), MemberFactory()
    review = ReviewFactory(author=author)
    voters = [MemberFactory() for _ in range(30)]
    for n, voter in enumerate(voters):
        reputation_record(
            member=author,
            reason=Reason.REVIEW_HELPFUL,
            source=review,
            actor=voter,
            category=category,
            now=timezone.now() - timedelta(days=n),
        )
    assert total(author) == 301
    reputation_content_removed(content=review, author=author, moderator=moderator)
    assert total(author) == 1
    assert (
        reputation_undo(
            member=author, source=review, actor=voters[7], reasons=[Reason.REVIEW_HELPFUL]
        )
        == 0
    )
    with django_assert_max_num_queries(10):
        reputation_content_restored(content=review, author=author, moderator=moderator)
    assert total(author) == 291 == recount(author)
    assert ReputationScore.objects.get(member=author, category=category).total == 290
    assert reputation_recalculate(member_ids=[author.pk]) == 0


def test_history_load_applies_the_rules_once_in_time_order(author, review):
    """reputation_history_load (demo data, imports): the daily cap per UTC day counted
    with what the member already has, the floor on the running total, no self-votes,
    and each event appended once however often the load runs."""
    from django.contrib.contenttypes.models import ContentType

    from community.reputation.services import PastEvent, reputation_history_load

    review_type = ContentType.objects.get_for_model(review).pk
    day = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=3)
    reputation_record(  # already there: 10 of the day's 200
        member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=MemberFactory(), now=day
    )
    voters = [MemberFactory() for _ in range(21)]
    events = [
        PastEvent(
            member_id=author.pk,
            reason=Reason.REVIEW_HELPFUL,
            source_type_id=review_type,
            source_id=review.pk,
            actor_id=voter.pk,
            created_at=day + timedelta(minutes=n + 1),
        )
        for n, voter in enumerate(voters)
    ]
    events.append(  # a self-vote: nothing
        PastEvent(
            member_id=author.pk,
            reason=Reason.REVIEW_HELPFUL,
            actor_id=author.pk,
            created_at=day + timedelta(hours=1),
        )
    )
    events.append(  # a removal the next day: 100 of the 200 points go
        PastEvent(
            member_id=author.pk,
            reason=Reason.CONTENT_REMOVED,
            points=rules.CONTENT_REMOVED_PENALTY,
            created_at=day + timedelta(days=1),
        )
    )
    newcomer = MemberFactory()
    events.append(  # a loss for a member with nothing above 1: cut to 0
        PastEvent(member_id=newcomer.pk, reason=Reason.ANSWER_DOWNVOTED, created_at=day)
    )
    assert reputation_history_load(events=events, batch_size=1) == 23
    loaded = ReputationEntry.objects.filter(member=author, reason=Reason.REVIEW_HELPFUL)
    assert sum(loaded.values_list("delta", flat=True)) == rules.DAILY_VOTE_CAP
    assert loaded.filter(delta=0, rule_delta=10).count() == 2  # past the cap, still shown
    assert total(author) == 1 + rules.DAILY_VOTE_CAP - 100 == recount(author)
    assert total(newcomer) == 1 == recount(newcomer)
    assert ReputationEntry.objects.get(member=newcomer).rule_delta == -2
    assert reputation_history_load(events=events) == 0  # once
    assert reputation_recalculate() == 0
