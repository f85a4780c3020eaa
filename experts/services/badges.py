"""The byline cache: Member.expert_badge holds what every author name must show about
the member's current certificates, so that pages render badges and the "Brand
employee" label without a query per name. Every service that creates, renews, ends or
changes a certificate calls `expert_badge_refresh` in its transaction.

Shape (read by community/members/templatetags/member_names.py and chat payloads):
    {"tier": "independent" | "practitioner" | "brand_staff",   # strongest current tier
     "employers": [{"id": 3, "name": "RoadGrip", "slug": "roadgrip"}, ...],
     "expires_at": "2027-11-24T10:00:00+00:00"}                # earliest expiry
An empty dict means "no current certificate"."""

from django.utils import timezone
from django.utils.translation import gettext as _

from community.members.badges import TIER_LABELS
from community.members.models import Member
from experts.models import Certificate, Tier

TIER_ORDER = {Tier.INDEPENDENT: 0, Tier.PRACTITIONER: 1, Tier.BRAND_STAFF: 2}


def expert_badge_compute(*, member_id: int) -> dict:
    current = list(
        Certificate.objects.filter(
            member_id=member_id,
            status=Certificate.Status.ACTIVE,
            expires_at__gt=timezone.now(),
        ).select_related("employer")
    )
    if not current:
        return {}
    strongest = min(current, key=lambda c: TIER_ORDER.get(c.tier, 9))
    employers = {}
    for certificate in current:
        if certificate.tier == Tier.BRAND_STAFF and certificate.employer_id:
            employer = certificate.employer
            employers[employer.pk] = {
                "id": employer.pk,
                "name": employer.name,
                "slug": employer.slug,
            }
    return {
        "tier": strongest.tier,
        "employers": sorted(employers.values(), key=lambda e: e["name"]),
        "expires_at": min(c.expires_at for c in current).isoformat(),
    }


def expert_badge_refresh(*, member_id: int) -> dict:
    """Recompute and store the member's badge (an UPDATE of one row)."""
    badge = expert_badge_compute(member_id=member_id)
    Member.objects.filter(pk=member_id).update(expert_badge=badge)
    return badge


def answer_snapshot_label(answer) -> str:
    """How the author was certified when they wrote the answer (its snapshot), in the
    active language: "Brand employee · <brand>" or the tier. Empty for other answers.
    The one wording for the question page, the feed, the knowledge base and search."""
    if not answer.expert_tier:
        return ""
    certificate = answer.expert_certificate
    if answer.expert_tier == Tier.BRAND_STAFF and certificate and certificate.employer_id:
        return _("Brand employee · %(brand)s") % {"brand": certificate.employer.name}
    label = TIER_LABELS.get(answer.expert_tier)
    return str(label()) if label else ""
