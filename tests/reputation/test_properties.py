"""Property-based tests (hypothesis): whatever sequence of records, undos, removals,
restorations and serial-voting runs happens, the cached totals equal a full recount of
the ledger, no total is ever below 1, and no member gains more than the daily cap from
votes in one day."""

from datetime import UTC, timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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

MEMBERS = 4
SOURCES = 4
EARNING = [
    Reason.REVIEW_HELPFUL,
    Reason.ANSWER_UPVOTED,
    Reason.ANSWER_DOWNVOTED,
    Reason.ANSWER_ACCEPTED,
    Reason.QUESTION_UPVOTED,
    Reason.POST_LIKED,
    Reason.EVENT_ATTENDED,
]


@pytest.fixture
def world():
    members = [MemberFactory() for _ in range(MEMBERS)]
    # Source i is written by member i % MEMBERS.
    sources = [ReviewFactory(author=members[i % MEMBERS]) for i in range(SOURCES)]
    return {
        "members": members,
        "sources": sources,
        "club": ClubFactory(),
        "category": CategoryFactory(),
        "moderator": MemberFactory(),
    }


record_op = st.tuples(
    st.just("record"),
    st.integers(0, SOURCES - 1),  # source (its author earns)
    st.integers(0, MEMBERS - 1),  # actor
    st.sampled_from(EARNING),
    st.integers(0, 2),  # day offset
    st.sampled_from(["none", "club", "category"]),
    st.integers(1, 40),  # how many times in a row (cap pressure)
)
undo_op = st.tuples(st.just("undo"), st.integers(0, SOURCES - 1), st.integers(0, MEMBERS - 1))
remove_op = st.tuples(st.sampled_from(["remove", "restore"]), st.integers(0, SOURCES - 1))
serial_op = st.tuples(st.just("serial"))
operations = st.lists(st.one_of(record_op, undo_op, remove_op, serial_op), max_size=25)


def _check_invariants(world, base):
    for member in Member.objects.filter(pk__in=[m.pk for m in world["members"]]):
        summed = ReputationEntry.objects.filter(member=member).aggregate(s=Sum("delta"))["s"]
        assert member.reputation == rules.STARTING_POINTS + (summed or 0)
        assert member.reputation >= rules.FLOOR
        for score in ReputationScore.objects.filter(member=member):
            scope = {"club": score.club} if score.club_id else {"category": score.category}
            in_scope = ReputationEntry.objects.filter(member=member, **scope)
            assert score.total == (in_scope.aggregate(s=Sum("delta"))["s"] or 0)
        for day in range(3):
            start = (base + timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
            gained = ReputationEntry.objects.filter(
                member=member,
                reason__in=rules.VOTE_REASONS,
                reverses__isnull=True,
                delta__gt=0,
                created_at__gte=start,
                created_at__lt=start + timedelta(days=1),
            ).aggregate(s=Sum("delta"))["s"]
            assert (gained or 0) <= rules.DAILY_VOTE_CAP
    assert reputation_recalculate(member_ids=[m.pk for m in world["members"]]) == 0


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_keeps_the_cache_equal_to_the_ledger(world, ops):
    base = timezone.now().astimezone(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        for op in ops:
            kind = op[0]
            if kind == "record":
                _, source_index, actor_index, reason, day, scope, times = op
                source = world["sources"][source_index]
                scopes = {"club": world["club"]} if scope == "club" else {}
                if scope == "category":
                    scopes = {"category": world["category"]}
                for _ in range(times):
                    reputation_record(
                        member=source.author,
                        reason=reason,
                        source=source,
                        actor=world["members"][actor_index],
                        now=base + timedelta(days=day),
                        **scopes,
                    )
            elif kind == "undo":
                _, source_index, actor_index = op
                source = world["sources"][source_index]
                reputation_undo(
                    member=source.author,
                    source=source,
                    actor=world["members"][actor_index],
                    reasons=EARNING,
                )
            elif kind == "remove":
                source = world["sources"][op[1]]
                reputation_content_removed(
                    content=source, author=source.author, moderator=world["moderator"]
                )
            elif kind == "restore":
                source = world["sources"][op[1]]
                reputation_content_restored(
                    content=source, author=source.author, moderator=world["moderator"]
                )
            else:
                reputation_serial_votes_reverse(now=base + timedelta(days=2, hours=1))
            _check_invariants(world, base)
        transaction.set_rollback(True)
