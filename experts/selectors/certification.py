"""Reads of the certification workflow: the applicant's own applications, the
reviewers' queues (filtered by `experts.services.access.reviewable_q`), the public
credentials of a member, and evidence files. List selectors load every related row
in a fixed number of queries, whatever the length of the page."""

from django.contrib.auth.models import Permission
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
)
from django.utils.translation import gettext as _

from brand_clubs.models import Brand, BrandStaff, Category
from community.errors import NotFound
from community.members.models import Member
from experts.models import (
    Certificate,
    CertificationLogEntry,
    CredentialChallenge,
    EvidenceFile,
    ExpertApplication,
    Tier,
)
from experts.services.access import reviewable_q

APPLICATIONS_PER_PAGE = 20
QUEUE_PAGE_SIZE = 20

# --- reviewers --------------------------------------------------------------------------


def site_moderators():
    """Active members with members.moderate_content, directly, through a group, or as
    superusers (who have every permission)."""
    permission = Permission.objects.filter(
        codename="moderate_content", content_type__app_label="members"
    ).first()
    condition = Q(is_superuser=True)
    if permission is not None:
        condition |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return Member.objects.filter(condition, is_active=True).distinct()


def certification_reviewers(*, tier: str, employer_id: int | None) -> list[Member]:
    """Who reviews an application or certificate of this tier and employer: the site
    moderators and, for brand staff, the employing brand's admins."""
    reviewers = {member.pk: member for member in site_moderators()}
    if tier == Tier.BRAND_STAFF and employer_id is not None:
        admins = Member.objects.filter(
            is_active=True,
            brand_links__brand_id=employer_id,
            brand_links__role=BrandStaff.Role.ADMIN,
        ).distinct()
        for member in admins:
            reviewers.setdefault(member.pk, member)
    return list(reviewers.values())


# --- shared loading ---------------------------------------------------------------------


def _fields_prefetch():
    return (
        Prefetch("categories", queryset=Category.objects.order_by("name")),
        Prefetch("brands", queryset=Brand.objects.order_by("name")),
    )


def _log_prefetch():
    return Prefetch(
        "log",
        queryset=CertificationLogEntry.objects.select_related("actor").order_by("created_at", "pk"),
        to_attr="log_entries",
    )


def _applications():
    return ExpertApplication.objects.select_related(
        "applicant", "employer", "renewal_of"
    ).prefetch_related(*_fields_prefetch())


# --- the applicant ----------------------------------------------------------------------


def application_list_for_applicant(*, member, page=None):
    queryset = (
        _applications()
        .filter(applicant=member)
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("-submitted_at", "-pk")
    )
    return Paginator(queryset, APPLICATIONS_PER_PAGE).get_page(page)


def application_get_for_applicant(*, member, pk) -> ExpertApplication:
    """The applicant's own application with its evidence and log; others get NotFound."""
    application = (
        _applications()
        .filter(pk=pk, applicant_id=getattr(member, "pk", None))
        .prefetch_related(
            Prefetch("evidence", queryset=EvidenceFile.objects.order_by("pk"), to_attr="files"),
            _log_prefetch(),
        )
        .first()
    )
    if application is None:
        raise NotFound(_("No such application."))
    return application


def application_open_of(*, member) -> ExpertApplication | None:
    return (
        ExpertApplication.objects.filter(
            applicant=member, status__in=ExpertApplication.OPEN_STATUSES
        )
        .order_by("-submitted_at")
        .first()
    )


def certificates_renewable(*, member):
    """The member's certificates an application may renew: active or expired ones. A
    suspended certificate is reinstated by the reviewers first (a renewal would lift the
    suspension); a revoked one is ended for good."""
    return (
        Certificate.objects.filter(member=member)
        .exclude(status__in=[Certificate.Status.SUSPENDED, Certificate.Status.REVOKED])
        .select_related("employer")
        .prefetch_related(*_fields_prefetch())
        .order_by("-verified_at", "-pk")
    )


# --- the public -------------------------------------------------------------------------


def _status_rank():
    return Case(
        When(status=Certificate.Status.ACTIVE, then=Value(0)),
        When(status=Certificate.Status.SUSPENDED, then=Value(1)),
        When(status=Certificate.Status.EXPIRED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def credentials_of(*, member_pk) -> tuple[Member, list[Certificate]]:
    """A member's certificates for the public credentials page, current ones first;
    ended ones stay listed (trust means showing history). NotFound for members without
    any certificate and for closed accounts."""
    member = Member.objects.filter(pk=member_pk, is_active=True).first()
    if member is None:
        raise NotFound(_("No such expert."))
    certificates = list(
        Certificate.objects.filter(member=member)
        .select_related("employer")
        .prefetch_related(*_fields_prefetch())
        .annotate(status_rank=_status_rank())
        .order_by("status_rank", "-verified_at", "-pk")
    )
    if not certificates:
        raise NotFound(_("This member has no expert credentials."))
    return member, certificates


def certificate_get_current(*, pk) -> Certificate:
    """A certificate that may be challenged (current), with its member."""
    certificate = Certificate.objects.select_related("member", "employer").filter(pk=pk).first()
    if certificate is None or not certificate.member.is_active:
        raise NotFound(_("No such certificate."))
    return certificate


# --- evidence ---------------------------------------------------------------------------


def evidence_get(*, pk) -> EvidenceFile:
    """The row with what access_evidence_read needs (one query)."""
    evidence = (
        EvidenceFile.objects.select_related("application", "challenge__certificate")
        .filter(pk=pk)
        .first()
    )
    if evidence is None:
        raise NotFound(_("No such file."))
    return evidence


# --- reviewers' queues ------------------------------------------------------------------


def _scoped(queryset, user, *, prefix: str = ""):
    condition = reviewable_q(user, prefix=prefix)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def application_queue(*, user, status: str = ""):
    """Applications the user may review (never their own): open ones first, oldest
    first (a queue); decided ones after them, newest first."""
    open_statuses = list(ExpertApplication.OPEN_STATUSES)
    queryset = (
        _applications()
        .exclude(applicant_id=user.pk)
        .annotate(
            evidence_count=Count("evidence", distinct=True),
            open_rank=Case(
                When(status__in=open_statuses, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            waiting_since=Case(
                When(status__in=open_statuses, then=F("submitted_at")),
                default=None,
                output_field=DateTimeField(),
            ),
        )
        .order_by("open_rank", F("waiting_since").asc(nulls_last=True), "-submitted_at", "-pk")
    )
    if status == "open":
        queryset = queryset.filter(status__in=open_statuses)
    elif status in ExpertApplication.Status.values:
        queryset = queryset.filter(status=status)
    return _scoped(queryset, user)


def application_get_for_review(*, user, pk) -> ExpertApplication:
    application = (
        _scoped(_applications(), user)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("evidence", queryset=EvidenceFile.objects.order_by("pk"), to_attr="files"),
            _log_prefetch(),
        )
        .first()
    )
    if application is None:
        raise NotFound(_("No such application."))
    return application


def _certificates():
    return Certificate.objects.select_related("member", "employer").prefetch_related(
        *_fields_prefetch()
    )


def certificate_list_for_reviewer(*, user, status: str = ""):
    queryset = _certificates().annotate(
        open_challenge_count=Count(
            "challenges",
            filter=Q(challenges__status=CredentialChallenge.Status.OPEN),
            distinct=True,
        )
    )
    if status in Certificate.Status.values:
        queryset = queryset.filter(status=status)
    return _scoped(queryset.order_by("-verified_at", "-pk"), user)


def certificate_get_for_review(*, user, pk) -> Certificate:
    certificate = (
        _scoped(_certificates(), user)
        .filter(pk=pk)
        .prefetch_related(
            _log_prefetch(),
            Prefetch(
                "challenges",
                queryset=CredentialChallenge.objects.select_related("challenger").order_by(
                    "-created_at", "-pk"
                ),
                to_attr="all_challenges",
            ),
        )
        .first()
    )
    if certificate is None:
        raise NotFound(_("No such certificate."))
    return certificate


def _challenges():
    return CredentialChallenge.objects.select_related(
        "challenger", "resolved_by", "certificate__member", "certificate__employer"
    ).annotate(evidence_count=Count("evidence", distinct=True))


def challenge_queue(*, user, status: str = "open"):
    """Challenges of certificates the user may manage (not of their own)."""
    queryset = _challenges().exclude(certificate__member_id=user.pk)
    if status in CredentialChallenge.Status.values:
        queryset = queryset.filter(status=status)
    queryset = queryset.order_by(
        Case(
            When(status=CredentialChallenge.Status.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "created_at",
        "pk",
    )
    return _scoped(queryset, user, prefix="certificate__")


def challenge_get_for_review(*, user, pk) -> CredentialChallenge:
    challenge = (
        _scoped(_challenges(), user, prefix="certificate__")
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("evidence", queryset=EvidenceFile.objects.order_by("pk"), to_attr="files"),
            _log_prefetch(),
            Prefetch("certificate__categories", queryset=Category.objects.order_by("name")),
            Prefetch("certificate__brands", queryset=Brand.objects.order_by("name")),
        )
        .first()
    )
    if challenge is None:
        raise NotFound(_("No such challenge."))
    return challenge
