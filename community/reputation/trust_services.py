"""Writes for trust levels, and the privilege checks other services call.

- `trust_visit_record` and `trust_items_read_add` keep the activity the requirements
  count (community/reputation/activity.py calls them for each request);
- `trust_level_evaluate` promotes a member who meets the next level's requirements and
  demotes a Regular only after rules.TRUST_DEMOTION_GRACE_DAYS of not meeting them;
- `trust_fast_track` lifts a new member to Basic at once (verified purchase, club invite);
- `trust_level_grant_leader` / `trust_level_withdraw_leader` are the moderators' part;
- `access_privilege` / `member_has_privilege` are the gates: a service calls them
  before doing what rules.PRIVILEGE_LEVELS reserves for a level.

Every level change appends a ledger row (no points) naming the level reached."""

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from community.errors import AccessDenied, DomainError
from community.members.selectors import is_moderator
from community.reputation import rules
from community.reputation.models import MemberVisit, ReputationEntry
from community.reputation.rules import Reason, TrustLevel
from community.reputation.services import _source_fields
from community.reputation.trust_selectors import meets_level, stats_for_level


def _utc_day(now: datetime):
    return now.astimezone(UTC).date()


def trust_visit_record(*, member, now: datetime | None = None) -> None:
    """Count today as a day visited (once per UTC day: one INSERT that ignores the
    day's existing row). Levels are re-checked by the nightly `evaluate_trust_levels`
    and whenever the member opens their reputation page, not on this request path."""
    now = now or timezone.now()
    MemberVisit.objects.bulk_create(
        [MemberVisit(member=member, day=_utc_day(now))], ignore_conflicts=True
    )


def trust_items_read_add(*, member, count: int, now: datetime | None = None) -> None:
    if count <= 0:
        return
    now = now or timezone.now()
    day = _utc_day(now)
    updated = MemberVisit.objects.filter(member=member, day=day).update(
        items_read=F("items_read") + count
    )
    if not updated:
        try:
            with transaction.atomic():
                MemberVisit.objects.create(member=member, day=day, items_read=count)
        except IntegrityError:
            MemberVisit.objects.filter(member=member, day=day).update(
                items_read=F("items_read") + count
            )


def _level_row(*, member_id: int, level: int, reason: str, now, actor=None, source=None):
    return ReputationEntry.objects.create(
        member_id=member_id,
        delta=0,
        rule_delta=0,
        reason=reason,
        trust_level=level,
        actor=actor,
        rule_version=rules.RULE_VERSION,
        created_at=now,
        **_source_fields(source),
    )


def _lock(member_id: int):
    return (
        get_user_model()
        .objects.select_for_update()
        .only("pk", "trust_level", "trust_level_failing_since")
        .get(pk=member_id)
    )


def _save_level(locked, member) -> None:
    if (locked.trust_level, locked.trust_level_failing_since) != (
        member.trust_level,
        member.trust_level_failing_since,
    ):
        locked.save(update_fields=["trust_level", "trust_level_failing_since"])
    # Keep the caller's object true, so a gate checked later in the request sees it.
    member.trust_level = locked.trust_level
    member.trust_level_failing_since = locked.trust_level_failing_since


def trust_level_evaluate(
    *, member, now: datetime | None = None, counted: dict | None = None
) -> int:
    """Promote while the next level's requirements are met (up to Regular); for a
    Regular who no longer meets them, start the grace period, and demote to Member
    once it has passed. Leaders are left to moderators. Returns the level. `counted`:
    see trust_selectors.stats_for_level (only pass it when nothing is written between
    this and its next use)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(member.pk)
        level = locked.trust_level
        if level >= TrustLevel.LEADER:
            return level
        reached = level
        while reached < TrustLevel.REGULAR and meets_level(
            reached + 1,
            stats_for_level(member=locked, level=reached + 1, now=now, counted=counted),
        ):
            reached += 1
        if reached > level:
            locked.trust_level = reached
            locked.trust_level_failing_since = None
            _level_row(member_id=locked.pk, level=reached, reason=Reason.LEVEL_PROMOTED, now=now)
        elif level == TrustLevel.REGULAR:
            stats = stats_for_level(
                member=locked, level=TrustLevel.REGULAR, now=now, counted=counted
            )
            if meets_level(TrustLevel.REGULAR, stats):
                locked.trust_level_failing_since = None
            elif locked.trust_level_failing_since is None:
                locked.trust_level_failing_since = now
            elif now - locked.trust_level_failing_since >= timedelta(
                days=rules.TRUST_DEMOTION_GRACE_DAYS
            ):
                locked.trust_level = TrustLevel.MEMBER
                locked.trust_level_failing_since = None
                _level_row(
                    member_id=locked.pk,
                    level=TrustLevel.MEMBER,
                    reason=Reason.LEVEL_DEMOTED,
                    now=now,
                )
        _save_level(locked, member)
        return locked.trust_level


def trust_fast_track(*, member, source, now: datetime | None = None) -> bool:
    """A verified purchase or a club invite vouches for a new member: Basic at once.
    `source` (the purchase code or the invite) is named in the ledger row."""
    if member is None or not getattr(member, "pk", None):
        return False
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(member.pk)
        if locked.trust_level >= TrustLevel.BASIC:
            return False
        locked.trust_level = TrustLevel.BASIC
        _level_row(
            member_id=locked.pk,
            level=TrustLevel.BASIC,
            reason=Reason.LEVEL_PROMOTED,
            now=now,
            source=source,
        )
        _save_level(locked, member)
    return True


def _access_moderator(user) -> None:
    if not is_moderator(user):
        raise AccessDenied(_("Only moderators can change trust levels."))


def trust_level_grant_leader(*, member, moderator, now: datetime | None = None) -> None:
    """Level 4 is never earned automatically: a moderator grants it."""
    _access_moderator(moderator)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(member.pk)
        if locked.trust_level >= TrustLevel.LEADER:
            raise DomainError(_("This member is already a leader."), code="already_leader")
        locked.trust_level = TrustLevel.LEADER
        locked.trust_level_failing_since = None
        _level_row(
            member_id=locked.pk,
            level=TrustLevel.LEADER,
            reason=Reason.LEVEL_GRANTED,
            now=now,
            actor=moderator,
        )
        _save_level(locked, member)


def trust_level_withdraw_leader(*, member, moderator, now: datetime | None = None) -> int:
    """Back to what the member's activity earns: Regular if they meet level 3 now,
    otherwise Member (a leader was at least that trusted)."""
    _access_moderator(moderator)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(member.pk)
        if locked.trust_level < TrustLevel.LEADER:
            raise DomainError(_("This member is not a leader."), code="not_leader")
        stats = stats_for_level(member=locked, level=TrustLevel.REGULAR, now=now)
        level = TrustLevel.REGULAR if meets_level(TrustLevel.REGULAR, stats) else TrustLevel.MEMBER
        locked.trust_level = level
        locked.trust_level_failing_since = None
        _level_row(
            member_id=locked.pk, level=level, reason=Reason.LEVEL_GRANTED, now=now, actor=moderator
        )
        _save_level(locked, member)
        return level


def member_has_privilege(member, privilege: str) -> bool:
    """Site moderators hold every privilege; members by their trust level."""
    if member is None or not member.is_authenticated:
        return False
    if is_moderator(member):
        return True
    return rules.has_privilege(member.trust_level, privilege)


def privilege_message(privilege: str) -> str:
    level = TrustLevel(rules.PRIVILEGE_LEVELS[privilege])
    return _(
        "“%(privilege)s” opens at trust level %(number)s (%(level)s). "
        "Your reputation page shows what is left to get there."
    ) % {"privilege": rules.Privilege(privilege).label, "number": int(level), "level": level.label}


def access_privilege(member, privilege: str, *, field: str | None = None) -> None:
    """Raise unless `member` holds `privilege`: a form error on `field` when given (the
    member can fix the input, e.g. remove a link), otherwise 403."""
    if member_has_privilege(member, privilege):
        return
    if field is not None:
        raise DomainError(privilege_message(privilege), code="privilege", field=field)
    raise AccessDenied(privilege_message(privilege), code="privilege")


def flag_weight_of(member) -> int:
    return rules.flag_weight(member.trust_level if not is_moderator(member) else TrustLevel.LEADER)
