"""Writes to the reputation ledger. Services of other apps call these explicitly, in
their own transaction, after the change that earns or costs points:

- `reputation_record(member=, reason=, source=, actor=, club=, category=)` appends a row
  worth what rules.py says (after the daily vote cap and the floor of 1);
- `reputation_undo(...)` reverses what one actor's vote (or acceptance) earned;
- `reputation_content_removed` / `reputation_content_restored` for moderators' removals;
- `reputation_serial_votes_reverse` for the scheduled serial-voting job;
- `reputation_recalculate` re-sums the ledger into the cached totals.

Every write locks the member's row first, so concurrent rows for one member apply one
after the other and the floor and the cap hold."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from community.reputation import rules
from community.reputation.models import ReputationEntry, ReputationScore
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


def _scores_add(entry: ReputationEntry) -> None:
    for scope in ("club", "category"):
        scope_id = getattr(entry, f"{scope}_id")
        if scope_id is None or entry.delta == 0:
            continue
        updated = ReputationScore.objects.filter(
            member_id=entry.member_id, **{f"{scope}_id": scope_id}
        ).update(total=F("total") + entry.delta)
        if not updated:
            try:
                with transaction.atomic():
                    ReputationScore.objects.create(
                        member_id=entry.member_id, total=entry.delta, **{f"{scope}_id": scope_id}
                    )
            except IntegrityError:  # created meanwhile by another row of this member
                ReputationScore.objects.filter(
                    member_id=entry.member_id, **{f"{scope}_id": scope_id}
                ).update(total=F("total") + entry.delta)


def _append(*, member_id: int, applied: int, **fields) -> ReputationEntry:
    entry = ReputationEntry.objects.create(
        member_id=member_id, delta=applied, rule_version=rules.RULE_VERSION, **fields
    )
    if applied:
        get_user_model().objects.filter(pk=member_id).update(reputation=F("reputation") + applied)
        _scores_add(entry)
    return entry


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


def _chain_head(entry: ReputationEntry) -> tuple[ReputationEntry, int]:
    """The last row of the chain entry ← reversal ← reversal of it ..., and how many
    reversals there are (even: the first row's points are in effect)."""
    depth = 0
    while True:
        following = ReputationEntry.objects.filter(reverses=entry).first()
        if following is None:
            return entry, depth
        entry, depth = following, depth + 1


def _reverse(entry: ReputationEntry, *, reason: str, actor=None, now=None) -> ReputationEntry:
    """Append the row that cancels `entry` (the caller holds the member's lock)."""
    total = _lock_member_total(entry.member_id)
    applied = _floored(-entry.delta, total)
    return _append(
        member_id=entry.member_id,
        applied=applied,
        rule_delta=-entry.delta,
        reason=reason,
        actor=actor if actor is not None else entry.actor,
        club_id=entry.club_id,
        category_id=entry.category_id,
        source_type_id=entry.source_type_id,
        source_id=entry.source_id,
        reverses=entry,
        created_at=now or timezone.now(),
    )


def _originals(*, member_id: int, source, reasons=None, actor=None):
    rows = ReputationEntry.objects.filter(
        member_id=member_id, reverses__isnull=True, **_source_fields(source)
    )
    if reasons is not None:
        rows = rows.filter(reason__in=list(reasons))
    if actor is not None:
        rows = rows.filter(actor=actor)
    return rows.order_by("pk")


def _withdrawn_while_removed(head: ReputationEntry) -> bool:
    return (
        head.reason == Reason.UNDONE
        and head.delta == 0
        and head.reverses_id is not None
        and head.reverses.reason == Reason.CONTENT_REMOVED
    )


def _in_effect(head: ReputationEntry, depth: int) -> bool:
    return depth % 2 == 0 and not _withdrawn_while_removed(head)


def _reverse_in_effect(rows, *, reason: str, actor=None, now=None) -> int:
    """Reverse each row of `rows` whose points are still in effect; returns how many."""
    reversed_count = 0
    for original in rows:
        head, depth = _chain_head(original)
        if _in_effect(head, depth):
            _reverse(head, reason=reason, actor=actor, now=now)
            reversed_count += 1
    return reversed_count


def _withdraw_during_removal(rows, *, actor) -> None:
    """A vote withdrawn while its content is removed: its points are already gone, but
    a restoration would give them back. A zero row closes the removal's reversal so the
    restoration leaves it alone."""
    for original in rows:
        head, _depth = _chain_head(original)
        if head.reason == Reason.CONTENT_REMOVED and head.reverses_id is not None:
            _append(
                member_id=head.member_id,
                applied=0,
                rule_delta=0,
                reason=Reason.UNDONE,
                actor=actor,
                club_id=head.club_id,
                category_id=head.category_id,
                source_type_id=head.source_type_id,
                source_id=head.source_id,
                reverses=head,
                created_at=timezone.now(),
            )


def reputation_undo(*, member, source, actor, reasons: Iterable[str]) -> int:
    """`actor` withdrew their vote (or acceptance) on `member`'s `source`: reverse what
    it earned. Returns how many rows were reversed (0 if it earned nothing)."""
    if member is None or actor is None or actor.pk == member.pk:
        return 0
    with transaction.atomic():
        _lock_member_total(member.pk)
        rows = list(_originals(member_id=member.pk, source=source, reasons=reasons, actor=actor))
        _withdraw_during_removal(rows, actor=actor)
        return _reverse_in_effect(rows, reason=Reason.UNDONE, actor=actor)


def reputation_content_removed(*, content, author, moderator, club=None, category=None) -> None:
    """A moderator removed `content`: everything it earned its author is reversed and
    the removal costs rules.CONTENT_REMOVED_PENALTY. Restoring undoes both."""
    if author is None:
        return
    with transaction.atomic():
        total = _lock_member_total(author.pk)
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
    content's points back)."""
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
        for row in removal_rows:
            _reverse(row, reason=Reason.CONTENT_RESTORED, actor=moderator)


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


def reputation_recalculate(
    *,
    member_ids: Iterable[int] | None = None,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-sum the ledger into Member.reputation and ReputationScore, in batches of
    members; returns how many cached values were wrong (and are now right). They
    should never be: a non-zero result is a bug to report."""
    Member = get_user_model()
    ids = (
        sorted(member_ids)
        if member_ids is not None
        else list(Member.objects.order_by("pk").values_list("pk", flat=True))
    )
    fixed = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        # A whole pass walks contiguous pk ranges (an index range scan); a given list
        # of members is matched as it is.
        if member_ids is None:
            members = {"pk__gte": batch[0], "pk__lte": batch[-1]}
        else:
            members = {"pk__in": batch}
        with transaction.atomic():
            fixed += _recalculate_batch(Member, members)
        if progress is not None:
            progress(len(batch))
    return fixed


def _recalculate_batch(Member, members: dict) -> int:
    """Lock the members first (every writer takes the same lock before appending a
    row), then one grouped sum per (member, club, category) gives the member totals and
    both kinds of scope totals."""
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
        Member(pk=pk, reputation=rules.STARTING_POINTS + totals.get(pk, 0))
        for pk, reputation in cached.items()
        if reputation != rules.STARTING_POINTS + totals.get(pk, 0)
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
