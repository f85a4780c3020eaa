"""Reads of the expert directory and of an expert's profile page.

A directory page costs the same number of queries whatever its length: counts are
correlated subqueries (no join that multiplies rows), the viewer's follow is an
Exists(), and each row's current certificates come in one prefetch with their fields."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField as BooleanFieldType
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brand_clubs.models import Brand, Category
from community.errors import NotFound
from community.members.models import Follow, Member
from community.members.selectors import count_subquery
from experts.models import Answer, Certificate, ExpertProfile, Tier
from experts.services.access import current_certificates_q
from experts.services.endorsements import endorsements_shown

EXPERTS_PER_PAGE = 20
PROFILE_ANSWERS = 20
PROFILE_ENDORSEMENTS = 20
SUGGESTIONS = 5

SORTS = {
    "answers": ("-visible_answer_count", "-follower_count", "pk"),
    "followers": ("-follower_count", "-visible_answer_count", "pk"),
    "newest": ("-expert_since", "-pk"),
}
DEFAULT_SORT = "answers"


@dataclass(frozen=True)
class DirectoryFilters:
    field: str = ""  # a category slug
    tier: str = ""
    brand: str = ""  # a brand slug: a field of expertise or the employer
    sort: str = DEFAULT_SORT

    @property
    def active(self) -> bool:
        return bool(self.field or self.tier or self.brand)


def response_time_text(seconds: int | None) -> str:
    """ "about 5 hours": the measured median in words ("" without a measurement)."""
    if seconds is None:
        return ""
    if seconds < 3600:
        return _("under an hour")
    hours = round(seconds / 3600)
    if hours < 48:
        return ngettext("about %(count)d hour", "about %(count)d hours", hours) % {"count": hours}
    days = round(seconds / 86400)
    return ngettext("about %(count)d day", "about %(count)d days", days) % {"count": days}


def _current_certificates_prefetch() -> Prefetch:
    return Prefetch(
        "certificates",
        queryset=Certificate.objects.filter(current_certificates_q())
        .select_related("employer")
        .prefetch_related("categories", "brands")
        .order_by("tier", "-verified_at", "-pk"),
        to_attr="current_certificates",
    )


def _visible_answers():
    return Answer.objects.filter(is_hidden=False, question__is_hidden=False)


def _with_viewer_follows(queryset, viewer):
    if viewer is not None and viewer.is_authenticated:
        return queryset.annotate(
            viewer_follows=Exists(Follow.objects.filter(follower=viewer, followed=OuterRef("pk")))
        )
    return queryset.annotate(viewer_follows=Value(False, output_field=BooleanFieldType()))


def _expert_rows(viewer):
    """Active members with a current certificate, ready for a card."""
    current = Certificate.objects.filter(current_certificates_q())
    newest = current.filter(member=OuterRef("pk")).order_by("-first_issued_at")
    rows = (
        Member.objects.filter(is_active=True, pk__in=current.values("member_id"))
        .select_related("expert_profile")
        .annotate(
            follower_count=count_subquery(
                Follow.objects.filter(followed=OuterRef("pk"), follower__is_active=True)
            ),
            visible_answer_count=count_subquery(_visible_answers().filter(author=OuterRef("pk"))),
            expert_since=Subquery(newest.values("first_issued_at")[:1]),
        )
        .prefetch_related(_current_certificates_prefetch())
    )
    return _with_viewer_follows(rows, viewer)


def _decorate(experts) -> None:
    """Per-row words and merged fields, computed in Python from prefetched rows."""
    for expert in experts:
        certificates = expert.current_certificates
        categories, brands, employers, headlines = {}, {}, {}, []
        for certificate in certificates:
            headlines.append(certificate.headline)
            for category in certificate.categories.all():
                categories[category.pk] = category
            for brand in certificate.brands.all():
                brands[brand.pk] = brand
            if certificate.tier == Tier.BRAND_STAFF and certificate.employer_id:
                employers[certificate.employer_id] = certificate.employer
        expert.expert_categories = sorted(categories.values(), key=lambda c: c.name)
        expert.expert_brands = sorted(brands.values(), key=lambda b: b.name)
        expert.expert_employers = sorted(employers.values(), key=lambda b: b.name)
        expert.headline = headlines[0] if headlines else ""
        profile = getattr(expert, "expert_profile", None)
        expert.response_time = response_time_text(
            profile.median_response_seconds if profile else None
        )


def directory_filter_choices() -> tuple[list[Category], list[Brand]]:
    """Categories and brands in which some expert holds a current certificate (as a
    field, or for brands also as employer): the directory's filter lists."""
    current = Certificate.objects.filter(current_certificates_q(), member__is_active=True)
    categories = list(
        Category.objects.filter(
            pk__in=current.filter(categories__isnull=False).values("categories")
        ).order_by("name")
    )
    brands = list(
        Brand.objects.filter(
            Q(pk__in=current.filter(brands__isnull=False).values("brands"))
            | Q(pk__in=current.filter(employer__isnull=False).values("employer"))
        ).order_by("name")
    )
    return categories, brands


def expert_directory(
    *, filters: DirectoryFilters, page=1, viewer=None, per_page: int = EXPERTS_PER_PAGE
) -> Page:
    """One page of the directory. Filters apply to the same certificate (a field, a
    tier and a brand together), so "independent experts in tyres" does not match a
    member who is independent in coffee and brand staff for a tyre maker."""
    certificates = Certificate.objects.filter(current_certificates_q())
    if filters.field:
        certificates = certificates.filter(categories__slug=filters.field)
    if filters.tier:
        certificates = certificates.filter(tier=filters.tier)
    if filters.brand:
        certificates = certificates.filter(
            Q(brands__slug=filters.brand) | Q(employer__slug=filters.brand)
        )
    rows = _expert_rows(viewer)
    if filters.active:
        rows = rows.filter(pk__in=certificates.values("member_id"))
    rows = rows.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))
    result = Paginator(rows, per_page).get_page(page)
    result.object_list = list(result.object_list)
    _decorate(result.object_list)
    return result


def expert_suggestions(*, member, limit: int = SUGGESTIONS) -> list[Member]:
    """Experts the member does not follow yet, most answers first (the feed's empty
    state)."""
    rows = _expert_rows(member)
    if member is not None and member.is_authenticated:
        rows = rows.exclude(pk=member.pk).filter(viewer_follows=False)
    experts = list(rows.order_by(*SORTS[DEFAULT_SORT])[:limit])
    _decorate(experts)
    return experts


@dataclass
class ExpertProfilePage:
    expert: Member
    profile: object  # ExpertProfile
    certificates: list  # current ones, strongest first
    is_current: bool
    answers: list = field(default_factory=list)
    answer_total: int = 0
    endorsements: list = field(default_factory=list)
    endorsement_total: int = 0
    follower_count: int = 0
    viewer_follows: bool = False
    is_self: bool = False
    can_follow: bool = False
    can_message: bool = False
    can_ask: bool = False
    response_time: str = ""


def expert_profile_get(*, member_pk, viewer) -> ExpertProfilePage:
    """An expert's public profile: their settings and measured figures, current
    certificates, latest visible answers and endorsed published reviews. A member who
    is not (or no longer) an expert has no expert profile page; their member profile
    stays."""
    try:
        member_pk = int(member_pk)
    except (TypeError, ValueError):
        raise NotFound(_("No such expert.")) from None
    expert = (
        _with_viewer_follows(
            Member.objects.filter(pk=member_pk, is_active=True).select_related("expert_profile"),
            viewer,
        )
        .annotate(
            follower_count=count_subquery(
                Follow.objects.filter(followed=OuterRef("pk"), follower__is_active=True)
            ),
            visible_answer_count=count_subquery(_visible_answers().filter(author=OuterRef("pk"))),
        )
        .prefetch_related(_current_certificates_prefetch())
        .first()
    )
    profile = getattr(expert, "expert_profile", None) if expert is not None else None
    if profile is None:
        raise NotFound(_("No such expert."))
    _decorate([expert])
    answers = list(
        _visible_answers()
        .filter(author=expert)
        .select_related("question", "question__product", "question__category")
        .order_by("-created_at", "-pk")[:PROFILE_ANSWERS]
    )
    endorsements = endorsements_shown().filter(expert=expert)
    endorsement_total = endorsements.count()
    endorsement_rows = list(
        endorsements.select_related(
            "review",
            "review__author",
            "review__product",
            "review__product__brand",
            "brand_affiliation",
        ).order_by("-created_at", "-pk")[:PROFILE_ENDORSEMENTS]
    )
    signed_in = bool(viewer is not None and viewer.is_authenticated and viewer.is_active)
    is_self = signed_in and viewer.pk == expert.pk
    is_current = bool(expert.current_certificates)
    return ExpertProfilePage(
        expert=expert,
        profile=profile,
        certificates=expert.current_certificates,
        is_current=is_current,
        answers=answers,
        answer_total=expert.visible_answer_count,
        endorsements=endorsement_rows,
        endorsement_total=endorsement_total,
        follower_count=expert.follower_count,
        viewer_follows=bool(expert.viewer_follows),
        is_self=is_self,
        can_follow=signed_in and not is_self,
        can_message=is_current and profile.accepts_conversations and not is_self,
        can_ask=is_current and profile.accepts_questions and not is_self,
        response_time=expert.response_time,
    )


def expert_profile_of(*, member):
    """The member's own expert profile for the settings page, or None."""
    if member is None or not member.is_authenticated:
        return None
    return ExpertProfile.objects.filter(member=member).first()
