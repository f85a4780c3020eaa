"""reputation_recalculate and manage.py recalculate_reputation: a read-only check of
every member's cached values against their ledger rows, then a locked re-sum of only
the members that disagree, correcting any drift (totals with the floor of 1, scores
wrong, missing or left without rows) and nothing else."""

import random
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.members.models import Member
from community.reputation import rules, services
from community.reputation.models import ReputationEntry, ReputationScore
from community.reputation.rules import Reason
from community.reputation.services import reputation_recalculate, reputation_record
from tests.factories import CategoryFactory, ClubFactory, MemberFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def _ledger(members: int = 6):
    """Members with points in a club, a field and no scope."""
    club, category = ClubFactory(), CategoryFactory()
    people = [MemberFactory() for _ in range(members)]
    voter = MemberFactory()
    for n, member in enumerate(people):
        review = ReviewFactory(author=member)
        for _ in range(n + 1):
            reputation_record(
                member=member, reason=Reason.POST_LIKED, source=review, actor=voter, club=club
            )
        reputation_record(
            member=member,
            reason=Reason.REVIEW_HELPFUL,
            source=review,
            actor=MemberFactory(),
            category=category,
        )
        reputation_record(member=member, reason=Reason.EVENT_ATTENDED, source=review)
    return people, club, category


def _state():
    return (
        sorted(Member.objects.values_list("pk", "reputation")),
        sorted(
            ReputationScore.objects.values_list("member_id", "club_id", "category_id", "total"),
            key=lambda row: tuple(-1 if value is None else value for value in row),
        ),
    )


def test_a_consistent_ledger_needs_nothing_and_locks_nothing():
    _ledger()
    with CaptureQueriesContext(connection) as captured:
        assert reputation_recalculate() == 0
    sql = " ".join(query["sql"].upper() for query in captured.captured_queries)
    assert "FOR UPDATE" not in sql and "UPDATE " not in sql and "INSERT" not in sql


def test_every_kind_of_drift_is_corrected_and_counted():
    people, club, category = _ledger()
    right = _state()
    other_club = ClubFactory()
    Member.objects.filter(pk=people[0].pk).update(reputation=999)  # a wrong total
    Member.objects.filter(pk=people[1].pk).update(reputation=1)  # another one
    ReputationScore.objects.filter(member=people[2], club=club).update(total=3)  # wrong
    ReputationScore.objects.filter(member=people[3], category=category).delete()  # missing
    ReputationScore.objects.create(member=people[4], club=other_club, total=7)  # no rows
    ReputationScore.objects.filter(member=people[5], club=club).update(total=0)  # zeroed
    assert reputation_recalculate() == 6
    after = _state()
    assert after[0] == right[0]
    assert [row for row in after[1] if row[1] != other_club.pk] == right[1]
    assert ReputationScore.objects.get(member=people[4], club=other_club).total == 0
    assert reputation_recalculate() == 0


def test_small_batches_and_a_given_list_of_members():
    people, club, _category = _ledger(members=7)
    Member.objects.filter(pk__in=[p.pk for p in people[::2]]).update(reputation=42)
    ReputationScore.objects.filter(member=people[5], club=club).update(total=-5)
    calls = []
    assert reputation_recalculate(member_ids=[people[5].pk], progress=calls.append) == 1
    assert calls == [1]
    assert reputation_recalculate(batch_size=2, progress=calls.append) == 4
    assert sum(calls[1:]) == Member.objects.count()  # every member, batch by batch
    assert reputation_recalculate(batch_size=2) == 0


def test_the_floor_holds_for_a_ledger_summing_below_zero():
    """Rows the services never write (an import, a restored backup): a total is
    max(1, 1 + sum), so a member never shows less than 1."""
    member = MemberFactory()
    ReputationEntry.objects.create(
        member=member,
        delta=-100,
        rule_delta=-100,
        reason=Reason.CONTENT_REMOVED,
        rule_version=rules.RULE_VERSION,
    )
    Member.objects.filter(pk=member.pk).update(reputation=-99)
    assert reputation_recalculate(member_ids=[member.pk]) == 1
    assert Member.objects.get(pk=member.pk).reputation == rules.FLOOR
    assert reputation_recalculate(member_ids=[member.pk]) == 0


def test_a_flagged_member_found_right_under_the_lock_is_left_alone(monkeypatch):
    """Between the check and the lock, a concurrent write may make a flagged member's
    values right (or the check flags a member whose row counts in a club and a field
    at once): the locked re-sum decides, and corrects nothing that is right."""
    people, _club, _category = _ledger(members=2)
    monkeypatch.setattr(services, "_drifted", lambda members: {people[0].pk, people[1].pk})
    with CaptureQueriesContext(connection) as captured:
        assert reputation_recalculate() == 0
    assert any("reputation_reputationentry" in q["sql"] for q in captured.captured_queries)


def test_a_score_left_on_a_scope_whose_rows_cancel_out_is_found():
    """+2 and -2 in a club: no score is needed, so a non-zero one is extra."""
    member, club = MemberFactory(), ClubFactory()
    for reason, actor in ((Reason.POST_LIKED, MemberFactory()), (Reason.POST_LIKED, None)):
        reputation_record(member=member, reason=reason, actor=actor, club=club)
    ReputationEntry.objects.create(
        member=member,
        delta=-4,
        rule_delta=-4,
        reason=Reason.UNDONE,
        club=club,
        rule_version=rules.RULE_VERSION,
    )
    Member.objects.filter(pk=member.pk).update(reputation=1)
    ReputationScore.objects.filter(member=member, club=club).update(total=4)
    assert reputation_recalculate(member_ids=[member.pk]) == 1
    assert ReputationScore.objects.get(member=member, club=club).total == 0


def _check_threads(monkeypatch, *, helped: bool = False) -> list[str]:
    """The names of the threads that ran each batch's check. With `helped`, the calling
    thread waits (up to 10 s) until a helper thread has taken a batch."""
    names, check, helper_started = [], services._drifted, threading.Event()
    caller = threading.current_thread()

    def spy(members):
        names.append(threading.current_thread().name)
        if threading.current_thread() is not caller:
            helper_started.set()
        elif helped:
            helper_started.wait(timeout=10)
        return check(members)

    monkeypatch.setattr(services, "_drifted", spy)
    return names


def test_inside_a_transaction_the_check_stays_on_its_connection(monkeypatch):
    """Other connections could not see the transaction's rows: no worker threads."""
    people, _club, _category = _ledger(members=4)
    Member.objects.filter(pk=people[0].pk).update(reputation=77)
    names = _check_threads(monkeypatch)
    assert reputation_recalculate(batch_size=1, workers=3) == 1
    assert set(names) == {threading.current_thread().name} and len(names) >= 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite checks on one connection")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_several_connections_check_batches_at_once(monkeypatch):
    people, club, category = _ledger(members=6)
    Member.objects.filter(pk=people[0].pk).update(reputation=999)
    ReputationScore.objects.filter(member=people[3], category=category).delete()
    ReputationScore.objects.filter(member=people[5], club=club).update(total=2)
    names = _check_threads(monkeypatch, helped=True)
    calls = []
    assert reputation_recalculate(workers=3, progress=calls.append) == 3
    members = Member.objects.count()
    # Batches shrink so that the 3 connections get 4 each (at most, with few members).
    size = -(-members // (4 * 3))
    assert sum(calls) == members and len(names) == len(calls) == -(-members // size) > 3
    # This thread (its connection is warm) and helpers, each with its own connection.
    assert threading.current_thread().name in names
    helpers = {name for name in names if name != threading.current_thread().name}
    assert helpers and {name.rsplit("_", 1)[0] for name in helpers} == {"recount"}
    assert reputation_recalculate(batch_size=2, workers=3) == 0
    assert _other_connections() == 0  # the helpers' connections are closed


def _other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite checks on one connection")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_helper_threads_error_reaches_the_caller(monkeypatch):
    _ledger(members=6)
    check = services._drifted

    def failing(members):
        if threading.current_thread().name.startswith("recount"):
            raise RuntimeError("the database went away")
        return check(members)

    monkeypatch.setattr(services, "_drifted", failing)
    with pytest.raises(RuntimeError, match="went away"):
        reputation_recalculate(workers=2)
    assert _other_connections() == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite rule")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sqlite_checks_on_one_connection(monkeypatch):
    _ledger(members=3)
    names = _check_threads(monkeypatch)
    assert reputation_recalculate(batch_size=1, workers=4) == 0
    assert set(names) == {threading.current_thread().name} and len(names) >= 4


def test_a_row_in_a_club_and_a_field_at_once_counts_in_both():
    member, club, category = MemberFactory(), ClubFactory(), CategoryFactory()
    reputation_record(
        member=member,
        reason=Reason.POST_LIKED,
        actor=MemberFactory(),
        club=club,
        category=category,
    )
    assert reputation_recalculate() == 0
    ReputationScore.objects.filter(member=member, category=category).update(total=9)
    assert reputation_recalculate() == 1
    assert ReputationScore.objects.get(member=member, category=category).total == 2


def test_the_check_costs_a_fixed_number_of_queries_per_batch():
    _ledger(members=3)
    with CaptureQueriesContext(connection) as small:
        reputation_recalculate()
    _ledger(members=30)
    with CaptureQueriesContext(connection) as large:
        reputation_recalculate()
    # One read of the member ids, then per batch (one batch here) one check query, in
    # a savepoint here (the test's transaction); nothing per member or per row.
    assert len(small.captured_queries) == len(large.captured_queries) <= 4


def test_the_command_shows_progress_and_reports(capsys):
    people, _club, _category = _ledger(members=3)
    Member.objects.filter(pk=people[0].pk).update(reputation=500)
    call_command("recalculate_reputation", "--batch-size", "2")
    captured = capsys.readouterr()
    assert "1 cached value(s) corrected" in captured.out
    assert "member" in captured.err and "100%" in captured.err  # the tqdm bar
    call_command("recalculate_reputation", "--no-progress", "--workers", "2")
    captured = capsys.readouterr()
    assert "0 cached value(s) corrected" in captured.out and captured.err == ""
    for bad in (["--workers", "0"], ["--batch-size", "0"]):
        with pytest.raises(CommandError, match="must be 1 or more"):
            call_command("recalculate_reputation", "--no-progress", *bad)


def _demo_without_clubs(reviews: int):
    """The demo's catalogue, members and reviews (with their bulk helpful votes), as
    seed_demo writes them, without the clubs part."""
    from community.demo.seeding import (
        demo_accounts_ensure,
        demo_brands_ensure,
        demo_categories_ensure,
        demo_members_ensure,
        demo_reviews_add,
    )

    accounts = demo_accounts_ensure()
    _brands, products, staff = demo_brands_ensure(
        categories=demo_categories_ensure(), staff=accounts["staff"]
    )
    members = demo_members_ensure(count=200)
    demo_reviews_add(
        target=reviews,
        products=products,
        members=members,
        staff=staff,
        rng=random.Random(7),
        progress=False,
    )
    return accounts


def test_the_demo_ledger_matches_its_votes_and_gives_believable_levels(settings):
    from community.demo.seeding import demo_reviews
    from community.reputation.models import MemberVisit
    from community.reviews.management.commands.seed_demo import demo_reputation_ensure
    from community.reviews.models import HelpfulVote

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    accounts = _demo_without_clubs(reviews=60)
    votes = HelpfulVote.objects.filter(review__in=demo_reviews())
    assert votes.exists()
    result = demo_reputation_ensure(seed=2025)
    helpful = ReputationEntry.objects.filter(reason=Reason.REVIEW_HELPFUL, reverses__isnull=True)
    assert result.ledger_rows == helpful.count() == votes.count()  # one row per vote
    assert set(helpful.values_list("source_id", "actor_id")) == set(
        votes.values_list("review_id", "voter_id")
    )
    assert reputation_recalculate() == 0  # totals and field scores agree with the ledger
    leader = Member.objects.get(trust_level=rules.TrustLevel.LEADER)
    assert (
        ReputationEntry.objects.get(member=leader, reason=Reason.LEVEL_GRANTED).actor
        == accounts["admin"]
    )
    demo = Member.objects.get(pk=accounts["demo"].pk)
    assert demo.trust_level == rules.TrustLevel.BASIC
    levels = result.levels
    assert sum(levels.values()) == 201  # 200 demo members and the demo account
    assert levels.get(rules.TrustLevel.BASIC, 0) > levels.get(rules.TrustLevel.MEMBER, 0)
    # Again: nothing twice.
    before = (ReputationEntry.objects.count(), MemberVisit.objects.count())
    again = demo_reputation_ensure(seed=2025)
    assert again.ledger_rows == 0 and again.levels == levels
    assert (ReputationEntry.objects.count(), MemberVisit.objects.count()) == before
