"""Reads for the leaderboards of a club and of a field (category).

"All time" ranks the cached per-scope totals (`ReputationScore`, index (scope, -total));
"week" and "month" sum the ledger rows of the scope created in the last 7 / 30 days
(partial indexes (scope, created_at, member, delta), migration 0004). Each board is
one query, names and levels included, whatever its length. Deactivated members and
members whose sum is not positive are left out.

The windows roll (the last 7 and 30 days) rather than restart on a calendar boundary:
a board that empties every Monday at 00:00 UTC would be empty for most of a day in
Asia and show a different "this week" in every time zone."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Category, ClubMembership
from community.reputation.models import ReputationScore
from community.reputation.rules import TrustLevel

LEADERBOARD_SIZE = 50

WEEK, MONTH, ALL_TIME = "week", "month", "all"
PERIOD_DAYS = {WEEK: 7, MONTH: 30}
PERIOD_LABELS = {WEEK: _("Last 7 days"), MONTH: _("Last 30 days"), ALL_TIME: _("All time")}
# Recent activity by default (as Stack Exchange's user list): an all-time board is
# held by the earliest members, a weekly one gives a newcomer a place this week.
DEFAULT_PERIOD = WEEK

# What the member row must carry for a board: {% member_name %} reads display_name and
# expert_badge, the level column trust_level (no query per row).
_MEMBER_FIELDS = ("id", "display_name", "expert_badge", "trust_level")


def leaderboard_period(value) -> str:
    """The period a ?period= value names; anything else is the default."""
    return value if isinstance(value, str) and value in PERIOD_LABELS else DEFAULT_PERIOD


def leaderboard_periods() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in PERIOD_LABELS.items()]


def period_start(period: str, *, now: datetime | None = None) -> datetime | None:
    """When a period's window starts; None for all time."""
    days = PERIOD_DAYS.get(period)
    if days is None:
        return None
    return (now or timezone.now()) - timedelta(days=days)


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    member: object
    points: int

    @property
    def level_label(self) -> str:
        return str(TrustLevel(self.member.trust_level).label)

    @property
    def level(self) -> int:
        return self.member.trust_level


def _ranked(pairs) -> list[LeaderboardRow]:
    """Rows in order with competition ranks: equal points share a rank (1, 2, 2, 4)."""
    rows: list[LeaderboardRow] = []
    previous_points, rank = None, 0
    for position, (member, points) in enumerate(pairs, start=1):
        if points != previous_points:
            rank, previous_points = position, points
        rows.append(LeaderboardRow(rank=rank, member=member, points=points))
    return rows


def _banned_from_club(club_id: int, member_ref: str) -> Exists:
    return Exists(
        ClubMembership.objects.filter(
            club_id=club_id, member_id=OuterRef(member_ref), status=ClubMembership.Status.BANNED
        )
    )


def _leaderboard(*, scope: str, scope_id: int, period: str, now: datetime | None) -> list:
    """A club's board leaves out members banned from the club: a ban is the club's
    verdict on them, and the board is the club's showcase."""
    since = period_start(period, now=now)
    if since is None:
        scores = ReputationScore.objects.filter(
            **{f"{scope}_id": scope_id}, total__gt=0, member__is_active=True
        )
        if scope == "club":
            scores = scores.exclude(_banned_from_club(scope_id, "member_id"))
        scores = (
            scores.select_related("member")
            .only("total", "member_id", *(f"member__{field}" for field in _MEMBER_FIELDS))
            .order_by("-total", "member_id")[:LEADERBOARD_SIZE]
        )
        return _ranked((score.member, score.total) for score in scores)
    # One grouped query from the member side: the filter on the entries and the sum
    # share one join, so only the scope's rows of the window are summed.
    members = get_user_model().objects.filter(
        Q(**{f"reputation_entries__{scope}_id": scope_id})
        & Q(reputation_entries__created_at__gte=since),
        is_active=True,
    )
    if scope == "club":
        members = members.exclude(_banned_from_club(scope_id, "pk"))
    members = (
        members.only(*_MEMBER_FIELDS)
        .annotate(points=Sum("reputation_entries__delta"))
        .filter(points__gt=0)
        .order_by("-points", "pk")[:LEADERBOARD_SIZE]
    )
    return _ranked((member, member.points) for member in members)


def leaderboard_for_club(*, club, period: str, now: datetime | None = None) -> list:
    """The club's top members for `period` (the caller checks the viewer may see the
    club: brand_clubs.services.access.access_club_read)."""
    return _leaderboard(scope="club", scope_id=club.pk, period=period, now=now)


def leaderboard_for_category(*, category, period: str, now: datetime | None = None) -> list:
    return _leaderboard(scope="category", scope_id=category.pk, period=period, now=now)


def category_get(*, slug) -> Category:
    return get_object_or_404(Category, slug=str(slug))


def leaderboard_categories() -> list[Category]:
    """Every field, by name, for the links to their boards."""
    return list(Category.objects.only("pk", "name", "slug").order_by("name", "pk"))
