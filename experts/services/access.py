"""Who may do what in the experts app. Every service calls these; views never decide.

Reviewers of an application or certificate are site moderators and, for the brand-staff
tier, the admins of the employing brand. Evidence files are readable by their uploader
and by the reviewers of what they belong to, and by nobody else: for anyone else they
do not exist (NotFound), so their ids leak nothing."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import Brand, BrandStaff
from community.errors import AccessDenied, NotFound
from community.members.selectors import is_moderator
from experts.models import Certificate, EvidenceFile, ExpertApplication, Tier


def access_account(*, user) -> None:
    if not (user and user.is_authenticated):
        raise AccessDenied(_("Please sign in first."), code="login_required")
    if not user.is_active:
        raise AccessDenied(_("This account is closed."))


def admin_brand_ids(user) -> set[int]:
    """Brands the user is an admin of (brand-staff reviewers)."""
    if not (user and user.is_authenticated and user.is_active):
        return set()
    return set(
        BrandStaff.objects.filter(member=user, role=BrandStaff.Role.ADMIN).values_list(
            "brand_id", flat=True
        )
    )


def can_review_tier(*, user, tier: str, employer_id: int | None, brand_ids=None) -> bool:
    if is_moderator(user):
        return True
    if tier != Tier.BRAND_STAFF or employer_id is None:
        return False
    brand_ids = admin_brand_ids(user) if brand_ids is None else brand_ids
    return employer_id in brand_ids


def reviewable_q(user, *, prefix: str = "") -> Q | None:
    """The filter of applications or certificates the user may review, or None for
    none at all. `prefix` points at the row from a related model ("certificate__")."""
    if is_moderator(user):
        return Q()
    brand_ids = admin_brand_ids(user)
    if not brand_ids:
        return None
    return Q(**{f"{prefix}tier": Tier.BRAND_STAFF, f"{prefix}employer_id__in": brand_ids})


def is_certification_reviewer(user) -> bool:
    """May open the review queue at all."""
    return reviewable_q(user) is not None


def access_application_review(*, user, application: ExpertApplication) -> None:
    access_account(user=user)
    if application.applicant_id == user.pk:
        raise AccessDenied(_("You cannot review your own application."))
    if not can_review_tier(user=user, tier=application.tier, employer_id=application.employer_id):
        raise AccessDenied(_("You may not review this application."))


def access_certificate_manage(*, user, certificate: Certificate) -> None:
    """Suspend, reinstate, revoke; resolve challenges."""
    access_account(user=user)
    if certificate.member_id == user.pk:
        raise AccessDenied(_("You cannot decide about your own certificate."))
    if not can_review_tier(user=user, tier=certificate.tier, employer_id=certificate.employer_id):
        raise AccessDenied(_("You may not change this certificate."))


def access_application_own(*, user, application: ExpertApplication) -> None:
    """The applicant's own view of an application; others get a 404."""
    access_account(user=user)
    if application.applicant_id != user.pk:
        raise NotFound(_("No such application."))


def access_evidence_read(*, user, evidence: EvidenceFile) -> None:
    missing = NotFound(_("No such file."))
    if not (user and user.is_authenticated and user.is_active):
        raise missing
    if evidence.uploaded_by_id == user.pk:
        return
    if evidence.application_id is not None:
        application = evidence.application
        if application.applicant_id == user.pk:
            return
        if can_review_tier(user=user, tier=application.tier, employer_id=application.employer_id):
            return
    elif evidence.challenge_id is not None:
        certificate = evidence.challenge.certificate
        if certificate.member_id != user.pk and can_review_tier(
            user=user, tier=certificate.tier, employer_id=certificate.employer_id
        ):
            return
    raise missing


def current_certificates_q(*, prefix: str = "") -> Q:
    """Certificates that count now: active and not past their expiry."""
    return Q(
        **{f"{prefix}status": Certificate.Status.ACTIVE, f"{prefix}expires_at__gt": timezone.now()}
    )


def certificate_for_field(*, member, category_id=None, brand_id=None) -> Certificate | None:
    """The member's current certificate covering a category or a brand (the first by
    tier strength: independent, practitioner, brand staff); with neither given, any
    current certificate. One query."""
    if not (member and member.is_authenticated):
        return None
    certificates = Certificate.objects.filter(current_certificates_q(), member=member)
    if category_id is not None or brand_id is not None:
        field = Q()
        if category_id is not None:
            field |= Q(categories__id=category_id)
        if brand_id is not None:
            field |= Q(brands__id=brand_id) | Q(employer_id=brand_id)
        certificates = certificates.filter(field)
    order = {Tier.INDEPENDENT: 0, Tier.PRACTITIONER: 1, Tier.BRAND_STAFF: 2}
    found = sorted(certificates.distinct(), key=lambda c: (order.get(c.tier, 9), -c.pk))
    return found[0] if found else None


def access_expert_conversation(*, member, expert) -> None:
    """A private conversation needs a current expert who allows them."""
    access_account(user=member)
    if expert is None or not expert.is_active:
        raise NotFound(_("No such expert."))
    if expert.pk == member.pk:
        raise AccessDenied(_("You cannot start a conversation with yourself."))
    profile = getattr(expert, "expert_profile", None)
    if certificate_for_field(member=expert) is None or profile is None:
        raise NotFound(_("No such expert."))
    if not profile.accepts_conversations:
        raise AccessDenied(
            _("%(name)s does not take private conversations; ask a question instead.")
            % {"name": expert.public_name},
            code="conversations_closed",
        )


def employer_brand_for(*, expert, brand) -> Brand | None:
    """`brand` if the expert works for it (brand staff link or a current brand-staff
    certificate naming it as employer), else None."""
    if brand is None:
        return None
    if BrandStaff.objects.filter(member=expert, brand=brand).exists():
        return brand
    employed = Certificate.objects.filter(
        current_certificates_q(), member=expert, tier=Tier.BRAND_STAFF, employer=brand
    ).exists()
    return brand if employed else None
