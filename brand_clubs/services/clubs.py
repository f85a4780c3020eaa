"""Writes of clubs: creating and editing them, memberships, join requests, invites, bans.

Every function checks access itself with brand_clubs.services.access, counts a rate
limit and writes in one transaction. `Club.member_count` counts ACTIVE memberships and is
changed with F() in the same transaction as the row that causes it;
`club_member_recount` re-derives it. Decisions about other people (approve, reject,
remove, ban, unban, roles, invites) are kept in ClubAuditEntry.
"""

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import (
    Brand,
    Club,
    ClubAuditEntry,
    ClubInvite,
    ClubMembership,
)
from brand_clubs.services import is_brand_staff
from brand_clubs.services.access import (
    ClubStanding,
    access_account,
    access_club_manage,
    access_club_moderate,
    access_club_own,
)
from brand_clubs.services.audit import club_audit_record
from brand_clubs.services.events import event_rsvps_withdraw
from community import realtime
from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.imaging import ImageRejected, process_image
from community.members.models import Member
from community.members.notifications import notify
from community.ratelimit import rate_limit_hit
from community.reputation.trust_services import trust_fast_track
from community.reviews.models import Review
from community.text import render_markdown

COVER_SIZES = {"card": 640, "wide": 1600}
COVER_FIELDS = ("cover_card", "cover_card_webp", "cover_wide", "cover_wide_webp")
INVITE_DEFAULT_LIFETIME = timedelta(days=14)
INVITE_MAX_LIFETIME = timedelta(days=366)
INVITE_MAX_USES = 1000
INVITE_TOKEN_BYTES = 24  # 32 URL-safe characters
REASON_MAX_LENGTH = 500
MESSAGE_MAX_LENGTH = 1000
UPDATABLE_FIELDS = frozenset(
    {"name", "slug", "visibility", "description", "rules", "cover", "remove_cover", "is_closed"}
)
Role = ClubMembership.Role
Status = ClubMembership.Status


# --- helpers --------------------------------------------------------------------------


def _not_on_yourself(actor, member) -> None:
    if actor.pk == member.pk:
        raise AccessDenied(_("You cannot do this to yourself."), code="self")


def _count_change(club: Club, delta: int) -> None:
    Club.objects.filter(pk=club.pk).update(member_count=F("member_count") + delta)


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise DomainError(_("Give a reason: it is kept in the club's log."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            _("The reason can be at most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH},
            field="reason",
        )
    return reason


def _locked_membership(*, club: Club, member) -> ClubMembership | None:
    return ClubMembership.objects.select_for_update().filter(club=club, member=member).first()


def club_managers(club: Club):
    """Who handles join requests: the club's moderators and owners, and the brand's staff."""
    managers = Q(
        club_memberships__club=club,
        club_memberships__status=Status.ACTIVE,
        club_memberships__role__in=[Role.MODERATOR, Role.OWNER],
    ) | Q(brand_links__brand_id=club.brand_id)
    return Member.objects.filter(managers, is_active=True).distinct()


# --- clubs ----------------------------------------------------------------------------


def _access_club_edit(*, user, brand: Brand, permissions: tuple[str, ...]) -> None:
    """The brand's own staff, or site staff allowed to edit clubs in the admin."""
    access_account(user=user)
    if is_brand_staff(user=user, brand=brand) or any(user.has_perm(p) for p in permissions):
        return
    raise AccessDenied(_("Only %(brand)s's staff can do this.") % {"brand": brand.name})


def _validated_club_fields(fields: dict, *, current: Club | None) -> dict:
    cleaned = {}
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            raise DomainError(_("Give the club a name."), field="name")
        if len(name) > 120:
            raise DomainError(_("The name can be at most 120 characters."), field="name")
        cleaned["name"] = name
    if "slug" in fields:
        slug = (fields["slug"] or "").strip().lower()
        try:
            validate_unicode_slug(slug)
        except ValidationError:
            raise DomainError(
                _("Use only letters, numbers, hyphens and underscores in the address."),
                field="slug",
            ) from None
        if len(slug) > 120:
            raise DomainError(_("The address can be at most 120 characters."), field="slug")
        taken = Club.objects.filter(slug=slug)
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            raise Conflict(_("Another club already uses this address."), field="slug")
        cleaned["slug"] = slug
    if "visibility" in fields:
        if fields["visibility"] not in Club.Visibility.values:
            raise DomainError(_("Choose who can join from the list."), field="visibility")
        cleaned["visibility"] = fields["visibility"]
    if "description" in fields:
        description = (fields["description"] or "").strip()
        if len(description) > 2000:
            raise DomainError(
                _("The description can be at most 2,000 characters."), field="description"
            )
        cleaned["description"] = description
    if "rules" in fields:
        rules = (fields["rules"] or "").strip()
        if len(rules) > 10_000:
            raise DomainError(_("The rules can be at most 10,000 characters."), field="rules")
        cleaned["rules"] = rules
        cleaned["rules_html"] = render_markdown(rules)
    if "is_closed" in fields:
        cleaned["is_closed"] = bool(fields["is_closed"])
    return cleaned


def _prepare_cover(cover) -> dict | None:
    """Decode and re-encode the cover before any transaction opens (slow, may fail)."""
    if cover is None:
        return None
    try:
        processed = process_image(cover, COVER_SIZES)
    except ImageRejected as exc:
        raise DomainError(exc.message, field="cover", code=exc.code) from None
    files = {}
    for (size, fmt), rendition in processed.renditions.items():
        files[f"cover_{size}" if fmt == "jpeg" else f"cover_{size}_webp"] = rendition.content
    return files


def _delete_files_on_commit(names: list[tuple]) -> None:
    def delete():
        for storage, name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


def club_create(
    *,
    actor,
    brand: Brand,
    name: str,
    slug: str,
    visibility: str,
    description: str = "",
    rules: str = "",
    cover=None,
    is_closed: bool = False,
) -> Club:
    """A new club of `brand`; a creator from the brand's staff becomes its first OWNER."""
    _access_club_edit(
        user=actor, brand=brand, permissions=("brand_clubs.add_club", "brand_clubs.change_club")
    )
    cleaned = _validated_club_fields(
        {
            "name": name,
            "slug": slug,
            "visibility": visibility,
            "description": description,
            "rules": rules,
            "is_closed": is_closed,
        },
        current=None,
    )
    rate_limit_hit(action="club_manage", key=actor.pk)
    cover_files = _prepare_cover(cover)
    creator_is_staff = is_brand_staff(user=actor, brand=brand)
    try:
        with transaction.atomic():
            club = Club(brand=brand, created_by=actor, **cleaned)
            for field_name, content in (cover_files or {}).items():
                getattr(club, field_name).save(content.name, content, save=False)
            club.save()
            if creator_is_staff:
                ClubMembership.objects.create(
                    club=club,
                    member=actor,
                    role=Role.OWNER,
                    status=Status.ACTIVE,
                    joined_at=timezone.now(),
                )
                _count_change(club, 1)
                club.member_count = 1
    except IntegrityError:
        raise Conflict(_("Another club already uses this address."), field="slug") from None
    return club


def club_update(*, club: Club, actor, **fields) -> Club:
    """Change a club's fields (any of name, slug, visibility, description, rules,
    is_closed, cover, remove_cover); replaced cover files are deleted after commit."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"club_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _access_club_edit(user=actor, brand=club.brand, permissions=("brand_clubs.change_club",))
    cleaned = _validated_club_fields(fields, current=club)
    rate_limit_hit(action="club_manage", key=actor.pk)
    cover_files = _prepare_cover(fields.get("cover"))
    old_files = [
        (getattr(club, name).storage, getattr(club, name).name)
        for name in COVER_FIELDS
        if getattr(club, name)
    ]
    try:
        with transaction.atomic():
            locked = Club.objects.select_for_update().get(pk=club.pk)
            for key, value in cleaned.items():
                setattr(locked, key, value)
            if cover_files is not None:
                for field_name, content in cover_files.items():
                    getattr(locked, field_name).save(content.name, content, save=False)
                _delete_files_on_commit(old_files)
            elif fields.get("remove_cover"):
                for field_name in COVER_FIELDS:
                    setattr(locked, field_name, "")
                _delete_files_on_commit(old_files)
            locked.save()
    except IntegrityError:
        raise Conflict(_("Another club already uses this address."), field="slug") from None
    locked.brand = club.brand
    return locked


# --- joining and leaving --------------------------------------------------------------


def club_join(*, club: Club, member, message: str = "") -> ClubMembership:
    """Public club: a member at once. Approval club: a PENDING request that the club's
    managers are told about. Invite-only club: refused (an invite link is the way in).
    The brand's own staff join any club at once, as owners."""
    access_account(user=member)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise DomainError(
            _("The message can be at most %(limit)d characters.") % {"limit": MESSAGE_MAX_LENGTH},
            field="message",
        )
    if club.is_closed:
        raise DomainError(_("This club is closed: nobody can join it now."), code="closed")
    staff = is_brand_staff(user=member, brand=club.brand)
    if club.visibility == Club.Visibility.INVITE and not staff:
        raise DomainError(
            _(
                "%(club)s is invite-only. Ask its moderators or the brand's staff for an "
                "invite link."
            )
            % {"club": club.name},
            code="invite_only",
        )
    rate_limit_hit(action="club_join", key=member.pk)
    approval = club.visibility == Club.Visibility.APPROVAL and not staff
    try:
        with transaction.atomic():
            existing = _locked_membership(club=club, member=member)
            if existing is not None:
                _refuse_existing(existing)
            membership = ClubMembership.objects.create(
                club=club,
                member=member,
                role=Role.OWNER if staff else Role.MEMBER,
                status=Status.PENDING if approval else Status.ACTIVE,
                message=message if approval else "",
                joined_at=None if approval else timezone.now(),
            )
            if approval:
                notify(
                    recipients=club_managers(club),
                    kind="club_request_received",
                    url=reverse("brand_clubs:club_requests", args=[club.slug]),
                    actor=member,
                    params={"actor": member.public_name, "club": club.name},
                )
            else:
                _count_change(club, 1)
                realtime.member_access_changed(member.pk)  # the club's room opens to them
    except IntegrityError:
        # Two submissions raced past the lock (no row to lock yet); the constraint decided.
        raise Conflict(_("You have already joined or asked to join this club.")) from None
    return membership


def _refuse_existing(existing: ClubMembership) -> None:
    if existing.status == Status.BANNED:
        raise AccessDenied(_("You are banned from this club."), code="banned")
    if existing.status == Status.PENDING:
        raise Conflict(
            _("You have already asked to join. The club's moderators will decide soon."),
            code="pending",
        )
    raise Conflict(_("You are already a member of this club."), code="already_member")


def club_leave(*, club: Club, member) -> None:
    """Leave a club, or withdraw a join request. Anyone may leave, owners included; a
    ban is not a membership and cannot be left."""
    access_account(user=member)
    rate_limit_hit(action="club_join", key=member.pk)
    with transaction.atomic():
        membership = _locked_membership(club=club, member=member)
        if membership is None:
            raise DomainError(_("You are not a member of this club."), code="not_member")
        if membership.status == Status.BANNED:
            raise AccessDenied(_("You are banned from this club."), code="banned")
        was_active = membership.status == Status.ACTIVE
        membership.delete()
        if was_active:
            _count_change(club, -1)
            realtime.member_access_changed(member.pk)  # the club's room closes to them
            if not is_brand_staff(user=member, brand=club.brand):  # staff still see them
                event_rsvps_withdraw(club=club, member=member, public_events_too=False)


# --- decisions by managers ------------------------------------------------------------


def club_request_decide(
    *, club: Club, actor, member, approve: bool, reason: str = ""
) -> ClubMembership | None:
    """Approve (the request becomes an ACTIVE membership; the member is told) or reject
    (the request is deleted). Club moderators and brand staff decide; site moderators do
    not run clubs."""
    access_club_manage(user=actor, club=club)
    _not_on_yourself(actor, member)
    reason = _clean_reason(reason, required=False)
    if approve and club.is_closed:
        raise DomainError(_("This club is closed: nobody can join it now."), code="closed")
    rate_limit_hit(action="club_manage", key=actor.pk)
    with transaction.atomic():
        request = (
            ClubMembership.objects.select_for_update()
            .filter(club=club, member=member, status=Status.PENDING)
            .first()
        )
        if request is None:
            raise NotFound(_("There is no such join request."))
        if not approve:
            request.delete()
            club_audit_record(
                club=club,
                actor=actor,
                action=ClubAuditEntry.Action.REJECT,
                member=member,
                reason=reason,
            )
            return None
        request.status = Status.ACTIVE
        request.joined_at = timezone.now()
        request.decided_by = actor
        request.save(update_fields=["status", "joined_at", "decided_by"])
        _count_change(club, 1)
        realtime.member_access_changed(member.pk)
        club_audit_record(
            club=club,
            actor=actor,
            action=ClubAuditEntry.Action.APPROVE,
            member=member,
            reason=reason,
        )
        notify(
            recipients=[member],
            kind="club_request_approved",
            url=club.get_absolute_url(),
            actor=actor,
            params={"club": club.name},
        )
    return request


def _check_may_act_on(*, standing: ClubStanding, club: Club, member, target) -> None:
    """Club moderators act on plain members only; the brand's own staff are beyond the
    club's tools (they are managed in the brand's staff list)."""
    if is_brand_staff(user=member, brand=club.brand):
        raise AccessDenied(
            _("%(name)s is on %(brand)s's staff and cannot be removed or banned here.")
            % {"name": member.public_name, "brand": club.brand.name},
            code="protected",
        )
    senior = target is not None and target.role in (Role.MODERATOR, Role.OWNER)
    if senior and not (standing.is_brand_staff or standing.is_site_moderator):
        raise AccessDenied(
            _("Club moderators cannot remove or ban other moderators or brand staff."),
            code="protected",
        )


def club_member_remove(*, club: Club, actor, member, reason: str) -> None:
    """Take an active member out of the club (they may join again; a ban stops that)."""
    standing = access_club_moderate(user=actor, club=club)
    _not_on_yourself(actor, member)
    reason = _clean_reason(reason, required=True)
    rate_limit_hit(action="club_manage", key=actor.pk)
    with transaction.atomic():
        target = _locked_membership(club=club, member=member)
        if target is None or target.status != Status.ACTIVE:
            raise NotFound(
                _("%(name)s is not a member of this club.") % {"name": member.public_name}
            )
        _check_may_act_on(standing=standing, club=club, member=member, target=target)
        target.delete()
        _count_change(club, -1)
        realtime.member_access_changed(member.pk)
        event_rsvps_withdraw(club=club, member=member, public_events_too=False)
        club_audit_record(
            club=club,
            actor=actor,
            action=ClubAuditEntry.Action.REMOVE,
            member=member,
            reason=reason,
        )


def club_member_ban(*, club: Club, actor, member, reason: str) -> ClubMembership:
    """Ban anyone, member or not: the BANNED row keeps them from joining, requesting or
    using an invite. A member's membership ends (and stops counting), and their posts
    still waiting for a moderator are rejected with the ban's reason (logged, nobody
    notified)."""
    # feed imports this module (club_managers): import it when called, not at load.
    from brand_clubs.services.feed import posts_reject_pending_of_banned

    standing = access_club_moderate(user=actor, club=club)
    _not_on_yourself(actor, member)
    reason = _clean_reason(reason, required=True)
    rate_limit_hit(action="club_manage", key=actor.pk)
    try:
        with transaction.atomic():
            target = _locked_membership(club=club, member=member)
            _check_may_act_on(standing=standing, club=club, member=member, target=target)
            if target is not None and target.status == Status.BANNED:
                raise Conflict(
                    _("%(name)s is already banned.") % {"name": member.public_name},
                    code="already_banned",
                )
            if target is None:
                target = ClubMembership(club=club, member=member)
            elif target.status == Status.ACTIVE:
                _count_change(club, -1)
            target.status = Status.BANNED
            target.role = Role.MEMBER
            target.ban_reason = reason
            target.decided_by = actor
            target.joined_at = None
            target.save()
            realtime.member_access_changed(member.pk)
            event_rsvps_withdraw(club=club, member=member, public_events_too=True)
            club_audit_record(
                club=club,
                actor=actor,
                action=ClubAuditEntry.Action.BAN,
                member=member,
                reason=reason,
            )
            posts_reject_pending_of_banned(club=club, member=member, actor=actor, reason=reason)
    except IntegrityError:
        raise Conflict(_("Someone changed this membership at the same time; try again.")) from None
    return target


def club_member_unban(*, club: Club, actor, member, reason: str = "") -> None:
    """Lift a ban: the row goes, and the person may join or ask again."""
    access_club_moderate(user=actor, club=club)
    _not_on_yourself(actor, member)
    reason = _clean_reason(reason, required=False)
    rate_limit_hit(action="club_manage", key=actor.pk)
    with transaction.atomic():
        target = _locked_membership(club=club, member=member)
        if target is None or target.status != Status.BANNED:
            raise NotFound(_("%(name)s is not banned.") % {"name": member.public_name})
        target.delete()
        club_audit_record(
            club=club, actor=actor, action=ClubAuditEntry.Action.UNBAN, member=member, reason=reason
        )


def club_member_set_role(*, club: Club, actor, member, role: str) -> ClubMembership:
    """Make an active member a club moderator or a plain member again (brand staff only).
    The OWNER role belongs to the brand's staff and is not handed out here."""
    access_club_own(user=actor, club=club)
    _not_on_yourself(actor, member)
    if role not in (Role.MEMBER, Role.MODERATOR):
        raise DomainError(_("Choose member or club moderator."), field="role")
    rate_limit_hit(action="club_manage", key=actor.pk)
    with transaction.atomic():
        target = _locked_membership(club=club, member=member)
        if target is None or target.status != Status.ACTIVE:
            raise NotFound(
                _("%(name)s is not a member of this club.") % {"name": member.public_name}
            )
        if is_brand_staff(user=member, brand=club.brand):
            raise AccessDenied(
                _("%(name)s is on %(brand)s's staff; their role follows from that.")
                % {"name": member.public_name, "brand": club.brand.name},
                code="protected",
            )
        if target.role == role:
            return target
        old_label = target.get_role_display()
        target.role = role
        target.decided_by = actor
        target.save(update_fields=["role", "decided_by"])
        realtime.member_access_changed(member.pk)  # moderators read every event room
        new_label = target.get_role_display()
        club_audit_record(
            club=club,
            actor=actor,
            action=ClubAuditEntry.Action.ROLE,
            member=member,
            target_repr=f"{member.public_name}: {old_label} → {new_label}",
        )
        notify(
            recipients=[member],
            kind="club_role_changed",
            url=club.get_absolute_url(),
            actor=actor,
            params={"role": new_label, "club": club.name},
        )
    return target


def club_member_recount(*, club: Club) -> int:
    """Re-derive member_count from the ACTIVE rows (repairs drift; tests compare)."""
    count = ClubMembership.objects.filter(club=club, status=Status.ACTIVE).count()
    Club.objects.filter(pk=club.pk).update(member_count=count)
    club.member_count = count
    return count


# --- invites --------------------------------------------------------------------------


def club_invite_create(
    *,
    club: Club,
    actor,
    max_uses: int = 1,
    expires_at: datetime | None = None,
    requires_verified_purchase: bool = False,
    label: str = "",
) -> ClubInvite:
    access_club_manage(user=actor, club=club)
    if club.is_closed:
        raise DomainError(_("This club is closed: nobody can join it now."), code="closed")
    if isinstance(max_uses, bool) or not isinstance(max_uses, int):
        raise DomainError(_("Enter a whole number of uses."), field="max_uses")
    if not 1 <= max_uses <= INVITE_MAX_USES:
        raise DomainError(
            _("An invite can be used from 1 to %(limit)d times.") % {"limit": INVITE_MAX_USES},
            field="max_uses",
        )
    now = timezone.now()
    expires_at = expires_at or now + INVITE_DEFAULT_LIFETIME
    if expires_at <= now:
        raise DomainError(_("Choose an expiry date in the future."), field="expires_at")
    if expires_at > now + INVITE_MAX_LIFETIME:
        raise DomainError(_("An invite can last at most a year."), field="expires_at")
    label = (label or "").strip()
    if len(label) > 120:
        raise DomainError(_("The label can be at most 120 characters."), field="label")
    rate_limit_hit(action="club_invite", key=actor.pk)
    with transaction.atomic():
        invite = ClubInvite.objects.create(
            club=club,
            token=secrets.token_urlsafe(INVITE_TOKEN_BYTES),
            label=label,
            max_uses=max_uses,
            expires_at=expires_at,
            requires_verified_purchase=bool(requires_verified_purchase),
            created_by=actor,
        )
        club_audit_record(
            club=club,
            actor=actor,
            action=ClubAuditEntry.Action.INVITE,
            target_repr=label or _("Invite %(id)d") % {"id": invite.pk},
        )
    return invite


def club_invite_revoke(*, club: Club, actor, invite: ClubInvite) -> ClubInvite:
    access_club_manage(user=actor, club=club)
    if invite.club_id != club.pk:
        raise NotFound(_("There is no such invite."))
    rate_limit_hit(action="club_invite", key=actor.pk)
    with transaction.atomic():
        locked = ClubInvite.objects.select_for_update().get(pk=invite.pk)
        if locked.revoked_at is not None:
            raise Conflict(_("This invite was already revoked."), code="already_revoked")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        club_audit_record(
            club=club,
            actor=actor,
            action=ClubAuditEntry.Action.REVOKE_INVITE,
            target_repr=locked.label or _("Invite %(id)d") % {"id": locked.pk},
        )
    return locked


def invite_problem(invite: ClubInvite, *, now: datetime | None = None) -> DomainError | None:
    """Why an invite cannot be used right now (for anyone), or None."""
    now = now or timezone.now()
    if invite.revoked_at is not None:
        return DomainError(_("This invite was revoked."), code="invite_revoked")
    if invite.expires_at is not None and invite.expires_at <= now:
        return DomainError(_("This invite has expired."), code="invite_expired")
    if invite.use_count >= invite.max_uses:
        return DomainError(_("This invite has been used up."), code="invite_used_up")
    if invite.club.is_closed:
        return DomainError(_("This club is closed: nobody can join it now."), code="closed")
    return None


def has_verified_purchase(*, member, brand_id: int) -> bool:
    """A published, verified-purchase review of one of the brand's products."""
    return Review.objects.filter(
        author=member,
        product__brand_id=brand_id,
        status=Review.Status.PUBLISHED,
        verified_purchase=True,
    ).exists()


def club_invite_redeem(*, token: str, member) -> ClubMembership:
    """Join a club through an invite link. The invite row is locked so that two people
    racing for the last use cannot both get in. An invite is a fast track: a new member
    reaches trust level 1 (Basic) with it."""
    access_account(user=member)
    rate_limit_hit(action="club_join", key=member.pk)  # before the lookup: no token guessing
    token = (token or "").strip()
    unknown = DomainError(_("This invite link is not valid."), code="invite_unknown")
    if not token or len(token) > 64:
        raise unknown
    with transaction.atomic():
        invite = (
            ClubInvite.objects.select_for_update(of=("self",))
            .select_related("club", "club__brand")
            .filter(token=token)
            .first()
        )
        if invite is None:
            raise unknown
        club = invite.club
        problem = invite_problem(invite)
        if problem is not None:
            raise problem
        existing = _locked_membership(club=club, member=member)
        if existing is not None and existing.status != Status.PENDING:
            _refuse_existing(existing)
        if invite.requires_verified_purchase and not has_verified_purchase(
            member=member, brand_id=club.brand_id
        ):
            raise DomainError(
                _(
                    "This invite is for verified buyers of %(brand)s: it needs a review of one "
                    "of their products labelled “Verified purchase”."
                )
                % {"brand": club.brand.name},
                code="verified_purchase_required",
            )
        membership = existing or ClubMembership(club=club, member=member)
        membership.status = Status.ACTIVE
        membership.role = (
            Role.OWNER if is_brand_staff(user=member, brand=club.brand) else Role.MEMBER
        )
        membership.invite = invite
        membership.joined_at = timezone.now()
        membership.save()
        realtime.member_access_changed(member.pk)
        ClubInvite.objects.filter(pk=invite.pk).update(use_count=F("use_count") + 1)
        _count_change(club, 1)
        # Someone at the club vouched for them: a new member is Basic at once (the
        # ledger row names the invite). Members already at Basic or above are unchanged.
        trust_fast_track(member=member, source=invite)
    return membership
