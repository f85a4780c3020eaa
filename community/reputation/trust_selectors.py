"""Reads for trust levels: what a member has done, counted the way rules.py's level
requirements need it, and their progress toward the next level."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.utils import timezone

from community.reputation import rules
from community.reputation.models import MemberVisit, ReputationEntry
from community.reputation.rules import Reason, Stat, TrustLevel

# Votes of others that say "this helped": the down vote is not one.
HELPFUL_REASONS = frozenset(rules.VOTE_REASONS - {Reason.ANSWER_DOWNVOTED})


def _window_start(now: datetime) -> datetime:
    return now - timedelta(days=rules.REGULAR_WINDOW_DAYS)


def _visit_stats(member, since, created) -> dict[str, int]:
    visits = MemberVisit.objects.filter(member=member)
    if since is not None:
        visits = visits.filter(day__gte=since.date())
    totals = visits.aggregate(days=Count("pk"), read=Sum("items_read"))
    return {Stat.DAYS_VISITED: totals["days"] or 0, Stat.ITEMS_READ: totals["read"] or 0}


# An original row whose points are in effect: never reversed, or reversed and that
# reversal reversed again (content hidden by a moderator, then restored). Longer chains
# (a vote undone while removed, then restored) are rare enough to count as reversed.
_KEPT = Q(reverses__isnull=True) & (
    Q(reversed_by__isnull=True) | Q(reversed_by__reversed_by__isnull=False)
)


def _received_stats(member, since, created) -> dict[str, int]:
    when = Q(created_at__gte=since) if since is not None else Q()
    totals = (
        ReputationEntry.objects.filter(member=member)
        .filter(when)
        .aggregate(
            helpful=Count("pk", filter=_KEPT & Q(reason__in=HELPFUL_REASONS, rule_delta__gt=0)),
            removed=Count("pk", filter=_KEPT & Q(reason=Reason.CONTENT_REMOVED)),
        )
    )
    return {Stat.HELPFUL_RECEIVED: totals["helpful"], Stat.CONTENT_REMOVED: totals["removed"]}


def _given_stats(member, since, created) -> dict[str, int]:
    given = ReputationEntry.objects.filter(
        _KEPT, actor=member, reason__in=HELPFUL_REASONS, rule_delta__gt=0, **created
    ).exclude(member=member)
    return {Stat.HELPFUL_GIVEN: given.count()}


def _contribution_stats(member, since, created) -> dict[str, int]:
    review_model = apps.get_model("reviews", "Review")
    post_model = apps.get_model("brand_clubs", "ClubPost")
    answer_model = apps.get_model("experts", "Answer")
    written = (
        review_model.objects.filter(author=member, status="published", **created).count()
        + post_model.objects.filter(author=member, status="published", **created).count()
        + answer_model.objects.filter(author=member, is_hidden=False, **created).count()
    )
    return {Stat.CONTRIBUTIONS: written}


def _flag_stats(member, since, created) -> dict[str, int]:
    agreed = apps.get_model("reviews", "ReviewFlag").objects.filter(
        reporter=member, resolved_at__isnull=False, review__status="hidden", **created
    )
    return {Stat.FLAGS_AGREED: agreed.count()}


def _suspension_stats(member, since, created) -> dict[str, int]:
    bans = apps.get_model("brand_clubs", "ClubAuditEntry").objects.filter(
        target_member=member, action="ban", **created
    )
    return {Stat.SUSPENSIONS: bans.count()}


# Each counter and the stats it yields: only the counters a level's requirements need
# are run (Basic needs one query, not eight).
_COUNTERS = {
    Stat.DAYS_VISITED: _visit_stats,
    Stat.ITEMS_READ: _visit_stats,
    Stat.HELPFUL_RECEIVED: _received_stats,
    Stat.CONTENT_REMOVED: _received_stats,
    Stat.HELPFUL_GIVEN: _given_stats,
    Stat.CONTRIBUTIONS: _contribution_stats,
    Stat.FLAGS_AGREED: _flag_stats,
    Stat.SUSPENSIONS: _suspension_stats,
}


def trust_stats(
    *, member, since: datetime | None = None, only=None, known: dict | None = None
) -> dict[str, int]:
    """The Stats in `only` (default: all) for `member`, over all time or since `since`.
    Votes are counted from the ledger (one row per vote, reversed rows excluded) so that
    undone votes and serial votes do not count; written content from its own tables.
    `known` holds stats already counted for the same period and is filled in."""
    stats = known if known is not None else {}
    created = {"created_at__gte": since} if since is not None else {}
    for stat in only or _COUNTERS:
        if stat not in stats:
            stats.update(_COUNTERS[stat](member, since, created))
    return stats


@dataclass(frozen=True)
class RequirementProgress:
    stat: str
    label: str
    have: int
    need: int
    at_most: bool

    @property
    def met(self) -> bool:
        return self.have <= self.need if self.at_most else self.have >= self.need


def requirements_progress(level: int, stats: dict[str, int]) -> list[RequirementProgress]:
    return [
        RequirementProgress(
            stat=requirement.stat,
            label=Stat(requirement.stat).label,
            have=stats[requirement.stat],
            need=requirement.need,
            at_most=requirement.at_most,
        )
        for requirement in rules.LEVEL_REQUIREMENTS[level]
    ]


def meets_level(level: int, stats: dict[str, int]) -> bool:
    return all(item.met for item in requirements_progress(level, stats))


def stats_for_level(
    *, member, level: int, now: datetime | None = None, counted: dict | None = None
) -> dict[str, int]:
    """The stats `level`'s requirements need, over its period. `counted` (a dict the
    caller keeps for one request) lets an evaluation and the progress shown after it
    share their counts."""
    windowed = level in rules.WINDOWED_LEVELS
    since = _window_start(now or timezone.now()) if windowed else None
    known = counted.setdefault(windowed, {}) if counted is not None else None
    needed = [requirement.stat for requirement in rules.LEVEL_REQUIREMENTS[level]]
    return trust_stats(member=member, since=since, only=needed, known=known)


@dataclass(frozen=True)
class TrustProgress:
    level: int
    level_label: str
    # The level being worked toward (for a Regular: keeping level 3), or None.
    target: int | None
    target_label: str
    windowed: bool
    requirements: list[RequirementProgress]
    # For a Regular who stopped meeting the requirements: when the level would go.
    demotion_at: datetime | None
    granted_by_moderators: bool

    @property
    def met_count(self) -> int:
        return sum(item.met for item in self.requirements)


def trust_progress(
    *, member, now: datetime | None = None, counted: dict | None = None
) -> TrustProgress:
    """What the member's page shows: their level and, requirement by requirement, how
    far they are from the next one ("7 of 15 days visited")."""
    now = now or timezone.now()
    level = member.trust_level
    if level >= TrustLevel.LEADER:
        target = None
    elif level == TrustLevel.REGULAR:
        target = TrustLevel.REGULAR
    else:
        target = level + 1
    requirements = []
    if target is not None:
        stats = stats_for_level(member=member, level=target, now=now, counted=counted)
        requirements = requirements_progress(target, stats)
    demotion_at = None
    if level == TrustLevel.REGULAR and member.trust_level_failing_since:
        demotion_at = member.trust_level_failing_since + timedelta(
            days=rules.TRUST_DEMOTION_GRACE_DAYS
        )
    return TrustProgress(
        level=level,
        level_label=TrustLevel(level).label,
        target=target,
        target_label=TrustLevel(target).label if target is not None else "",
        windowed=target in rules.WINDOWED_LEVELS,
        requirements=requirements,
        demotion_at=demotion_at,
        granted_by_moderators=level >= TrustLevel.LEADER,
    )


def published_levels() -> list[dict]:
    """Every level with its requirements and what it unlocks, for the rules page."""
    levels = []
    for level in TrustLevel:
        levels.append(
            {
                "level": int(level),
                "label": level.label,
                "requirements": [
                    {"label": Stat(r.stat).label, "need": r.need, "at_most": r.at_most}
                    for r in rules.LEVEL_REQUIREMENTS.get(level, ())
                ],
                "windowed": level in rules.WINDOWED_LEVELS,
                "privileges": [
                    rules.Privilege(privilege).label
                    for privilege, needed in rules.PRIVILEGE_LEVELS.items()
                    if needed == level
                ],
            }
        )
    return levels
