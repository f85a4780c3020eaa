"""Reputation from questions and answers (experts.services.questions): votes on answers
and questions, accepting an answer, and moderators hiding or restoring; each row lands
on the right member with the right source, actor and field, and undoing reverses it."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.errors import Conflict, NotFound
from community.members.models import Member
from community.reputation import rules
from community.reputation.models import ReputationEntry, ReputationScore
from community.reputation.rules import Reason
from community.reputation.services import reputation_recalculate
from experts.models import Answer, Vote
from experts.services import questions as services
from tests.factories import (
    AnswerFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    QuestionFactory,
    no_rate_limits,
)

pytestmark = pytest.mark.django_db


def total(member) -> int:
    return Member.objects.get(pk=member.pk).reputation


def field_total(member, category) -> int:
    score = ReputationScore.objects.filter(member=member, category=category).first()
    return score.total if score else 0


def rows(member, **filters):
    return list(ReputationEntry.objects.filter(member=member, **filters).order_by("pk"))


@pytest.fixture
def category():
    return CategoryFactory()


@pytest.fixture
def asker():
    return MemberFactory()


@pytest.fixture
def expert():
    return MemberFactory()


@pytest.fixture
def question(asker, category):
    return QuestionFactory(author=asker, category=category)


@pytest.fixture
def answer(question, expert):
    return AnswerFactory(question=question, author=expert)


def _down(voter, target):
    return services.vote_cast(
        voter=voter, target=target, value=Vote.DOWN, reason=Vote.Reason.INCORRECT
    )


# --- votes ----------------------------------------------------------------------------


def test_up_vote_on_an_answer_earns_its_author_ten(answer, expert, category):
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=answer, value=Vote.UP)
    [entry] = rows(expert)
    assert (entry.reason, entry.delta) == (Reason.ANSWER_UPVOTED, 10)
    assert entry.source == answer
    assert entry.actor == voter
    assert entry.category == category and entry.club is None
    assert total(expert) == 11
    assert field_total(expert, category) == 10
    assert not rows(voter)


def test_down_vote_on_an_answer_costs_its_author_two(answer, expert, category):
    services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.UP)
    voter = MemberFactory()
    _down(voter, answer)
    entry = rows(expert, reason=Reason.ANSWER_DOWNVOTED)[0]
    assert (entry.delta, entry.source, entry.actor, entry.category) == (
        -2,
        answer,
        voter,
        category,
    )
    assert total(expert) == 1 + 10 - 2
    assert field_total(expert, category) == 8


def test_up_vote_on_a_question_earns_the_asker_five(question, asker, category):
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=question, value=Vote.UP)
    [entry] = rows(asker)
    assert (entry.reason, entry.delta, entry.source, entry.actor, entry.category) == (
        Reason.QUESTION_UPVOTED,
        5,
        question,
        voter,
        category,
    )
    assert total(asker) == 6


def test_down_vote_on_a_question_costs_nothing(question, asker):
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=question, value=Vote.UP)
    _down(MemberFactory(), question)
    assert len(rows(asker)) == 1
    assert total(asker) == 6


def test_the_field_comes_from_the_product_when_the_question_has_none(asker, expert):
    product = ProductFactory()
    question = QuestionFactory(author=asker, product=product, category=None)
    answer = AnswerFactory(question=question, author=expert)
    services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.UP)
    services.vote_cast(voter=MemberFactory(), target=question, value=Vote.UP)
    assert rows(expert)[0].category == product.category
    assert rows(asker)[0].category == product.category
    assert field_total(expert, product.category) == 10


def test_a_question_without_a_field_counts_only_overall(asker, expert):
    question = QuestionFactory(author=asker)
    answer = AnswerFactory(question=question, author=expert)
    services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.UP)
    [entry] = rows(expert)
    assert entry.category is None
    assert total(expert) == 11
    assert not ReputationScore.objects.filter(member=expert).exists()


def test_changing_an_answer_vote_undoes_the_old_one_then_records_the_new(answer, expert):
    services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.UP)  # 11
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=answer, value=Vote.UP)  # 21
    _down(voter, answer)  # 21 - 10 - 2
    [undone] = rows(expert, reason=Reason.UNDONE)
    assert undone.reverses.reason == Reason.ANSWER_UPVOTED and undone.reverses.actor == voter
    assert undone.delta == -10 and undone.actor == voter
    assert rows(expert, reason=Reason.ANSWER_DOWNVOTED)[0].actor == voter
    assert total(expert) == 9
    services.vote_cast(voter=voter, target=answer, value=Vote.UP)  # back: 9 + 2 + 10
    assert total(expert) == 21
    # Only one of the voter's rows is in effect: withdrawing takes exactly it back.
    services.vote_withdraw(voter=voter, target=answer)
    assert total(expert) == 11


def test_changing_a_question_vote(question, asker):
    voter = MemberFactory()
    _down(voter, question)
    assert not rows(asker)
    services.vote_cast(voter=voter, target=question, value=Vote.UP)
    assert total(asker) == 6
    _down(voter, question)
    assert total(asker) == 1
    [undone] = rows(asker, reason=Reason.UNDONE)
    assert undone.reverses.reason == Reason.QUESTION_UPVOTED


def test_withdrawing_a_vote_reverses_it(question, answer, asker, expert, category):
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=answer, value=Vote.UP)
    services.vote_cast(voter=voter, target=question, value=Vote.UP)
    services.vote_withdraw(voter=voter, target=answer)
    services.vote_withdraw(voter=voter, target=question)
    assert (total(expert), total(asker)) == (1, 1)
    assert field_total(expert, category) == 0
    assert {e.reverses.reason for e in ReputationEntry.objects.filter(reason=Reason.UNDONE)} == {
        Reason.ANSWER_UPVOTED,
        Reason.QUESTION_UPVOTED,
    }
    # Withdrawing again (no vote) writes nothing.
    count = ReputationEntry.objects.count()
    services.vote_withdraw(voter=voter, target=answer)
    assert ReputationEntry.objects.count() == count


def test_withdrawing_one_vote_leaves_the_others(answer, expert):
    first, second = MemberFactory(), MemberFactory()
    services.vote_cast(voter=first, target=answer, value=Vote.UP)
    services.vote_cast(voter=second, target=answer, value=Vote.UP)
    services.vote_withdraw(voter=first, target=answer)
    assert total(expert) == 11


def test_a_refused_second_vote_records_nothing(answer, expert):
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=answer, value=Vote.UP)
    with pytest.raises(Conflict):
        services.vote_cast(voter=voter, target=answer, value=Vote.UP)
    assert len(rows(expert)) == 1
    assert total(expert) == 11


def test_vote_queries_do_not_grow_with_the_votes(settings, answer):
    no_rate_limits(settings)

    def cast():
        voter = MemberFactory()
        with CaptureQueriesContext(connection) as captured:
            services.vote_cast(voter=voter, target=answer, value=Vote.UP)
        return len(captured)

    cast()  # the first vote also creates the field's score row
    second = cast()
    for _ in range(5):
        cast()
    assert cast() == second


# --- acceptance -----------------------------------------------------------------------


def test_accepting_earns_the_author_fifteen_and_the_asker_two(
    question, answer, asker, expert, category
):
    services.answer_accept(member=asker, answer=answer)
    [accepted] = rows(expert)
    assert (accepted.reason, accepted.delta, accepted.source, accepted.actor) == (
        Reason.ANSWER_ACCEPTED,
        15,
        answer,
        asker,
    )
    assert accepted.category == category
    [accepting] = rows(asker)
    assert (accepting.reason, accepting.delta, accepting.source, accepting.actor) == (
        Reason.ACCEPTED_AN_ANSWER,
        2,
        answer,
        expert,
    )
    assert accepting.category == category
    assert (total(expert), total(asker)) == (16, 3)
    services.answer_accept(member=asker, answer=answer)  # again: nothing new
    assert ReputationEntry.objects.count() == 2


def test_accepting_another_answer_moves_the_points(question, answer, asker, expert):
    other = MemberFactory()
    second = AnswerFactory(question=question, author=other)
    services.answer_accept(member=asker, answer=answer)
    services.answer_accept(member=asker, answer=second)
    assert total(expert) == 1
    assert total(other) == 16
    assert total(asker) == 3  # +2 for the first, undone, +2 for the second
    undone = ReputationEntry.objects.filter(reason=Reason.UNDONE)
    assert {(e.member_id, e.reverses.reason, e.source_id) for e in undone} == {
        (expert.pk, Reason.ANSWER_ACCEPTED, answer.pk),
        (asker.pk, Reason.ACCEPTED_AN_ANSWER, answer.pk),
    }
    [current] = rows(asker, reason=Reason.ACCEPTED_AN_ANSWER, source_id=second.pk)
    assert current.actor == other
    services.answer_accept(member=asker, answer=answer)  # and back
    assert (total(expert), total(other), total(asker)) == (16, 1, 3)


def test_unaccepting_undoes_the_acceptance(question, answer, asker, expert, category):
    services.answer_accept(member=asker, answer=answer)
    services.answer_unaccept(member=asker, question=question)
    assert (total(expert), total(asker)) == (1, 1)
    assert field_total(expert, category) == 0
    count = ReputationEntry.objects.count()
    services.answer_unaccept(member=asker, question=question)  # nothing accepted: no-op
    assert ReputationEntry.objects.count() == count


def test_accepting_ones_own_answer_earns_nothing(question, asker):
    own = AnswerFactory(question=question, author=asker)
    services.answer_accept(member=asker, answer=own)
    services.answer_unaccept(member=asker, question=question)
    services.answer_accept(member=asker, answer=own)
    assert not ReputationEntry.objects.exists()
    assert total(asker) == 1


def test_replacing_ones_own_accepted_answer(question, answer, asker, expert):
    own = AnswerFactory(question=question, author=asker)
    services.answer_accept(member=asker, answer=own)
    services.answer_accept(member=asker, answer=answer)
    assert (total(expert), total(asker)) == (16, 3)
    services.answer_accept(member=asker, answer=own)
    assert (total(expert), total(asker)) == (1, 1)


# --- moderation -----------------------------------------------------------------------


def test_hiding_an_answer_removes_its_points_and_restoring_gives_them_back(
    answer, expert, moderator, category
):
    for _ in range(3):
        services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.UP)
    assert total(expert) == 31
    services.answer_hide(moderator=moderator, answer=answer, reason="Unsafe advice.")
    penalty = ReputationEntry.objects.get(
        member=expert, reason=Reason.CONTENT_REMOVED, reverses__isnull=True
    )
    assert penalty.source == answer and penalty.actor == moderator
    assert penalty.category == category
    assert penalty.rule_delta == rules.CONTENT_REMOVED_PENALTY
    assert total(expert) == 1  # 31 - 30, then the penalty floored
    count = ReputationEntry.objects.count()
    services.answer_hide(moderator=moderator, answer=answer, reason="Still unsafe.")
    assert ReputationEntry.objects.count() == count  # already hidden: nothing new
    services.answer_restore(moderator=moderator, answer=answer)
    assert total(expert) == 31
    assert field_total(expert, category) == 30
    assert ReputationEntry.objects.filter(member=expert, reason=Reason.CONTENT_RESTORED).exists()
    count = ReputationEntry.objects.count()
    services.answer_restore(moderator=moderator, answer=answer)
    assert ReputationEntry.objects.count() == count  # already shown: nothing new


def test_hiding_a_question_removes_its_points_and_restoring_gives_them_back(
    question, asker, moderator, category
):
    for _ in range(4):
        services.vote_cast(voter=MemberFactory(), target=question, value=Vote.UP)
    services.vote_cast(voter=MemberFactory(), target=question, value=Vote.UP)
    assert total(asker) == 26
    services.question_hide(moderator=moderator, question=question, reason="Spam.")
    penalty = ReputationEntry.objects.get(
        member=asker, reason=Reason.CONTENT_REMOVED, reverses__isnull=True
    )
    assert (penalty.source, penalty.actor, penalty.category) == (question, moderator, category)
    assert total(asker) == 1
    count = ReputationEntry.objects.count()
    services.question_hide(moderator=moderator, question=question, reason="Spam indeed.")
    assert ReputationEntry.objects.count() == count
    services.question_restore(moderator=moderator, question=question)
    assert total(asker) == 26
    count = ReputationEntry.objects.count()
    services.question_restore(moderator=moderator, question=question)
    assert ReputationEntry.objects.count() == count


def test_hiding_costs_the_penalty_above_the_floor(question, answer, asker, expert, moderator):
    services.answer_accept(member=asker, answer=answer)
    for _ in range(12):
        services.vote_cast(
            voter=MemberFactory(), target=AnswerFactory(author=expert), value=Vote.UP
        )
    assert total(expert) == 1 + 15 + 120
    services.answer_hide(moderator=moderator, answer=answer, reason="Wrong.")
    # The acceptance is reversed and the removal costs 100.
    assert total(expert) == 1 + 120 - 100
    assert total(asker) == 3  # the asker keeps what accepting earned
    services.answer_restore(moderator=moderator, answer=answer)
    assert total(expert) == 136


def test_an_acceptance_replaced_while_the_answer_was_hidden_stays_undone(
    question, answer, asker, expert, moderator
):
    other = MemberFactory()
    second = AnswerFactory(question=question, author=other)
    services.answer_accept(member=asker, answer=answer)
    services.answer_hide(moderator=moderator, answer=answer, reason="Wrong.")
    services.answer_accept(member=asker, answer=second)
    services.answer_restore(moderator=moderator, answer=answer)
    assert (total(expert), total(other), total(asker)) == (1, 16, 3)
    services.answer_accept(member=asker, answer=answer)  # accepted again: earned again
    assert (total(expert), total(other), total(asker)) == (16, 1, 3)


def test_an_answer_still_accepted_gets_its_acceptance_back(
    question, answer, asker, expert, moderator
):
    services.answer_accept(member=asker, answer=answer)
    services.answer_hide(moderator=moderator, answer=answer, reason="Check.")
    services.answer_restore(moderator=moderator, answer=answer)
    assert (total(expert), total(asker)) == (16, 3)


# --- the cached totals ----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_totals_equal_a_recount_after_random_sequences(settings, moderator, seed):
    no_rate_limits(settings)
    rng = random.Random(seed)
    asker = MemberFactory()
    question = QuestionFactory(author=asker, category=CategoryFactory())
    answers = [AnswerFactory(question=question) for _ in range(3)]
    voters = [MemberFactory() for _ in range(4)]
    for _step in range(60):
        voter = rng.choice(voters)
        target = rng.choice([question, *answers])
        action = rng.random()
        try:
            if action < 0.35:
                services.vote_cast(voter=voter, target=target, value=Vote.UP)
            elif action < 0.55:
                _down(voter, target)
            elif action < 0.7:
                services.vote_withdraw(voter=voter, target=target)
            elif action < 0.8:
                services.answer_accept(member=asker, answer=rng.choice(answers))
            elif action < 0.85:
                services.answer_unaccept(member=asker, question=question)
            elif isinstance(target, Answer):
                if rng.random() < 0.5:
                    services.answer_hide(moderator=moderator, answer=target, reason="Check.")
                else:
                    services.answer_restore(moderator=moderator, answer=target)
        except (Conflict, NotFound):
            pass
    assert reputation_recalculate() == 0
    # The vote rows in effect are exactly the votes there are, on shown content.
    for target in [question, *answers]:
        target.refresh_from_db()
        kind = "question" if target is question else "answer"
        expected = set()
        if not target.is_hidden:
            for vote in Vote.objects.filter(**{kind: target}):
                reason = services._VOTE_REPUTATION.get((kind, vote.value))
                if reason is not None:
                    expected.add((vote.voter_id, reason))
        assert _vote_rows_in_effect(target) == expected


def _vote_rows_in_effect(target) -> set:
    in_effect = set()
    for entry in ReputationEntry.objects.filter(
        member_id=target.author_id,
        source_id=target.pk,
        source_type__model=target._meta.model_name,
        reverses__isnull=True,
        reason__in=rules.VOTE_REASONS,
    ):
        depth, row = 0, entry
        while (row := ReputationEntry.objects.filter(reverses=row).first()) is not None:
            depth += 1
        if depth % 2 == 0:
            in_effect.add((entry.actor_id, entry.reason))
    return in_effect
