"""What does the reputation ledger cost: recording one event, and re-summing it all?

    python -m bench.reputation [--db sqlite|postgres|all] [--rows N] [--members N]

For each database: a fresh database, migrate, then in ONE process (bench.settings):

- seed N members (bulk_create), 20 clubs, 12 categories and a ledger of --rows rows
  (one INSERT ... SELECT per 100,000 rows, over generate_series on PostgreSQL and a
  recursive CTE on SQLite; the ledger's plain indexes are dropped for the load and
  rebuilt from their own definitions). Rows are spread unevenly over members (the first
  has 1/sqrt(N) of them: 1% for 10,000 members; the last ones half the mean), with the
  reasons and points of community/reputation/rules.py in realistic shares: votes,
  acceptances, events, down votes, rows cut to 0 by the daily cap, moderators' -100
  penalties and 1% "undone" rows that reverse an earlier row. Rows of club reasons
  count in one of the member's three clubs, half of the others in one of the member's
  categories. A member whose rows would sum below 0 has their losses cut to 0, as the
  floor of 1 would have done (the services never write such a ledger). The cached
  totals (Member.reputation and ReputationScore) are then set
  from the ledger with one UPDATE and one INSERT ... SELECT per scope, as the services
  would have kept them; PostgreSQL gets VACUUM ANALYZE as autovacuum would do, SQLite is
  left as Django leaves it (no ANALYZE).
- time `reputation_recalculate()` (asserting each run corrects nothing; on PostgreSQL it
  checks on one connection per CPU, as PostgreSQL's own parallel SUM uses its workers)
  against a plain `SELECT SUM(delta)` over the same table, alternating the two, and print
  the medians and their ratio against the goal "within 3x" (on PostgreSQL also the
  ratio on one connection), with the cost of the grouped sum per
  (member, club, category) alone (computed and discarded by the database: the floor of
  any exact check of the per-club and per-field scores) as a ratio too;
- then make 0.5% of the members' cached values wrong in each of four ways (a total, a
  score's total, a deleted score, a score for a club without rows), time one
  `reputation_recalculate()`, which must correct exactly those, and print its ratio;
- count the queries `reputation_record` costs (CaptureQueriesContext) for a member's
  first row, for the member with the biggest ledger and for a vote past the daily cap,
  each unscoped and scoped to a category: the count must not depend on the ledger's size.

The recording line is printed first, though it is measured last (its rows would add to
the ledger). Progress goes to stderr; three lines per database to stdout. PostgreSQL is
used when BENCH_POSTGRES_URL is set or a server answers on postgres://postgres@127.0.0.1:5432;
its bench database is dropped afterwards.
"""

import argparse
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.product_page import (
    DATA,
    ROOT,
    BenchError,
    _env,
    _run,
    drop_database,
    fresh_database,
    on_each_database,
)

NAME = "reputation"
DEFAULT_ROWS = 1_000_000
DEFAULT_MEMBERS = 10_000
CLUBS = 20
CATEGORIES = 12
CHUNK = 100_000  # ledger rows per INSERT ... SELECT
REVERSED_SHARE = 100  # one row in this many is an "undone" reversal of an earlier row
HISTORY_SECONDS = 2 * 365 * 24 * 3600  # the ledger spans two years ...
HISTORY_END = timedelta(days=2)  # ... ending two days ago: no seeded row counts "today"
ROUNDS = 3
GOAL_RATIO = 3.0


def progress(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- seeding ------------------------------------------------------------------------------


def _kinds_of_rows() -> list[tuple[int, str, int, int, str, str]]:
    """(share in %, reason, delta, rule_delta, source model, scope) of the seeded rows."""
    from community.reputation import rules
    from community.reputation.rules import Reason

    p = rules.points_for
    helpful = rules.review_helpful_points
    return [
        (30, Reason.ANSWER_UPVOTED, p(Reason.ANSWER_UPVOTED), p(Reason.ANSWER_UPVOTED),
         "experts.answer", "category"),
        (14, Reason.POST_LIKED, p(Reason.POST_LIKED), p(Reason.POST_LIKED),
         "brand_clubs.clubpost", "club"),
        (6, Reason.REVIEW_HELPFUL, p(Reason.REVIEW_HELPFUL), p(Reason.REVIEW_HELPFUL),
         "reviews.review", "category"),
        (4, Reason.REVIEW_HELPFUL, helpful(verified_purchase=True, expert_checked=False),
         helpful(verified_purchase=True, expert_checked=False), "reviews.review", "category"),
        (2, Reason.REVIEW_HELPFUL, helpful(verified_purchase=False, expert_checked=True),
         helpful(verified_purchase=False, expert_checked=True), "reviews.review", "category"),
        (10, Reason.QUESTION_UPVOTED, p(Reason.QUESTION_UPVOTED), p(Reason.QUESTION_UPVOTED),
         "experts.question", "category"),
        (6, Reason.ANSWER_ACCEPTED, p(Reason.ANSWER_ACCEPTED), p(Reason.ANSWER_ACCEPTED),
         "experts.answer", "category"),
        (6, Reason.ACCEPTED_AN_ANSWER, p(Reason.ACCEPTED_AN_ANSWER),
         p(Reason.ACCEPTED_AN_ANSWER), "experts.answer", "category"),
        (8, Reason.EVENT_ATTENDED, p(Reason.EVENT_ATTENDED), p(Reason.EVENT_ATTENDED),
         "brand_clubs.event", "club"),
        (9, Reason.ANSWER_DOWNVOTED, p(Reason.ANSWER_DOWNVOTED), p(Reason.ANSWER_DOWNVOTED),
         "experts.answer", "category"),
        # Past the daily cap: written with 0 applied.
        (4, Reason.ANSWER_UPVOTED, 0, p(Reason.ANSWER_UPVOTED), "experts.answer", "category"),
        (1, Reason.CONTENT_REMOVED, rules.CONTENT_REMOVED_PENALTY,
         rules.CONTENT_REMOVED_PENALTY, "experts.answer", "category"),
    ]  # fmt: skip


def _case(kinds, value) -> str:
    """CASE on k (0..99) picking value(kind) by the kinds' cumulative shares."""
    parts, upto = [], 0
    for kind in kinds:
        upto += kind[0]
        parts.append(f"WHEN k < {upto} THEN {value(kind)}")
    return f"CASE {' '.join(parts)} END"


def _seed_members_and_scopes(members: int) -> dict:
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from brand_clubs.models import Brand, Category, Club
    from community.members.models import Member

    created = []
    for start in range(0, members, 2000):
        created += Member.objects.bulk_create(
            Member(email=f"member{i}@bench.example", password="!", display_name=f"Member {i}")
            for i in range(start, min(members, start + 2000))
        )
    brand = Brand.objects.create(name="Bench Motors", slug="bench-motors")
    clubs = Club.objects.bulk_create(
        Club(brand=brand, name=f"Club {i}", slug=f"bench-club-{i}") for i in range(CLUBS)
    )
    categories = Category.objects.bulk_create(
        Category(name=f"Bench field {i}", slug=f"bench-field-{i}") for i in range(CATEGORIES)
    )
    ids = {
        "member": [m.pk for m in created],
        "club": [c.pk for c in clubs],
        "category": [c.pk for c in categories],
    }
    for what, pks in ids.items():  # the SQL below adds an offset to the first id
        if pks != list(range(pks[0], pks[0] + len(pks))):
            raise BenchError(f"the seeded {what} ids are not consecutive")
    content_types = {
        label: ContentType.objects.get_for_model(apps.get_model(label)).pk
        for label in {kind[4] for kind in _kinds_of_rows()}
    }
    return {
        "member0": ids["member"][0],
        "club0": ids["club"][0],
        "category0": ids["category"][0],
        "content_types": content_types,
    }


def _ledger_insert_sql(vendor: str, seeded: dict, *, members: int, rows: int, lo: int, hi: int):
    """One INSERT ... SELECT of the ledger rows number lo..hi (of 1..rows)."""
    from community.reputation import rules
    from community.reputation.models import ReputationEntry

    kinds = _kinds_of_rows()
    m0, c0, k0 = seeded["member0"], seeded["club0"], seeded["category0"]
    step = max(1, HISTORY_SECONDS // rows)
    end = (datetime.now(UTC) - HISTORY_END).replace(microsecond=0)
    age = f"(({rows} - g) * {step})"  # seconds before `end`
    if vendor == "postgresql":
        series = ""
        source = f"generate_series({lo}::bigint, {hi}::bigint) AS s(g)"
        created_at = f"(TIMESTAMPTZ '{end.isoformat()}' - {age} * INTERVAL '1 second')"
    else:
        series = (
            f"WITH RECURSIVE s(g) AS (SELECT {lo} UNION ALL SELECT g + 1 FROM s WHERE g < {hi}) "
        )
        source = "s"
        created_at = f"datetime('{end:%Y-%m-%d %H:%M:%S}', '-' || {age} || ' seconds')"
    # A uniform r in 0..999,999, squared: member index idx = members * (r/1e6)^2 gives
    # the first member ~1% of the rows and the last ones about half the mean.
    r = "(((g * 2654435761) % 4294967296) % 1000000)"
    idx = f"(({r} * {r} / 1000000) * {members} / 1000000)"
    k = "(((g * 1103515245 + 12345) % 2147483648) / 65536 % 100)"
    club = f"{c0} + (idx + g % 3) % {CLUBS}"  # three clubs per member
    category = f"CASE WHEN g % 2 = 0 THEN {k0} + (idx * 7 + (g / 2) % 4) % {CATEGORIES} END"
    columns = {
        "member_id": f"{m0} + idx",
        "delta": _case(kinds, lambda kind: kind[2]),
        "rule_delta": _case(kinds, lambda kind: kind[3]),
        "reason": _case(kinds, lambda kind: f"'{kind[1].value}'"),
        "source_type_id": _case(kinds, lambda kind: seeded["content_types"][kind[4]]),
        "source_id": "1 + (g * 48271) % 500000",
        "actor_id": f"{m0} + (idx + 1 + (g * 69621) % {max(1, members - 1)}) % {members}",
        "club_id": _case(kinds, lambda kind: club if kind[5] == "club" else "NULL"),
        "category_id": _case(kinds, lambda kind: category if kind[5] == "category" else "NULL"),
        "rule_version": str(rules.RULE_VERSION),
        "reverses_id": "NULL",
        "created_at": created_at,
    }
    table = ReputationEntry._meta.db_table
    return (
        f"{series}INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(columns.values())} FROM ("
        f"SELECT g, {idx} AS idx, {k} AS k FROM {source}) AS t"
    )


def _reversals_sql(vendor: str, count: int) -> str:
    """ "Undone" rows reversing `count` earlier up votes and likes (one each)."""
    from community.reputation import rules
    from community.reputation.models import ReputationEntry
    from community.reputation.rules import Reason

    table = ReputationEntry._meta.db_table
    later = (
        "created_at + INTERVAL '1 hour'"
        if vendor == "postgresql"
        else "datetime(created_at, '+1 hour')"
    )
    copied = "member_id, source_type_id, source_id, actor_id, club_id, category_id"
    return (
        f"INSERT INTO {table} ({copied}, delta, rule_delta, reason, rule_version, "
        f"reverses_id, created_at) "
        f"SELECT {copied}, -delta, -delta, '{Reason.UNDONE.value}', {rules.RULE_VERSION}, id, "
        f"{later} FROM {table} "
        f"WHERE reason IN ('{Reason.ANSWER_UPVOTED.value}', '{Reason.POST_LIKED.value}') "
        f"AND delta > 0 AND id % 10 = 3 ORDER BY id LIMIT {count}"
    )


def _floor_sql() -> str:
    """The services cut every loss to what a member has above the floor, so no member's
    rows ever sum below 0. The generated rows do not know the running totals: a member
    whose rows sum below 0 gets their losses (penalties, down votes; not reversals) cut
    to 0, as recorded when a loss found nothing above 1 (rule_delta keeps the rule's
    value). The ledger is then one the services could have written."""
    from community.reputation.models import ReputationEntry

    table = ReputationEntry._meta.db_table
    return (
        f"UPDATE {table} SET delta = 0 WHERE delta < 0 AND reverses_id IS NULL "
        f"AND member_id IN (SELECT member_id FROM {table} GROUP BY member_id "
        f"HAVING SUM(delta) < 0)"
    )


def _set_cached_totals() -> None:
    """What the services would have kept: Member.reputation = 1 + the member's sum, one
    ReputationScore per member and club / category with the sum of its rows."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from community.reputation import rules
    from community.reputation.models import ReputationEntry, ReputationScore

    members = get_user_model()._meta.db_table
    entries = ReputationEntry._meta.db_table
    scores = ReputationScore._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {members} SET reputation = {rules.STARTING_POINTS} + s.total "
            f"FROM (SELECT member_id, SUM(delta) AS total FROM {entries} GROUP BY member_id) "
            f"AS s WHERE {members}.id = s.member_id"
        )
        for scope, other in (("club_id", "category_id"), ("category_id", "club_id")):
            cursor.execute(
                f"INSERT INTO {scores} (member_id, {scope}, {other}, total) "
                f"SELECT member_id, {scope}, NULL, SUM(delta) FROM {entries} "
                f"WHERE {scope} IS NOT NULL GROUP BY member_id, {scope}"
            )


def _plain_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes other than its primary key
    and unique ones, as the database itself would recreate them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT x.indisprimary AND NOT x.indisunique ORDER BY i.relname",
            [table],
        )
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
            [table],
        )
    return cursor.fetchall()


def seed(*, rows: int, members: int) -> dict:
    from django.db import connection, transaction

    from community.reputation.models import ReputationEntry, ReputationScore

    started = time.perf_counter()
    seeded = _seed_members_and_scopes(members)
    progress(f"{members:,} members, {CLUBS} clubs, {CATEGORIES} categories")
    reversals = rows // REVERSED_SHARE
    originals = rows - reversals
    vendor = connection.vendor
    # A bulk load: the ledger's plain indexes are dropped first and built again after,
    # from the statements the database reports (the schema ends up as migrated).
    table = ReputationEntry._meta.db_table
    with connection.cursor() as cursor:
        indexes = _plain_indexes(cursor, table)
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    for lo in range(1, originals + 1, CHUNK):
        hi = min(originals, lo + CHUNK - 1)
        sql = _ledger_insert_sql(vendor, seeded, members=members, rows=originals, lo=lo, hi=hi)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
        progress(f"ledger rows {hi:,} / {rows:,} ({time.perf_counter() - started:.0f} s)")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_reversals_sql(vendor, reversals))
        cursor.execute(_floor_sql())
        progress(f"{cursor.rowcount:,} losses cut to 0 by the floor")
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
        if _plain_indexes(cursor, table) != indexes:
            raise BenchError(f"the indexes of {table} were not rebuilt as they were")
    progress(f"{len(indexes)} indexes rebuilt ({time.perf_counter() - started:.0f} s)")
    count = ReputationEntry.objects.count()
    if count != rows:
        raise BenchError(f"seeded {count:,} ledger rows instead of {rows:,}")
    with transaction.atomic():
        _set_cached_totals()
    scores = ReputationScore.objects.count()
    progress(f"{rows:,} ledger rows, {scores:,} scores, cached totals set")
    if vendor == "postgresql":
        with connection.cursor() as cursor:  # autocommit: VACUUM runs outside a transaction
            cursor.execute("VACUUM ANALYZE")
        progress("VACUUM ANALYZE done")
    progress(f"seeded in {time.perf_counter() - started:.0f} s")
    seeded["scores"] = scores
    return seeded


# --- 1. recording one event -----------------------------------------------------------


def _verb(sql: str) -> str:
    words = sql.split()
    head = words[0].upper() if words else "?"
    if head == "SELECT":
        if "SUM(" in sql.upper():
            return "sum today's votes"
        if "FOR UPDATE" in sql.upper():
            return "lock member"
        return "read member"  # SQLite: select_for_update is a no-op, the write lock is BEGIN
    if head in ("INSERT", "UPDATE"):
        table = words[2 if head == "INSERT" else 1].strip('"').replace("reputation_", "")
        return f"{head.lower()} {table}"
    return head.lower()


def count_record_queries(seeded: dict) -> str:
    """Queries of reputation_record for a first row, the biggest ledger and a capped vote,
    unscoped and scoped to a category. Returns the line to print."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from brand_clubs.models import Category
    from community.members.models import Member
    from community.reputation import rules
    from community.reputation.models import ReputationEntry, ReputationScore
    from community.reputation.rules import Reason
    from community.reputation.services import reputation_recalculate, reputation_record
    from experts.models import Answer

    progress("counting the queries of reputation_record")
    voter = Member.objects.get(pk=seeded["member0"] + 1)
    big = Member.objects.get(pk=seeded["member0"])
    big_rows = ReputationEntry.objects.filter(member=big).count()
    big_category = Category.objects.get(
        pk=ReputationScore.objects.filter(member=big, category__isnull=False)
        .order_by("pk")
        .values_list("category_id", flat=True)[0]
    )
    ContentType.objects.get_for_model(Answer)  # as in a running site: the cache is warm
    answers = iter(range(10**8, 10**9))  # an answer is only needed as (type, id)
    now = timezone.now()

    def fresh(name: str) -> Member:
        return Member.objects.create(email=f"{name}@bench.example", password="!")

    def record(member, category=None) -> tuple[int, list[str], int]:
        with CaptureQueriesContext(connection) as queries:
            entry = reputation_record(
                member=member,
                reason=Reason.ANSWER_UPVOTED,
                source=Answer(pk=next(answers)),
                actor=voter,
                category=category,
                now=now,
            )
        return len(queries), [_verb(q["sql"]) for q in queries.captured_queries], entry.delta

    capped = fresh("capped")
    per_vote = rules.points_for(Reason.ANSWER_UPVOTED)
    for _vote in range(rules.DAILY_VOTE_CAP // per_vote):
        reputation_record(
            member=capped,
            reason=Reason.ANSWER_UPVOTED,
            source=Answer(pk=next(answers)),
            actor=voter,
            now=now,
        )
    category = Category.objects.exclude(pk=big_category.pk).order_by("pk").first()
    cases = {
        "first": record(fresh("first")),
        "big": record(big),
        "capped": record(capped),
        "first_scoped": record(fresh("first-scoped"), big_category),
        "big_scoped": record(big, big_category),
        "capped_scoped": record(capped, category),
    }
    for name, (count, verbs, delta) in cases.items():
        progress(f"record {name}: {count} queries, {delta:+d} applied: {', '.join(verbs)}")
    if cases["capped"][2] != 0 or cases["first"][2] != per_vote or cases["big"][2] != per_vote:
        raise BenchError(f"unexpected points applied: {cases}")
    if cases["first"][0] != cases["big"][0] or cases["big_scoped"][0] > cases["first_scoped"][0]:
        raise BenchError(f"the query count depends on the ledger: {cases}")
    touched = [big.pk, capped.pk, *Member.objects.filter(
        email__in=["first@bench.example", "first-scoped@bench.example"]
    ).values_list("pk", flat=True)]  # fmt: skip
    fixed = reputation_recalculate(member_ids=touched)
    if fixed:
        raise BenchError(f"reputation_record left {fixed} cached value(s) wrong")
    n = {name: count for name, (count, _verbs, _delta) in cases.items()}
    same = n["first"] == n["big"] == n["capped"]
    return (
        f"reputation record {connection.vendor}: queries per event: first row {n['first']}, "
        f"member with {big_rows:,} rows {n['big']}, capped vote {n['capped']}"
        f"{'' if same else ' (nothing to add to the totals)'}; in a category: first row "
        f"{n['first_scoped']} (creates the score row), {big_rows:,} rows {n['big_scoped']}, "
        f"capped {n['capped_scoped']} -> "
        f"{'the same fixed number' if same else 'fixed, independent of the ledger size'}"
    )


# --- 2. the full recalculation --------------------------------------------------------


def _sum_all() -> int:
    from django.db import connection

    from community.reputation.models import ReputationEntry

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM(delta) FROM {ReputationEntry._meta.db_table}")
        return cursor.fetchone()[0]


def _grouped_sum_alone() -> None:
    """The grouped sum per (member, club, category) that any exact check of the
    per-club and per-field scores needs, computed by the database and not returned
    (HAVING matches nothing): the floor under reputation_recalculate's cost."""
    from django.db import connection

    from community.reputation.models import ReputationEntry

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {ReputationEntry._meta.db_table} "
            f"GROUP BY member_id, club_id, category_id HAVING SUM(delta) = -123456789"
        )
        cursor.fetchall()


def _drift(seeded: dict, members: int) -> int:
    """Make cached values wrong the ways a bug or a partial restore would, each in its
    own members: totals, scores with a wrong total, scores deleted, scores for a club
    the member has no rows in. Returns how many cached values are now wrong."""
    from django.db.models import F

    from community.members.models import Member
    from community.reputation.models import ReputationScore

    share = max(1, members // 200)  # 0.5% of the members for each kind
    m0 = seeded["member0"]
    pick = [m0 + members // 2 + n for n in range(4 * share)]  # mid-sized ledgers
    totals, wrong, deleted, stale = (pick[k * share : (k + 1) * share] for k in range(4))
    Member.objects.filter(pk__in=totals).update(reputation=F("reputation") + 7)
    wrong_ids = [
        ReputationScore.objects.filter(member_id=m, club__isnull=False).order_by("pk")[0].pk
        for m in wrong
    ]
    ReputationScore.objects.filter(pk__in=wrong_ids).update(total=F("total") - 3)
    deleted_ids = [
        ReputationScore.objects.filter(member_id=m, category__isnull=False)
        .exclude(total=0)
        .order_by("pk")[0]
        .pk
        for m in deleted
    ]
    ReputationScore.objects.filter(pk__in=deleted_ids).delete()
    clubs = range(seeded["club0"], seeded["club0"] + CLUBS)
    extra = []
    for m in stale:
        theirs = set(ReputationScore.objects.filter(member_id=m).values_list("club_id", flat=True))
        club_id = next(c for c in clubs if c not in theirs)
        extra.append(ReputationScore(member_id=m, club_id=club_id, total=5))
    ReputationScore.objects.bulk_create(extra)
    return 4 * share


def time_recalculation(
    *, seeded: dict, rows: int, members: int, scores: int, rounds: int
) -> list[str]:
    from django.db import connection

    from community.reputation.services import recount_workers_default, reputation_recalculate

    def recalculate(workers: int | None = None) -> None:
        fixed = reputation_recalculate(workers=workers)
        if fixed:
            raise BenchError(f"reputation_recalculate corrected {fixed} value(s) after seeding")

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    workers = recount_workers_default() if connection.vendor == "postgresql" else 1
    progress(f"timing reputation_recalculate() ({workers} connection(s)) against SUM(delta)")
    warm_sum, warm_recalculate = timed(_sum_all), timed(recalculate)  # also: 0 corrections
    progress(f"warm-up: SUM {warm_sum:.3f} s, recalculate {warm_recalculate:.3f} s")
    recalculated, summed, grouped, alone = [], [], [], []
    for round_ in range(rounds):
        recalculated.append(timed(recalculate))
        summed.append(timed(_sum_all))
        grouped.append(timed(_grouped_sum_alone))
        if workers > 1:
            alone.append(timed(lambda: recalculate(workers=1)))
        progress(
            f"round {round_ + 1}/{rounds}: recalculate {recalculated[-1]:.3f} s, "
            f"SUM {summed[-1]:.3f} s, grouped sum alone {grouped[-1]:.3f} s"
            + (f", recalculate on 1 connection {alone[-1]:.3f} s" if alone else "")
        )
    ours, baseline = statistics.median(recalculated), statistics.median(summed)
    ratio = ours / baseline
    verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
    on_one = f" (on 1 connection: {statistics.median(alone) / baseline:.1f}x)" if alone else ""
    clean = (
        f"reputation recalculate {connection.vendor}: {rows:,} rows, {members:,} members, "
        f"{scores:,} scores: reputation_recalculate() on {workers} connection(s) "
        f"{ours:.3f} s (0 corrections) vs SELECT SUM(delta) {baseline:.3f} s -> ratio "
        f"{ratio:.1f}x (goal within {GOAL_RATIO:g}x: {verdict}){on_one}; "
        f"the grouped sum per (member, club, category) alone: "
        f"{statistics.median(grouped) / baseline:.1f}x"
    )

    progress("drifting cached values, then recalculating")
    expected = _drift(seeded, members)
    start = time.perf_counter()
    fixed = reputation_recalculate()
    drift_seconds = time.perf_counter() - start
    if fixed != expected:
        raise BenchError(f"{expected} value(s) drifted, {fixed} corrected")
    if reputation_recalculate():
        raise BenchError("values still wrong after the correcting run")
    drifted = (
        f"reputation recalculate {connection.vendor} with drift: {fixed} cached values "
        f"wrong ({fixed} members: totals, wrong, deleted and extra scores) all corrected in "
        f"{drift_seconds:.3f} s -> ratio {drift_seconds / baseline:.1f}x"
    )
    return [clean, drifted]


# --- the processes --------------------------------------------------------------------


def _measure_child(*, kind: str, rows: int, members: int, rounds: int) -> int:
    import django

    django.setup()
    seeded = seed(rows=rows, members=members)
    recalculation = time_recalculation(
        seeded=seeded, rows=rows, members=members, scores=seeded["scores"], rounds=rounds
    )
    recording = count_record_queries(seeded)
    print(recording, flush=True)
    for line in recalculation:
        print(line, flush=True)
    return 0


def bench_database(kind: str, *, rows: int, members: int, rounds: int) -> None:
    started = time.perf_counter()
    database_url = fresh_database(kind, name=NAME)
    try:
        env = _env(database_url)
        progress(f"{kind}: migrate")
        _run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0", "--skip-checks"],
            env,
            "migrate",
        )
        progress(f"{kind}: migrated in {time.perf_counter() - started:.0f} s")
        args = [sys.executable, "-m", "bench.reputation", "--measure", kind]
        args += ["--rows", str(rows), "--members", str(members), "--rounds", str(rounds)]
        result = subprocess.run(args, cwd=ROOT, env=env, timeout=3600, check=False)
        if result.returncode:
            raise BenchError(f"the measuring process exited with {result.returncode}")
    finally:
        drop_database(kind, name=NAME)
        if kind == "sqlite":  # a ledger of a million rows is hundreds of MB: not kept
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{DATA / NAME}.sqlite3{suffix}").unlink(missing_ok=True)
    progress(f"{kind}: done in {time.perf_counter() - started:.0f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 10 <= args.members <= 1_000_000:
        parser.error("--members must be between 10 and 1,000,000")
    if args.rows < 10 * args.members:
        parser.error("--rows must be at least 10 per member")
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    if args.measure:
        try:
            return _measure_child(
                kind=args.measure, rows=args.rows, members=args.members, rounds=args.rounds
            )
        except BenchError as exc:
            print(f"reputation {args.measure}: FAILED: {exc}", flush=True)
            return 1
    return on_each_database(
        args.db,
        "reputation",
        lambda kind: bench_database(kind, rows=args.rows, members=args.members, rounds=args.rounds),
    )


if __name__ == "__main__":
    sys.exit(main())
