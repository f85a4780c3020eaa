"""Writes to the reputation ledger. Services of other apps call these explicitly, in
their own transaction, after the change that earns or costs points:

- `reputation_record(member=, reason=, source=, actor=, club=, category=)` appends a row
  worth what rules.py says (after the daily vote cap and the floor of 1);
- `reputation_undo(...)` reverses what one actor's vote (or acceptance) earned;
- `reputation_content_removed` / `reputation_content_restored` for moderators' removals;
- `reputation_serial_votes_reverse` for the scheduled serial-voting job;
- `reputation_recalculate` checks the cached totals against the ledger and corrects
  the members that drifted;
- `reputation_history_load` / `member_visits_load` load past events and visits in bulk
  (demo data, imports) under the same rules.

Every write locks the member's row first, so concurrent rows for one member apply one
after the other and the floor and the cap hold."""

import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from community.reputation import rules
from community.reputation.models import MemberVisit, ReputationEntry, ReputationScore
from community.reputation.rules import Reason


def _source_fields(source) -> dict:
    if source is None:
        return {"source_type": None, "source_id": None}
    return {
        "source_type": ContentType.objects.get_for_model(source),
        "source_id": source.pk,
    }


def _lock_member_total(member_id: int) -> int:
    return (
        get_user_model()
        .objects.select_for_update()
        .values_list("reputation", flat=True)
        .get(pk=member_id)
    )


def _vote_gains_today(member_id: int, now: datetime) -> int:
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    gained = ReputationEntry.objects.filter(
        member_id=member_id,
        reason__in=rules.VOTE_REASONS,
        reverses__isnull=True,
        delta__gt=0,
        created_at__gte=start,
        created_at__lte=now,
    ).aggregate(total=Sum("delta"))["total"]
    return gained or 0


def _scope_deltas(entries: Iterable[ReputationEntry]) -> dict[tuple[str, int], int]:
    """What `entries` add to each of their member's club and field scores."""
    deltas: dict[tuple[str, int], int] = defaultdict(int)
    for entry in entries:
        for scope in ("club", "category"):
            scope_id = getattr(entry, f"{scope}_id")
            if scope_id is not None and entry.delta:
                deltas[(scope, scope_id)] += entry.delta
    return deltas


def _scores_add(member_id: int, deltas: dict[tuple[str, int], int]) -> None:
    """Add to the member's scores with F(), one UPDATE per scope (creating the score on
    its first points); the caller holds the member's lock."""
    for (scope, scope_id), delta in deltas.items():
        if not delta:
            continue
        updated = ReputationScore.objects.filter(
            member_id=member_id, **{f"{scope}_id": scope_id}
        ).update(total=F("total") + delta)
        if not updated:
            try:
                with transaction.atomic():
                    ReputationScore.objects.create(
                        member_id=member_id, total=delta, **{f"{scope}_id": scope_id}
                    )
            except IntegrityError:  # created meanwhile by another row of this member
                ReputationScore.objects.filter(
                    member_id=member_id, **{f"{scope}_id": scope_id}
                ).update(total=F("total") + delta)


def _append(*, member_id: int, applied: int, **fields) -> ReputationEntry:
    entry = ReputationEntry.objects.create(
        member_id=member_id, delta=applied, rule_version=rules.RULE_VERSION, **fields
    )
    if applied:
        get_user_model().objects.filter(pk=member_id).update(reputation=F("reputation") + applied)
        _scores_add(member_id, _scope_deltas([entry]))
    return entry


def _append_all(member_id: int, entries: list[ReputationEntry]) -> list[ReputationEntry]:
    """Append several rows of one member (whose lock the caller holds) in one INSERT,
    then add what they apply to the total and the scores: a fixed number of queries
    however many rows."""
    if not entries:
        return []
    created = ReputationEntry.objects.bulk_create(entries)
    applied = sum(entry.delta for entry in created)
    if applied:
        get_user_model().objects.filter(pk=member_id).update(reputation=F("reputation") + applied)
    _scores_add(member_id, _scope_deltas(created))
    return created


def _floored(delta: int, total: int) -> int:
    """A loss never takes the total below the floor."""
    if delta < 0:
        return max(delta, rules.FLOOR - total)
    return delta


def reputation_record(
    *,
    member,
    reason: str,
    source=None,
    actor=None,
    club=None,
    category=None,
    points: int | None = None,
    now: datetime | None = None,
) -> ReputationEntry | None:
    """Append what `reason` is worth to `member` (rules.POINTS, or `points` for reasons
    whose value rules.py computes, e.g. review_helpful_points). Nothing for a member
    acting on their own content (no self-votes anywhere) or an anonymous one."""
    if member is None or getattr(member, "pk", None) is None:
        return None
    if actor is not None and actor.pk == member.pk:
        return None
    rule_delta = rules.points_for(reason) if points is None else points
    now = now or timezone.now()
    with transaction.atomic():
        total = _lock_member_total(member.pk)
        applied = rule_delta
        if reason in rules.VOTE_REASONS and applied > 0:
            room = max(0, rules.DAILY_VOTE_CAP - _vote_gains_today(member.pk, now))
            applied = min(applied, room)
        applied = _floored(applied, total)
        return _append(
            member_id=member.pk,
            applied=applied,
            rule_delta=rule_delta,
            reason=reason,
            actor=actor,
            club=club,
            category=category,
            created_at=now,
            **_source_fields(source),
        )


# --- reversals: chains read and rows written in bulk ------------------------------------
#
# A row is reversed at most once (`reverses` is one-to-one) and a reversal can itself be
# reversed (a restored removal), so each earning row heads a chain: the row, its
# reversal, the reversal of that ... Its points are in effect when the chain has an even
# number of reversals. Every row of a chain has the first row's member and source (a
# reversal copies them), so the chains of any number of rows about some content are
# read in ONE query and walked in memory, and the reversals are appended in one INSERT:
# removing content with thousands of votes costs the same few queries as with one.


class _Chains:
    """The reversal chains of `originals` (rows of one member)."""

    def __init__(self, originals: list[ReputationEntry]):
        self.rows: dict[int, ReputationEntry] = {row.pk: row for row in originals}
        self.following: dict[int, ReputationEntry] = {}
        for row in _reversals_about(originals):
            self.add(row)

    def add(self, row: ReputationEntry) -> None:
        self.rows[row.pk] = row
        self.following[row.reverses_id] = row

    def head(self, entry: ReputationEntry) -> tuple[ReputationEntry, int]:
        """The last row of entry's chain and how many reversals there are."""
        depth = 0
        while (following := self.following.get(entry.pk)) is not None:
            entry, depth = following, depth + 1
        return entry, depth

    def withdrawn_while_removed(self, head: ReputationEntry) -> bool:
        """The zero row that closes a removal's reversal when the vote is withdrawn
        while the content is removed (see reputation_undo)."""
        reversed_row = self.rows.get(head.reverses_id) if head.reverses_id else None
        return (
            head.reason == Reason.UNDONE
            and head.delta == 0
            and reversed_row is not None
            and reversed_row.reason == Reason.CONTENT_REMOVED
        )

    def in_effect(self, head: ReputationEntry, depth: int) -> bool:
        return depth % 2 == 0 and not self.withdrawn_while_removed(head)


def _reversals_about(originals: list[ReputationEntry]):
    """The reversal rows of the originals' members about the originals' sources: a
    superset of their chains' rows, in one query."""
    if not originals:
        return ReputationEntry.objects.none()
    sources: dict[int | None, set[int | None]] = defaultdict(set)
    for row in originals:
        sources[row.source_type_id].add(row.source_id)
    about = Q()
    for type_id, source_ids in sources.items():
        if type_id is None:
            about |= Q(source_type__isnull=True)
        else:
            about |= Q(source_type_id=type_id, source_id__in=sorted(source_ids - {None}))
    return ReputationEntry.objects.filter(
        about,
        member_id__in={row.member_id for row in originals},
        reverses__isnull=False,
    ).order_by("pk")


def _reversal_of(
    head: ReputationEntry, *, delta: int, rule_delta: int, reason: str, actor_id, now
) -> ReputationEntry:
    """An unsaved row reversing `head`: same member, source and scopes."""
    return ReputationEntry(
        member_id=head.member_id,
        delta=delta,
        rule_delta=rule_delta,
        reason=reason,
        actor_id=actor_id,
        club_id=head.club_id,
        category_id=head.category_id,
        source_type_id=head.source_type_id,
        source_id=head.source_id,
        reverses=head,
        rule_version=rules.RULE_VERSION,
        created_at=now,
    )


def _reverse_all(
    heads: list[ReputationEntry], *, reason: str, actor=None, now=None
) -> list[ReputationEntry]:
    """Append the rows cancelling `heads`, in their order, one member after the other
    (the caller holds the members' locks). Each loss is floored on the total left by
    the rows before it, as if they were appended one by one."""
    now = now or timezone.now()
    by_member: dict[int, list[ReputationEntry]] = defaultdict(list)
    for head in heads:
        by_member[head.member_id].append(head)
    appended = []
    for member_id, rows in by_member.items():
        total = _lock_member_total(member_id)
        reversals = []
        for head in rows:
            applied = _floored(-head.delta, total)
            total += applied
            reversals.append(
                _reversal_of(
                    head,
                    delta=applied,
                    rule_delta=-head.delta,
                    reason=reason,
                    actor_id=actor.pk if actor is not None else head.actor_id,
                    now=now,
                )
            )
        appended += _append_all(member_id, reversals)
    return appended


def _originals(*, member_id: int, source, reasons=None, actor=None):
    rows = ReputationEntry.objects.filter(
        member_id=member_id, reverses__isnull=True, **_source_fields(source)
    )
    if reasons is not None:
        rows = rows.filter(reason__in=list(reasons))
    if actor is not None:
        rows = rows.filter(actor=actor)
    return rows.order_by("pk")


def _reverse_in_effect(rows, *, reason: str, actor=None, now=None, chains=None) -> int:
    """Reverse each row of `rows` whose points are still in effect; returns how many."""
    rows = list(rows)
    chains = chains if chains is not None else _Chains(rows)
    heads = []
    for original in rows:
        head, depth = chains.head(original)
        if chains.in_effect(head, depth):
            heads.append(head)
    _reverse_all(heads, reason=reason, actor=actor, now=now)
    return len(heads)


def _withdraw_during_removal(rows, *, chains: _Chains, actor) -> None:
    """A vote withdrawn while its content is removed: its points are already gone, but
    a restoration would give them back. A zero row closes the removal's reversal so the
    restoration leaves it alone."""
    closing: dict[int, list[ReputationEntry]] = defaultdict(list)
    now = timezone.now()
    for original in rows:
        head, _depth = chains.head(original)
        if head.reason == Reason.CONTENT_REMOVED and head.reverses_id is not None:
            closing[head.member_id].append(
                _reversal_of(
                    head,
                    delta=0,
                    rule_delta=0,
                    reason=Reason.UNDONE,
                    actor_id=actor.pk if actor is not None else None,
                    now=now,
                )
            )
    for member_id, entries in closing.items():
        for row in _append_all(member_id, entries):
            chains.add(row)


def reputation_undo(*, member, source, actor, reasons: Iterable[str]) -> int:
    """`actor` withdrew their vote (or acceptance) on `member`'s `source`: reverse what
    it earned. Returns how many rows were reversed (0 if it earned nothing)."""
    if member is None or actor is None or actor.pk == member.pk:
        return 0
    with transaction.atomic():
        _lock_member_total(member.pk)
        rows = list(_originals(member_id=member.pk, source=source, reasons=reasons, actor=actor))
        chains = _Chains(rows)
        _withdraw_during_removal(rows, chains=chains, actor=actor)
        return _reverse_in_effect(rows, reason=Reason.UNDONE, actor=actor, chains=chains)


def reputation_content_removed(*, content, author, moderator, club=None, category=None) -> None:
    """A moderator removed `content`: everything it earned its author is reversed and
    the removal costs rules.CONTENT_REMOVED_PENALTY. Restoring undoes both. A fixed
    number of queries, however many votes the content had."""
    if author is None:
        return
    with transaction.atomic():
        _lock_member_total(author.pk)
        earned = _originals(member_id=author.pk, source=content).exclude(
            reason__in=rules.REVERSAL_REASONS
        )
        _reverse_in_effect(earned, reason=Reason.CONTENT_REMOVED, actor=moderator)
        total = _lock_member_total(author.pk)
        _append(
            member_id=author.pk,
            applied=_floored(rules.CONTENT_REMOVED_PENALTY, total),
            rule_delta=rules.CONTENT_REMOVED_PENALTY,
            reason=Reason.CONTENT_REMOVED,
            actor=moderator,
            club=club,
            category=category,
            created_at=timezone.now(),
            **_source_fields(content),
        )


def reputation_content_restored(*, content, author, moderator) -> None:
    """Undo a removal: reverse the penalty and the removal's reversals (which gives the
    content's points back), in a fixed number of queries."""
    if author is None:
        return
    with transaction.atomic():
        _lock_member_total(author.pk)
        removal_rows = ReputationEntry.objects.filter(
            member_id=author.pk,
            reason=Reason.CONTENT_REMOVED,
            reversed_by__isnull=True,
            **_source_fields(content),
        ).order_by("pk")
        _reverse_all(list(removal_rows), reason=Reason.CONTENT_RESTORED, actor=moderator)


def reputation_serial_votes_reverse(*, now: datetime | None = None) -> int:
    """The scheduled job: a voter whose votes on one author's content within
    rules.SERIAL_WINDOW_HOURS reach rules.SERIAL_VOTES has all of those votes' points
    reversed ("serial voting"). Every vote in the window counts, reversed or not, so
    withdrawing and re-casting after a run does not escape the next one. Returns how
    many rows were reversed."""
    now = now or timezone.now()
    since = now - timedelta(hours=rules.SERIAL_WINDOW_HOURS)
    in_window = ReputationEntry.objects.filter(
        reason__in=rules.SERIAL_REASONS,
        reverses__isnull=True,
        actor__isnull=False,
        created_at__gte=since,
        created_at__lte=now,
    )
    pairs = (
        in_window.values("actor_id", "member_id")
        .annotate(votes=Count("pk"))
        .filter(votes__gte=rules.SERIAL_VOTES)
        .order_by("member_id", "actor_id")
    )
    reversed_count = 0
    for pair in pairs:
        with transaction.atomic():
            _lock_member_total(pair["member_id"])
            rows = in_window.filter(actor_id=pair["actor_id"], member_id=pair["member_id"])
            reversed_count += _reverse_in_effect(
                rows.order_by("pk"), reason=Reason.SERIAL_VOTING, actor=None, now=now
            )
    return reversed_count


def reputation_content_deleted(*, content, author) -> int:
    """The author deleted their own content: what it earned goes with it (no penalty:
    deleting is their right), so deleting junk before a moderator sees it never keeps
    its points. Returns how many rows were reversed."""
    if author is None:
        return 0
    with transaction.atomic():
        _lock_member_total(author.pk)
        earned = _originals(member_id=author.pk, source=content).exclude(
            reason__in=rules.REVERSAL_REASONS
        )
        return _reverse_in_effect(earned, reason=Reason.CONTENT_DELETED, actor=author)


def reputation_lock_members(*members) -> None:
    """Lock several members' rows (members or ids) in one order, by pk, for a write that
    records points for more than one member: two such writes taking the locks in
    opposite orders would deadlock."""
    ids = sorted({getattr(member, "pk", member) for member in members if member is not None})
    if ids:
        list(get_user_model().objects.select_for_update().filter(pk__in=ids).order_by("pk"))


# --- loading history in bulk (demo data, imports) ---------------------------------------


@dataclass(frozen=True)
class PastEvent:
    """Something that earned (or cost) a member points in the past, as
    reputation_record would be told it: for reputation_history_load."""

    member_id: int
    reason: str
    created_at: datetime
    points: int | None = None  # None: what rules.POINTS says
    source_type_id: int | None = None
    source_id: int | None = None
    actor_id: int | None = None
    club_id: int | None = None
    category_id: int | None = None


def _utc_day(moment: datetime):
    return moment.astimezone(UTC).date()


def reputation_history_load(*, events: Iterable[PastEvent], batch_size: int = 500) -> int:
    """Append past events in bulk (demo data, an import of history) as reputation_record
    would have appended them one by one: nothing for an actor on their own content, the
    rule's points (or `points`), the daily vote cap counted with what the member already
    has on that UTC day, and the floor on the running total, in time order per member
    after the rows they already have. An event already in the ledger (same member,
    reason, source, actor and time, not a reversal) is skipped, so a load can be run
    again. Members are locked in pk order, batch by batch, the rows written in one INSERT
    per batch and the members' cached totals re-summed under the same locks. Returns how
    many rows were appended."""
    by_member: dict[int, list[PastEvent]] = defaultdict(list)
    for event in events:
        if event.actor_id is None or event.actor_id != event.member_id:
            by_member[event.member_id].append(event)
    Member = get_user_model()
    member_ids = sorted(by_member)
    appended = 0
    for start in range(0, len(member_ids), batch_size):
        chunk = member_ids[start : start + batch_size]
        with transaction.atomic():
            appended += _history_load_batch(Member, {m: by_member[m] for m in chunk})
    return appended


def _history_load_batch(Member, by_member: dict[int, list[PastEvent]]) -> int:
    totals = dict(
        Member.objects.select_for_update()
        .filter(pk__in=list(by_member))
        .order_by("pk")
        .values_list("pk", "reputation")
    )
    moments = [event.created_at for events in by_member.values() for event in events]
    first_day = datetime.combine(_utc_day(min(moments)), datetime.min.time(), tzinfo=UTC)
    after_last_day = datetime.combine(
        _utc_day(max(moments)) + timedelta(days=1), datetime.min.time(), tzinfo=UTC
    )
    originals = ReputationEntry.objects.filter(
        member_id__in=list(totals),
        reverses__isnull=True,
        created_at__gte=first_day,
        created_at__lt=after_last_day,
    )
    known = set(
        originals.values_list(
            "member_id", "reason", "source_type_id", "source_id", "actor_id", "created_at"
        )
    )
    gains: dict[tuple[int, object], int] = defaultdict(int)
    vote_gains = originals.filter(reason__in=rules.VOTE_REASONS, delta__gt=0)
    for member_id, created_at, delta in vote_gains.values_list("member_id", "created_at", "delta"):
        gains[(member_id, _utc_day(created_at))] += delta
    rows = []
    for member_id, total in totals.items():
        for event in sorted(by_member[member_id], key=lambda event: event.created_at):
            key = (
                member_id,
                event.reason,
                event.source_type_id,
                event.source_id,
                event.actor_id,
                event.created_at,
            )
            if key in known:
                continue
            known.add(key)
            rule_delta = rules.points_for(event.reason) if event.points is None else event.points
            applied = rule_delta
            if event.reason in rules.VOTE_REASONS and applied > 0:
                day = (member_id, _utc_day(event.created_at))
                applied = min(applied, max(0, rules.DAILY_VOTE_CAP - gains[day]))
                gains[day] += applied
            applied = _floored(applied, total)
            total += applied
            rows.append(
                ReputationEntry(
                    member_id=member_id,
                    delta=applied,
                    rule_delta=rule_delta,
                    reason=event.reason,
                    source_type_id=event.source_type_id,
                    source_id=event.source_id,
                    actor_id=event.actor_id,
                    club_id=event.club_id,
                    category_id=event.category_id,
                    rule_version=rules.RULE_VERSION,
                    created_at=event.created_at,
                )
            )
    if rows:
        ReputationEntry.objects.bulk_create(rows, batch_size=1000)
        _recalculate_batch(Member, {"pk__in": sorted({row.member_id for row in rows})})
    return len(rows)


def member_visits_load(*, visits: Iterable[tuple[int, date, int]]) -> None:
    """Record past days a member was signed in (demo data, an import): (member id, UTC
    day, items read that day). A day already recorded is kept as it is."""
    MemberVisit.objects.bulk_create(
        [MemberVisit(member_id=m, day=day, items_read=read) for m, day, read in visits],
        batch_size=1000,
        ignore_conflicts=True,
    )


# --- the recount ----------------------------------------------------------------------
#
# What a full recount guarantees: every cached value ends equal to the ledger, whatever
# drifted (a total is max(FLOOR, STARTING_POINTS + the sum of the member's rows), which
# is 1 + the sum for any ledger the services wrote, since they floor each loss; a club or
# field score is the sum of its rows, a missing score is created, a score without rows
# goes to 0), and a value is only written under its member's lock, so a concurrent
# reputation_record's F() update is never overwritten.
#
# It reads everything once and writes only what is wrong, batch by batch of members:
# 1. check, read-only, in one snapshot per batch: one query (_CHECK_*) groups the
#    batch's rows per (member, club, category) (an index-only scan of
#    reputation_entry_sums_idx, in its order), compares each group with its score and
#    each member's sum with the cached total inside the database, and returns only the
#    members that disagree. Nothing per row or per group crosses to Python;
# 2. fix: the flagged members are locked and re-summed (_recalculate_batch), which
#    corrects them from what is true under the lock (a member whose row arrived between
#    the check and the lock is simply found right).
# A whole pass walks contiguous pk ranges (index range scans); a given list of members is
# matched as it is. On PostgreSQL the batches of a whole pass are checked by several
# connections at once (one server process each, as PostgreSQL's own parallel SUM uses);
# SQLite gains nothing from threads (its page cache is shared under one mutex), so it
# checks them one after the other.

# The check of one batch, in the shape each engine runs best: PostgreSQL hash-joins
# the batch's groups with its scores and aggregates per member; SQLite walks the members
# and, for each, groups their rows (a seek into reputation_entry_sums_idx, in its order)
# and probes each group's score in the covering reputation_score_check. Both compute,
# per member: `total` (the sum of their rows), `bad` (single-scope groups whose score is
# missing or different, plus any group counting in a club and a field at once: its
# scores are sums over several groups, so the locked re-sum decides), `scored` (the
# non-zero scope groups) and `kept` (the non-zero scores). With bad = 0 every non-zero
# group has its own equal score, so scored = kept leaves no other non-zero score: the
# check is exact. {members} is the batch's condition on a member id.
_GROUP_IS_BAD = """CASE
    WHEN g.s = 0 OR (g.club_id IS NULL AND g.category_id IS NULL) THEN 0
    WHEN g.club_id IS NOT NULL AND g.category_id IS NOT NULL THEN 1
    WHEN g.s = {score} THEN 0
    ELSE 1 END"""
_GROUP_IS_SCORED = """CASE
    WHEN g.s <> 0 AND (g.club_id IS NOT NULL OR g.category_id IS NOT NULL) THEN 1
    ELSE 0 END"""
_WRONG_TOTAL = """m.reputation <> CASE
    WHEN %(start)s + {total} < %(floor)s THEN %(floor)s ELSE %(start)s + {total} END"""

_CHECK_POSTGRESQL = f"""
WITH groups AS (
    SELECT member_id, club_id, category_id, SUM(delta) AS s
    FROM {{entries}} WHERE member_id {{members}}
    GROUP BY member_id, club_id, category_id
), per_member AS (
    SELECT g.member_id, CAST(SUM(g.s) AS BIGINT) AS total,
        SUM({_GROUP_IS_BAD.format(score="sc.total")}) AS bad,
        SUM({_GROUP_IS_SCORED}) AS scored
    FROM groups AS g
    LEFT JOIN (SELECT * FROM {{scores}} WHERE member_id {{members}}) AS sc
        -- COALESCE to 0 (ids start at 1) can be hashed, IS NOT DISTINCT FROM cannot.
        ON sc.member_id = g.member_id
        AND COALESCE(sc.club_id, 0) = COALESCE(g.club_id, 0)
        AND COALESCE(sc.category_id, 0) = COALESCE(g.category_id, 0)
    GROUP BY g.member_id
), kept AS (
    SELECT member_id, COUNT(*) AS n FROM {{scores}}
    WHERE member_id {{members}} AND total <> 0 GROUP BY member_id
)
SELECT m.id FROM {{member_table}} AS m
LEFT JOIN per_member AS p ON p.member_id = m.id
LEFT JOIN kept AS k ON k.member_id = m.id
WHERE m.id {{members}} AND (
    {_WRONG_TOTAL.format(total="COALESCE(p.total, 0)")}
    OR COALESCE(p.bad, 0) > 0
    OR COALESCE(p.scored, 0) <> COALESCE(k.n, 0))
"""

# IS matches NULL to NULL, and SQLite seeks an index with it as with =.
_SQLITE_SCORE_OF_GROUP = """(
    SELECT sc.total FROM {scores} AS sc WHERE sc.member_id = m.id
    AND sc.club_id IS g.club_id AND sc.category_id IS g.category_id)"""

_CHECK_SQLITE = f"""
SELECT m.id FROM {{member_table}} AS m WHERE m.id {{members}} AND (
    SELECT {_WRONG_TOTAL.format(total="COALESCE(SUM(g.s), 0)")}
        OR COALESCE(SUM({_GROUP_IS_BAD.format(score=_SQLITE_SCORE_OF_GROUP)}), 0) > 0
        OR COALESCE(SUM({_GROUP_IS_SCORED}), 0) <> (
            SELECT COUNT(*) FROM {{scores}} AS sc WHERE sc.member_id = m.id AND sc.total <> 0)
    FROM (
        SELECT club_id, category_id, SUM(delta) AS s FROM {{entries}}
        WHERE member_id = m.id GROUP BY club_id, category_id
    ) AS g
)
"""


def _expected_total(ledger_sum: int) -> int:
    return max(rules.FLOOR, rules.STARTING_POINTS + ledger_sum)


def _check_sql(members: dict) -> tuple[str, dict]:
    """The check's SQL for a batch (`members`: pk__gte/pk__lte or pk__in) and its
    params (named: the batch's condition appears more than once)."""
    quote = connection.ops.quote_name
    params = {"start": rules.STARTING_POINTS, "floor": rules.FLOOR}
    if "pk__in" in members:
        ids = list(members["pk__in"])
        params.update((f"id{n}", pk) for n, pk in enumerate(ids))
        where = "IN (" + ", ".join(f"%(id{n})s" for n in range(len(ids))) + ")"
    else:
        params.update(first=members["pk__gte"], last=members["pk__lte"])
        where = "BETWEEN %(first)s AND %(last)s"
    template = _CHECK_POSTGRESQL if connection.vendor == "postgresql" else _CHECK_SQLITE
    sql = template.format(
        entries=quote(ReputationEntry._meta.db_table),
        scores=quote(ReputationScore._meta.db_table),
        member_table=quote(get_user_model()._meta.db_table),
        members=where,
    )
    return sql, params


def _drifted(members: dict) -> set[int]:
    """The members (`members`: pk__gte/pk__lte or pk__in) whose total or scores disagree
    with their ledger rows, without locking any member: one statement, so one snapshot
    (and on SQLite no write lock, which a transaction would take)."""
    sql, params = _check_sql(members)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {member_id for (member_id,) in cursor.fetchall()}


def _drifted_in_all(
    batches: list[tuple[dict, int]], *, workers: int, progress: Callable[[int], None] | None
) -> set[int]:
    """_drifted of every batch, by this thread (its connection is warm) and workers - 1
    helper threads pulling batches from one queue. Django gives each helper its own
    connection, closed when it is done so that none is left behind."""
    pending = iter(batches)
    lock = threading.Lock()
    failed = threading.Event()  # one thread's error stops the others taking batches
    flagged: set[int] = set()

    def check_until_done() -> None:
        while not failed.is_set():
            with lock:
                batch = next(pending, None)
            if batch is None:
                return
            members, size = batch
            try:
                found = _drifted(members)
            except BaseException:
                failed.set()
                raise
            with lock:
                flagged.update(found)
                if progress is not None:
                    progress(size)

    def helper() -> None:
        try:
            check_until_done()
        finally:
            connection.close()

    with ThreadPoolExecutor(workers - 1, thread_name_prefix="recount") as pool:
        helpers = [pool.submit(helper) for _ in range(workers - 1)]
        try:
            check_until_done()
        finally:
            for done in helpers:
                done.result()  # re-raises a helper's error here
    return flagged


def recount_workers_default() -> int:
    """How many connections check batches at once: one per CPU, up to 4."""
    return max(1, min(4, os.cpu_count() or 1))


def reputation_recalculate(
    *,
    member_ids: Iterable[int] | None = None,
    batch_size: int = 2000,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-sum the ledger into Member.reputation and ReputationScore: check every
    member's cached values against their rows, then lock and correct the members that
    disagree. Returns how many cached values were wrong (and are now right). They
    should never be: a non-zero result is a bug to report.

    On PostgreSQL `workers` connections check batches at once (default:
    recount_workers_default()). The check runs on this connection alone on SQLite and
    inside a transaction, whose rows other connections could not see."""
    Member = get_user_model()
    ids = (
        sorted(set(member_ids))
        if member_ids is not None
        else list(Member.objects.order_by("pk").values_list("pk", flat=True))
    )
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        workers = 1
    elif workers is None:
        workers = recount_workers_default()
    if workers > 1:  # at least 4 batches per connection, so that they finish together
        batch_size = max(1, min(batch_size, -(-len(ids) // (4 * workers))))
    batches = []
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        if member_ids is None:
            batches.append(({"pk__gte": batch[0], "pk__lte": batch[-1]}, len(batch)))
        else:
            batches.append(({"pk__in": batch}, len(batch)))
    if min(workers, len(batches)) <= 1:
        flagged = set()
        for members, size in batches:
            flagged |= _drifted(members)
            if progress is not None:
                progress(size)
    else:
        flagged = _drifted_in_all(batches, workers=min(workers, len(batches)), progress=progress)
    fixed = 0
    ordered = sorted(flagged)
    for start in range(0, len(ordered), batch_size):
        with transaction.atomic():
            fixed += _recalculate_batch(Member, {"pk__in": ordered[start : start + batch_size]})
    return fixed


def _recalculate_batch(Member, members: dict) -> int:
    """Lock the members first (every writer takes the same lock before appending a
    row), then one grouped sum per (member, club, category) gives the member totals and
    both kinds of scope totals; write what differs."""
    by_member = {key.replace("pk__", "member_id__", 1): value for key, value in members.items()}
    cached = dict(
        Member.objects.select_for_update().filter(**members).values_list("pk", "reputation")
    )
    rows = (
        ReputationEntry.objects.filter(**by_member)
        .values_list("member_id", "club_id", "category_id")
        .annotate(total=Sum("delta"))
        .order_by()
    )
    totals: dict[int, int] = defaultdict(int)
    scope_sums: dict[tuple[str, int, int], int] = defaultdict(int)
    for member_id, club_id, category_id, total in rows:
        totals[member_id] += total
        if club_id is not None:
            scope_sums[("club", member_id, club_id)] += total
        if category_id is not None:
            scope_sums[("category", member_id, category_id)] += total
    wrong = [
        Member(pk=pk, reputation=_expected_total(totals.get(pk, 0)))
        for pk, reputation in cached.items()
        if reputation != _expected_total(totals.get(pk, 0))
    ]
    if wrong:
        Member.objects.bulk_update(wrong, ["reputation"])

    existing = {}
    scores = ReputationScore.objects.filter(**by_member).values_list(
        "pk", "member_id", "club_id", "category_id", "total"
    )
    for pk, member_id, club_id, category_id, total in scores:
        key = ("club", member_id, club_id) if club_id else ("category", member_id, category_id)
        existing[key] = (pk, total)
    to_update, to_create = [], []
    for key, total in scope_sums.items():
        found = existing.pop(key, None)
        if found is None:
            if total:
                scope, member_id, scope_id = key
                to_create.append(
                    ReputationScore(member_id=member_id, total=total, **{f"{scope}_id": scope_id})
                )
        elif found[1] != total:
            to_update.append(ReputationScore(pk=found[0], total=total))
    stale = [pk for pk, total in existing.values() if total != 0]
    if to_update:
        ReputationScore.objects.bulk_update(to_update, ["total"])
    if to_create:
        ReputationScore.objects.bulk_create(to_create)
    if stale:
        ReputationScore.objects.filter(pk__in=stale).update(total=0)
    return len(wrong) + len(to_update) + len(to_create) + len(stale)
