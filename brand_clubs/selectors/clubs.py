"""Reads of clubs: the directory, one club, its members, requests, invites and log.

Lists select their related rows and annotate the viewer's own standing (Exists /
Subquery) so that a page runs the same number of queries however long it is.
"""

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from brand_clubs.models import (
    Brand,
    BrandStaff,
    Club,
    ClubAuditEntry,
    ClubInvite,
    ClubMembership,
    ClubPage,
)
from community.errors import NotFound
from community.members.models import Member

Status = ClubMembership.Status
Role = ClubMembership.Role


def _signed_in(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def club_list(*, viewer, brand_slug: str | None = None, mine: bool = False) -> QuerySet:
    """The directory, by name. Each club carries `viewer_status` (the viewer's
    membership status or None) and `viewer_is_staff` (they staff its brand). "Mine" is
    the clubs the viewer belongs to or asked to join, and those of brands they staff."""
    clubs = Club.objects.select_related("brand").order_by("name", "pk")
    if brand_slug:
        clubs = clubs.filter(brand__slug=brand_slug)
    if not _signed_in(viewer):
        if mine:
            return clubs.none()
        return clubs.annotate(
            viewer_status=Value(None, output_field=CharField()),
            viewer_is_staff=Value(False, output_field=BooleanField()),
        )
    own = ClubMembership.objects.filter(club=OuterRef("pk"), member=viewer)
    staffs = BrandStaff.objects.filter(brand=OuterRef("brand_id"), member=viewer)
    clubs = clubs.annotate(
        viewer_status=Subquery(own.values("status")[:1]), viewer_is_staff=Exists(staffs)
    )
    if mine:
        belongs = own.filter(status__in=[Status.ACTIVE, Status.PENDING])
        clubs = clubs.filter(Exists(belongs) | Exists(staffs))
    return clubs


def brand_list_with_clubs() -> QuerySet:
    """Brands for the directory's filter: only those that have clubs."""
    return Brand.objects.filter(Exists(Club.objects.filter(brand=OuterRef("pk")))).order_by("name")


def club_get(*, slug) -> Club:
    try:
        return Club.objects.select_related("brand").get(slug=str(slug))
    except Club.DoesNotExist:
        raise NotFound(_("There is no such club.")) from None


def club_list_for_brand(*, brand) -> list[Club]:
    """The brand's clubs for its product and brand pages, in one query."""
    return list(Club.objects.filter(brand=brand).order_by("name", "pk"))


def _role_order():
    return Case(
        When(role=Role.OWNER, then=Value(0)),
        When(role=Role.MODERATOR, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def club_member_list(*, club) -> QuerySet:
    """Active members: brand staff (owners) and moderators first, then by joining date."""
    return (
        ClubMembership.objects.filter(club=club, status=Status.ACTIVE)
        .select_related("member")
        .annotate(role_order=_role_order())
        .order_by("role_order", "joined_at", "pk")
    )


def club_banned_list(*, club) -> QuerySet:
    return (
        ClubMembership.objects.filter(club=club, status=Status.BANNED)
        .select_related("member", "decided_by")
        .order_by("member__display_name", "pk")
    )


def club_request_list(*, club) -> QuerySet:
    """Pending join requests, oldest first (first come, first decided)."""
    return (
        ClubMembership.objects.filter(club=club, status=Status.PENDING)
        .select_related("member")
        .order_by("created_at", "pk")
    )


def club_request_count(*, club) -> int:
    return ClubMembership.objects.filter(club=club, status=Status.PENDING).count()


def club_invite_list(*, club) -> QuerySet:
    return (
        ClubInvite.objects.filter(club=club)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def club_invite_get(*, club, pk) -> ClubInvite:
    """One invite of this club; another club's invite is "not found" here."""
    try:
        return ClubInvite.objects.select_related("club").get(club=club, pk=int(pk))
    except (ClubInvite.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no such invite.")) from None


def club_invite_by_token(*, token) -> ClubInvite | None:
    token = str(token or "").strip()
    if not token or len(token) > 64:
        return None
    return ClubInvite.objects.select_related("club", "club__brand").filter(token=token).first()


def club_audit_list(*, club) -> QuerySet:
    return ClubAuditEntry.objects.filter(club=club).select_related("actor", "target_member")


def club_brand_staff_ids(*, club) -> set[int]:
    """Ids of the brand's staff: the members page marks them and offers them no actions."""
    return set(
        BrandStaff.objects.filter(brand_id=club.brand_id).values_list("member_id", flat=True)
    )


def club_action_target(*, member_id) -> Member:
    """The person a moderation action is about (they need not be a member: bans)."""
    try:
        return Member.objects.get(pk=int(member_id))
    except (Member.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no such member.")) from None


def club_live_page(*, club):
    """The club's published landing page, or None."""
    return ClubPage.objects.live().filter(club=club).first()
