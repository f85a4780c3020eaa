"""Reading Member.expert_badge (written by experts.services.badges): whether it is
current and the words of the label, for templates, chat payloads and search.

Everything here reads the member row only (no query), so that labelling every byline of
a list page costs nothing (docs/decisions/0006)."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

TIER_LABELS = {
    "independent": lambda: _("Independent expert"),
    "practitioner": lambda: _("Industry practitioner"),
    "brand_staff": lambda: _("Brand employee"),
}


def badge_current(member_or_badge) -> dict | None:
    """The badge (of a member, or a badge dict itself) if it names a known tier and has
    not expired since it was written, else None: a lapsed badge shows nothing even
    before the daily expiry run rewrites it."""
    if isinstance(member_or_badge, dict):
        badge = member_or_badge
    else:
        badge = getattr(member_or_badge, "expert_badge", None) or {}
    if not isinstance(badge, dict) or badge.get("tier") not in TIER_LABELS:
        return None
    try:
        expires_at = datetime.fromisoformat(badge["expires_at"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.is_naive(expires_at):
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= timezone.now():
        return None
    return badge


def tier_label(badge: dict) -> str:
    """The tier's words, except for brand staff named by their employer labels."""
    if badge["tier"] == "brand_staff" and brand_employee_labels(badge):
        return ""
    return str(TIER_LABELS[badge["tier"]]())


def brand_employee_labels(badge: dict) -> list[str]:
    """One "Brand employee · <brand>" per employer: a member may work for several."""
    return [
        _("Brand employee · %(brand)s") % {"brand": employer.get("name", "")}
        for employer in badge.get("employers") or []
        if isinstance(employer, dict) and employer.get("name")
    ]


def badge_parts(badge: dict | None) -> list[str]:
    if badge is None:
        return []
    tier = tier_label(badge)
    return ([tier] if tier else []) + brand_employee_labels(badge)


def expert_label(member) -> str:
    """One line for plain-text places: "Independent expert", "Brand employee · RoadGrip",
    or with a stronger tier and an employer "Independent expert · Brand employee ·
    RoadGrip". Empty for members without a current badge (and for None)."""
    if member is None:
        return ""
    return " · ".join(badge_parts(badge_current(member)))


def member_text(member) -> str:
    """The name with the label, for plain-text places (titles, alt text, e-mails)."""
    if member is None:
        return ""
    label = expert_label(member)
    if not label:
        return str(member.public_name)
    return _("%(name)s (%(label)s)") % {"name": member.public_name, "label": label}
