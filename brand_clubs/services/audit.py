"""The club log: what moderators, brand staff and site moderators did, and why."""

from brand_clubs.models import Club, ClubAuditEntry


def club_audit_record(
    *, club: Club, actor, action: str, member=None, target_repr: str = "", reason: str = ""
) -> ClubAuditEntry:
    """One line of the club's log, written in the caller's transaction. The target's
    name is kept as text too, so the line stays readable after the account is gone."""
    if member is not None and not target_repr:
        target_repr = member.public_name
    return ClubAuditEntry.objects.create(
        club=club,
        actor=actor,
        action=action,
        target_member=member,
        target_repr=target_repr[:200],
        reason=(reason or "")[:1000],
    )
