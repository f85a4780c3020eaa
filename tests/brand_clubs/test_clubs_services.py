"""brand_clubs.services.clubs: creating clubs, memberships, requests, bans, roles,
invites, the audit log and the maintained member count."""

import random
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.utils import timezone

from brand_clubs.models import Club, ClubAuditEntry, ClubInvite, ClubMembership
from brand_clubs.services import clubs as services
from community.errors import AccessDenied, Conflict, DomainError, NotFound, RateLimited
from community.members.models import Notification
from community.reviews.models import Review
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    MemberFactory,
    ModeratorFactory,
    ProductFactory,
    ReviewFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db

Status = ClubMembership.Status
Role = ClubMembership.Role


def _club(visibility=Club.Visibility.PUBLIC, **kwargs):
    return ClubFactory(visibility=visibility, **kwargs)


def _staff(club):
    return BrandStaffFactory(brand=club.brand).member


def _member(club, role=Role.MEMBER, **kwargs):
    """An active member added through the service-maintained count."""
    membership = ClubMembershipFactory(club=club, role=role, **kwargs)
    if membership.status == Status.ACTIVE:
        services.club_member_recount(club=club)
    return membership.member


def _count(club):
    club.refresh_from_db()
    return club.member_count


def _status(club, member):
    row = ClubMembership.objects.filter(club=club, member=member).first()
    return row.status if row else None


def _actions(club):
    return list(ClubAuditEntry.objects.filter(club=club).values_list("action", flat=True))


# --- creating and editing clubs -----------------------------------------------------


def test_brand_staff_creates_club_and_becomes_owner():
    brand = BrandFactory()
    staff = BrandStaffFactory(brand=brand).member
    club = services.club_create(
        actor=staff,
        brand=brand,
        name="  Road riders ",
        slug="road-riders",
        visibility=Club.Visibility.APPROVAL,
        rules="Be **kind**. <script>alert(1)</script>",
    )
    assert club.name == "Road riders"
    assert "<strong>kind</strong>" in club.rules_html
    assert "<script>" not in club.rules_html
    owner = ClubMembership.objects.get(club=club)
    assert (owner.member, owner.role, owner.status) == (staff, Role.OWNER, Status.ACTIVE)
    assert _count(club) == 1


def test_site_staff_with_permission_creates_club_without_membership():
    brand = BrandFactory()
    admin = MemberFactory(is_staff=True)
    admin.user_permissions.add(Permission.objects.get(codename="add_club"))
    club = services.club_create(
        actor=admin, brand=brand, name="Club", slug="club-x", visibility="public"
    )
    assert not club.memberships.exists()
    assert _count(club) == 0


@pytest.mark.parametrize("who", ["anonymous", "member", "other_brand_staff", "moderator"])
def test_only_brand_staff_or_permitted_staff_create_clubs(who):
    brand = BrandFactory()
    actor = {
        "anonymous": AnonymousUser(),
        "member": MemberFactory(),
        "other_brand_staff": BrandStaffFactory().member,
        "moderator": ModeratorFactory(),
    }[who]
    with pytest.raises(AccessDenied):
        services.club_create(actor=actor, brand=brand, name="X", slug="x", visibility="public")
    assert not Club.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"slug": "no spaces!"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"visibility": "secret"}, "visibility"),
        ({"description": "x" * 2001}, "description"),
        ({"rules": "x" * 10_001}, "rules"),
    ],
)
def test_club_create_validates(fields, field):
    brand = BrandFactory()
    staff = BrandStaffFactory(brand=brand).member
    values = {"name": "Club", "slug": "club", "visibility": "public", **fields}
    with pytest.raises(DomainError) as exc:
        services.club_create(actor=staff, brand=brand, **values)
    assert exc.value.field == field


def test_duplicate_slug_is_a_conflict():
    club = _club(slug="taken")
    staff = _staff(club)
    with pytest.raises(Conflict) as exc:
        services.club_create(
            actor=staff, brand=club.brand, name="X", slug="taken", visibility="public"
        )
    assert exc.value.field == "slug"


def test_cover_is_re_encoded_in_two_sizes_and_formats():
    brand = BrandFactory()
    staff = BrandStaffFactory(brand=brand).member
    club = services.club_create(
        actor=staff,
        brand=brand,
        name="Covered",
        slug="covered",
        visibility="public",
        cover=image_upload("cover.png", size=(2000, 1000), fmt="PNG"),
    )
    for name in services.COVER_FIELDS:
        assert getattr(club, name).name
    assert club.cover_card.name.endswith(".jpg") and club.cover_wide_webp.name.endswith(".webp")


def test_fake_cover_is_refused_before_anything_is_written():
    brand = BrandFactory()
    staff = BrandStaffFactory(brand=brand).member
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cover.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(DomainError) as exc:
        services.club_create(
            actor=staff, brand=brand, name="X", slug="x", visibility="public", cover=fake
        )
    assert exc.value.field == "cover"
    assert not Club.objects.exists()


def test_oversized_cover_is_refused(settings):
    settings.IMAGE_MAX_BYTES = 1000
    club = _club()
    with pytest.raises(DomainError) as exc:
        services.club_update(
            club=club, actor=_staff(club), cover=image_upload(size=(800, 800), fmt="PNG")
        )
    assert exc.value.field == "cover"


def test_club_update_changes_fields_and_replaces_cover(django_capture_on_commit_callbacks):
    club = _club()
    staff = _staff(club)
    with django_capture_on_commit_callbacks(execute=True):
        club = services.club_update(
            club=club, actor=staff, cover=image_upload(size=(700, 400)), name="Renamed"
        )
    old_name = club.cover_card.name
    storage = club.cover_card.storage
    assert storage.exists(old_name)
    with django_capture_on_commit_callbacks(execute=True):
        club = services.club_update(
            club=club, actor=staff, cover=image_upload(size=(700, 400), color=(1, 2, 3))
        )
    assert club.cover_card.name != old_name
    assert not storage.exists(old_name)
    with django_capture_on_commit_callbacks(execute=True):
        club = services.club_update(club=club, actor=staff, remove_cover=True, is_closed=True)
    club.refresh_from_db()
    assert not club.cover_card and club.is_closed and club.name == "Renamed"


def test_club_update_refuses_other_brands_and_unknown_fields():
    club = _club()
    with pytest.raises(AccessDenied):
        services.club_update(club=club, actor=BrandStaffFactory().member, name="Mine now")
    with pytest.raises(TypeError):
        services.club_update(club=club, actor=_staff(club), member_count=999)
    club.refresh_from_db()
    assert club.name != "Mine now"


# --- joining ------------------------------------------------------------------------


def test_join_public_club_is_immediate():
    club = _club()
    member = MemberFactory()
    membership = services.club_join(club=club, member=member, message="ignored")
    assert membership.status == Status.ACTIVE and membership.joined_at is not None
    assert membership.message == ""
    assert _count(club) == 1


def test_join_approval_club_creates_request_and_tells_managers():
    club = _club(Club.Visibility.APPROVAL)
    moderator = _member(club, role=Role.MODERATOR)
    staff = _staff(club)
    plain = _member(club)
    applicant = MemberFactory(display_name="Applicant")
    membership = services.club_join(club=club, member=applicant, message="  I ride a K1600 ")
    assert membership.status == Status.PENDING
    assert membership.message == "I ride a K1600"
    assert _count(club) == 2  # moderator and plain member; the request does not count
    told = set(
        Notification.objects.filter(kind="club_request_received").values_list(
            "recipient", flat=True
        )
    )
    assert told == {moderator.pk, staff.pk}
    assert plain.pk not in told


def test_join_invite_only_club_points_to_invites():
    club = _club(Club.Visibility.INVITE, name="VIP")
    with pytest.raises(DomainError) as exc:
        services.club_join(club=club, member=MemberFactory())
    assert exc.value.code == "invite_only"
    assert "invite" in str(exc.value.message)
    assert not club.memberships.exists()


def test_brand_staff_join_any_club_as_owner():
    club = _club(Club.Visibility.INVITE)
    staff = _staff(club)
    membership = services.club_join(club=club, member=staff)
    assert (membership.role, membership.status) == (Role.OWNER, Status.ACTIVE)


def test_join_closed_club_is_refused():
    club = _club(is_closed=True)
    with pytest.raises(DomainError) as exc:
        services.club_join(club=club, member=MemberFactory())
    assert exc.value.code == "closed"


def test_join_twice_or_while_pending_is_a_conflict():
    club = _club()
    member = MemberFactory()
    services.club_join(club=club, member=member)
    with pytest.raises(Conflict):
        services.club_join(club=club, member=member)
    approval = _club(Club.Visibility.APPROVAL)
    services.club_join(club=approval, member=member)
    with pytest.raises(Conflict) as exc:
        services.club_join(club=approval, member=member)
    assert exc.value.code == "pending"
    assert _count(club) == 1


def test_banned_member_cannot_rejoin():
    club = _club()
    member = _member(club)
    services.club_member_ban(club=club, actor=_staff(club), member=member, reason="spam")
    with pytest.raises(AccessDenied) as exc:
        services.club_join(club=club, member=member)
    assert exc.value.code == "banned"
    with pytest.raises(AccessDenied):
        services.club_leave(club=club, member=member)  # a ban cannot be left
    assert _status(club, member) == Status.BANNED


def test_join_requires_an_active_account():
    club = _club()
    with pytest.raises(AccessDenied):
        services.club_join(club=club, member=AnonymousUser())
    with pytest.raises(AccessDenied):
        services.club_join(club=club, member=MemberFactory(is_active=False))


def test_join_message_is_bounded():
    with pytest.raises(DomainError) as exc:
        services.club_join(
            club=_club(Club.Visibility.APPROVAL), member=MemberFactory(), message="x" * 1001
        )
    assert exc.value.field == "message"


def test_join_is_rate_limited(settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "club_join": (2, 3600)}
    member = MemberFactory()
    services.club_join(club=_club(), member=member)
    services.club_join(club=_club(), member=member)
    with pytest.raises(RateLimited):
        services.club_join(club=_club(), member=member)


# --- leaving ------------------------------------------------------------------------


def test_leave_and_withdraw():
    club = _club()
    member = _member(club)
    services.club_leave(club=club, member=member)
    assert _status(club, member) is None and _count(club) == 0
    approval = _club(Club.Visibility.APPROVAL)
    services.club_join(club=approval, member=member)
    services.club_leave(club=approval, member=member)
    assert _status(approval, member) is None and _count(approval) == 0
    with pytest.raises(DomainError) as exc:
        services.club_leave(club=club, member=member)
    assert exc.value.code == "not_member"


def test_owner_from_brand_staff_may_leave():
    club = _club()
    staff = _staff(club)
    services.club_join(club=club, member=staff)
    services.club_leave(club=club, member=staff)
    assert _count(club) == 0


# --- requests -----------------------------------------------------------------------


def test_approve_request_activates_and_notifies():
    club = _club(Club.Visibility.APPROVAL)
    moderator = _member(club, role=Role.MODERATOR)
    applicant = MemberFactory()
    services.club_join(club=club, member=applicant)
    services.club_request_decide(club=club, actor=moderator, member=applicant, approve=True)
    row = ClubMembership.objects.get(club=club, member=applicant)
    assert row.status == Status.ACTIVE and row.decided_by == moderator
    assert _count(club) == 2
    assert Notification.objects.filter(recipient=applicant, kind="club_request_approved").exists()
    assert _actions(club) == [ClubAuditEntry.Action.APPROVE]


def test_reject_request_deletes_it_and_logs_reason():
    club = _club(Club.Visibility.APPROVAL)
    staff = _staff(club)
    applicant = MemberFactory()
    services.club_join(club=club, member=applicant)
    services.club_request_decide(
        club=club, actor=staff, member=applicant, approve=False, reason="Not an owner"
    )
    assert _status(club, applicant) is None
    entry = ClubAuditEntry.objects.get(club=club)
    assert (entry.action, entry.reason, entry.target_member) == (
        "reject",
        "Not an owner",
        applicant,
    )


def test_site_moderators_and_members_do_not_decide_requests():
    club = _club(Club.Visibility.APPROVAL)
    applicant = MemberFactory()
    services.club_join(club=club, member=applicant)
    for actor in (ModeratorFactory(), _member(club), BrandStaffFactory().member, AnonymousUser()):
        with pytest.raises(AccessDenied):
            services.club_request_decide(club=club, actor=actor, member=applicant, approve=True)
    assert _status(club, applicant) == Status.PENDING


def test_deciding_a_request_of_another_club_is_not_found():
    club = _club(Club.Visibility.APPROVAL)
    other = _club(Club.Visibility.APPROVAL)
    applicant = MemberFactory()
    services.club_join(club=other, member=applicant)
    with pytest.raises(NotFound):
        services.club_request_decide(club=club, actor=_staff(club), member=applicant, approve=True)
    assert _status(other, applicant) == Status.PENDING
    with pytest.raises(NotFound):  # an active member is not a request
        services.club_request_decide(
            club=club, actor=_staff(club), member=_member(club), approve=False
        )


def test_approving_in_a_closed_club_is_refused():
    club = _club(Club.Visibility.APPROVAL)
    applicant = MemberFactory()
    services.club_join(club=club, member=applicant)
    Club.objects.filter(pk=club.pk).update(is_closed=True)
    club.refresh_from_db()
    with pytest.raises(DomainError):
        services.club_request_decide(club=club, actor=_staff(club), member=applicant, approve=True)


# --- remove, ban, unban -------------------------------------------------------------


def test_club_moderator_removes_a_member_with_a_reason():
    club = _club()
    moderator = _member(club, role=Role.MODERATOR)
    member = _member(club)
    with pytest.raises(DomainError) as exc:
        services.club_member_remove(club=club, actor=moderator, member=member, reason="  ")
    assert exc.value.field == "reason"
    services.club_member_remove(club=club, actor=moderator, member=member, reason="Spam")
    assert _status(club, member) is None and _count(club) == 1
    assert _actions(club) == ["remove"]
    services.club_join(club=club, member=member)  # removal is not a ban


def test_club_moderator_cannot_remove_or_ban_moderators_or_owners():
    club = _club()
    moderator = _member(club, role=Role.MODERATOR)
    other_moderator = _member(club, role=Role.MODERATOR)
    former_staff_owner = _member(club, role=Role.OWNER)
    for target in (other_moderator, former_staff_owner):
        with pytest.raises(AccessDenied):
            services.club_member_remove(club=club, actor=moderator, member=target, reason="x")
        with pytest.raises(AccessDenied):
            services.club_member_ban(club=club, actor=moderator, member=target, reason="x")
    assert _count(club) == 3
    assert _actions(club) == []


def test_nobody_removes_or_bans_the_brands_staff():
    club = _club()
    staff = _staff(club)
    services.club_join(club=club, member=staff)
    for actor in (_staff(club), ModeratorFactory()):
        with pytest.raises(AccessDenied):
            services.club_member_remove(club=club, actor=actor, member=staff, reason="x")
        with pytest.raises(AccessDenied):
            services.club_member_ban(club=club, actor=actor, member=staff, reason="x")


def test_brand_staff_and_site_moderators_remove_moderators():
    club = _club()
    first = _member(club, role=Role.MODERATOR)
    second = _member(club, role=Role.MODERATOR)
    services.club_member_remove(club=club, actor=_staff(club), member=first, reason="Inactive")
    services.club_member_ban(club=club, actor=ModeratorFactory(), member=second, reason="Abuse")
    assert _count(club) == 0


def test_nobody_acts_on_themselves():
    club = _club()
    staff = _staff(club)
    services.club_join(club=club, member=staff)
    moderator = _member(club, role=Role.MODERATOR)
    with pytest.raises(AccessDenied):
        services.club_member_remove(club=club, actor=moderator, member=moderator, reason="x")
    with pytest.raises(AccessDenied):
        services.club_member_ban(club=club, actor=moderator, member=moderator, reason="x")
    with pytest.raises(AccessDenied):
        services.club_member_set_role(club=club, actor=staff, member=staff, role=Role.MEMBER)


def test_plain_members_and_outsiders_cannot_remove():
    club = _club()
    target = _member(club)
    for actor in (_member(club), MemberFactory(), BrandStaffFactory().member, AnonymousUser()):
        with pytest.raises(AccessDenied):
            services.club_member_remove(club=club, actor=actor, member=target, reason="x")
    assert _status(club, target) == Status.ACTIVE


def test_removing_someone_of_another_club_is_not_found():
    club = _club()
    other = _club()
    outsider = _member(other)
    with pytest.raises(NotFound):
        services.club_member_remove(club=club, actor=_staff(club), member=outsider, reason="x")
    assert _status(other, outsider) == Status.ACTIVE and _count(other) == 1


def test_ban_a_non_member_pre_emptively_then_unban():
    club = _club()
    staff = _staff(club)
    stranger = MemberFactory()
    services.club_member_ban(club=club, actor=staff, member=stranger, reason="Known troll")
    assert _status(club, stranger) == Status.BANNED and _count(club) == 0
    with pytest.raises(Conflict):
        services.club_member_ban(club=club, actor=staff, member=stranger, reason="again")
    services.club_member_unban(club=club, actor=staff, member=stranger)
    assert _status(club, stranger) is None
    services.club_join(club=club, member=stranger)
    assert _actions(club) == ["unban", "ban"]


def test_ban_ends_membership_and_pending_request():
    club = _club(Club.Visibility.APPROVAL)
    staff = _staff(club)
    member = _member(club, role=Role.MODERATOR)
    applicant = MemberFactory()
    services.club_join(club=club, member=applicant)
    services.club_member_ban(club=club, actor=staff, member=member, reason="Abuse")
    services.club_member_ban(club=club, actor=staff, member=applicant, reason="Spam request")
    assert _count(club) == 0
    banned = ClubMembership.objects.get(club=club, member=member)
    assert (banned.status, banned.role, banned.ban_reason) == (Status.BANNED, Role.MEMBER, "Abuse")


def test_unban_of_someone_not_banned_is_not_found():
    club = _club()
    with pytest.raises(NotFound):
        services.club_member_unban(club=club, actor=_staff(club), member=_member(club))


# --- roles --------------------------------------------------------------------------


def test_brand_staff_make_and_unmake_moderators():
    club = _club()
    staff = _staff(club)
    member = _member(club)
    services.club_member_set_role(club=club, actor=staff, member=member, role=Role.MODERATOR)
    assert ClubMembership.objects.get(club=club, member=member).role == Role.MODERATOR
    assert Notification.objects.filter(recipient=member, kind="club_role_changed").exists()
    services.club_member_set_role(club=club, actor=staff, member=member, role=Role.MEMBER)
    assert ClubMembership.objects.get(club=club, member=member).role == Role.MEMBER
    assert _actions(club) == ["role", "role"]


def test_only_brand_staff_set_roles():
    club = _club()
    member = _member(club)
    moderator = _member(club, role=Role.MODERATOR)
    for actor in (moderator, ModeratorFactory(), BrandStaffFactory().member):
        with pytest.raises(AccessDenied):
            services.club_member_set_role(
                club=club, actor=actor, member=member, role=Role.MODERATOR
            )


@pytest.mark.parametrize("role", [Role.OWNER, "admin", ""])
def test_set_role_refuses_other_roles(role):
    club = _club()
    with pytest.raises(DomainError) as exc:
        services.club_member_set_role(
            club=club, actor=_staff(club), member=_member(club), role=role
        )
    assert exc.value.field == "role"


def test_set_role_needs_an_active_member_of_this_club():
    club = _club()
    with pytest.raises(NotFound):
        services.club_member_set_role(
            club=club, actor=_staff(club), member=_member(_club()), role=Role.MODERATOR
        )


# --- invites ------------------------------------------------------------------------


def _invite(club, **kwargs):
    actor = kwargs.pop("actor", None) or _staff(club)
    return services.club_invite_create(club=club, actor=actor, **kwargs)


def test_invite_defaults_and_audit():
    club = _club(Club.Visibility.INVITE)
    invite = _invite(club, label="Dealers")
    assert len(invite.token) >= 30 and invite.max_uses == 1
    assert timedelta(days=13) < invite.expires_at - timezone.now() <= timedelta(days=14)
    assert _actions(club) == ["invite"]


def test_invite_tokens_are_unique():
    club = _club(Club.Visibility.INVITE)
    tokens = {_invite(club).token for _ in range(20)}
    assert len(tokens) == 20


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_uses": 0}, "max_uses"),
        ({"max_uses": 100_000}, "max_uses"),
        ({"max_uses": "3"}, "max_uses"),
        ({"max_uses": True}, "max_uses"),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expires_at"),
        ({"expires_at": timezone.now() + timedelta(days=800)}, "expires_at"),
        ({"label": "x" * 121}, "label"),
    ],
)
def test_invite_create_validates(kwargs, field):
    with pytest.raises(DomainError) as exc:
        _invite(_club(Club.Visibility.INVITE), **kwargs)
    assert exc.value.field == field


def test_invites_are_created_by_managers_only():
    club = _club(Club.Visibility.INVITE)
    for actor in (_member(club), ModeratorFactory(), BrandStaffFactory().member):
        with pytest.raises(AccessDenied):
            services.club_invite_create(club=club, actor=actor)
    moderator = _member(club, role=Role.MODERATOR)
    assert services.club_invite_create(club=club, actor=moderator).pk


def test_redeem_invite_joins_and_counts_use():
    club = _club(Club.Visibility.INVITE)
    invite = _invite(club, max_uses=2)
    member = MemberFactory()
    membership = services.club_invite_redeem(token=invite.token, member=member)
    assert membership.status == Status.ACTIVE and membership.invite == invite
    invite.refresh_from_db()
    assert invite.use_count == 1 and _count(club) == 1


def test_reused_single_use_invite_is_refused():
    club = _club(Club.Visibility.INVITE)
    invite = _invite(club)
    services.club_invite_redeem(token=invite.token, member=MemberFactory())
    with pytest.raises(DomainError) as exc:
        services.club_invite_redeem(token=invite.token, member=MemberFactory())
    assert exc.value.code == "invite_used_up"
    assert _count(club) == 1


def test_expired_invite_is_refused():
    club = _club(Club.Visibility.INVITE)
    invite = _invite(club)
    ClubInvite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as exc:
        services.club_invite_redeem(token=invite.token, member=MemberFactory())
    assert exc.value.code == "invite_expired"


def test_revoked_invite_is_refused_and_cannot_be_revoked_twice():
    club = _club(Club.Visibility.INVITE)
    staff = _staff(club)
    invite = _invite(club, actor=staff)
    services.club_invite_revoke(club=club, actor=staff, invite=invite)
    with pytest.raises(Conflict):
        services.club_invite_revoke(club=club, actor=staff, invite=invite)
    with pytest.raises(DomainError) as exc:
        services.club_invite_redeem(token=invite.token, member=MemberFactory())
    assert exc.value.code == "invite_revoked"
    assert _actions(club) == ["revoke_invite", "invite"]


def test_revoking_another_clubs_invite_is_not_found():
    club = _club(Club.Visibility.INVITE)
    other_invite = _invite(_club(Club.Visibility.INVITE))
    with pytest.raises(NotFound):
        services.club_invite_revoke(club=club, actor=_staff(club), invite=other_invite)
    other_invite.refresh_from_db()
    assert other_invite.revoked_at is None


@pytest.mark.parametrize("token", ["", "   ", "nope", "x" * 65, "' OR 1=1 --"])
def test_unknown_token_is_refused(token):
    _invite(_club(Club.Visibility.INVITE))
    with pytest.raises(DomainError) as exc:
        services.club_invite_redeem(token=token, member=MemberFactory())
    assert exc.value.code == "invite_unknown"


def test_invite_refuses_members_and_banned():
    club = _club(Club.Visibility.INVITE)
    staff = _staff(club)
    invite = _invite(club, actor=staff, max_uses=5)
    member = _member(club)
    with pytest.raises(Conflict):
        services.club_invite_redeem(token=invite.token, member=member)
    banned = MemberFactory()
    services.club_member_ban(club=club, actor=staff, member=banned, reason="Troll")
    with pytest.raises(AccessDenied):
        services.club_invite_redeem(token=invite.token, member=banned)
    invite.refresh_from_db()
    assert invite.use_count == 0


def test_invite_turns_a_pending_request_into_membership():
    club = _club(Club.Visibility.APPROVAL)
    applicant = MemberFactory()
    services.club_join(club=club, member=applicant)
    services.club_invite_redeem(token=_invite(club).token, member=applicant)
    assert _status(club, applicant) == Status.ACTIVE and _count(club) == 1


def test_invite_for_closed_club_is_refused():
    club = _club(Club.Visibility.INVITE)
    invite = _invite(club)
    Club.objects.filter(pk=club.pk).update(is_closed=True)
    with pytest.raises(DomainError) as exc:
        services.club_invite_redeem(token=invite.token, member=MemberFactory())
    assert exc.value.code == "closed"


def test_verified_purchase_invite_needs_a_verified_review_of_the_brand():
    club = _club(Club.Visibility.INVITE)
    invite = _invite(club, requires_verified_purchase=True, max_uses=5)
    member = MemberFactory()
    # Unverified review of the brand, verified review of another brand, hidden verified one.
    ReviewFactory(author=member, product=ProductFactory(brand=club.brand))
    ReviewFactory(author=member, verified_purchase=True)
    ReviewFactory(
        author=member,
        product=ProductFactory(brand=club.brand),
        verified_purchase=True,
        status=Review.Status.HIDDEN,
    )
    with pytest.raises(DomainError) as exc:
        services.club_invite_redeem(token=invite.token, member=member)
    assert exc.value.code == "verified_purchase_required"
    ReviewFactory(author=member, product=ProductFactory(brand=club.brand), verified_purchase=True)
    services.club_invite_redeem(token=invite.token, member=member)
    assert _status(club, member) == Status.ACTIVE


def test_invite_redeem_requires_login():
    invite = _invite(_club(Club.Visibility.INVITE))
    with pytest.raises(AccessDenied):
        services.club_invite_redeem(token=invite.token, member=AnonymousUser())


# --- the member count ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_member_count_matches_recount_after_random_operations(settings, seed):
    settings.WRITE_RATE_LIMITS = {
        **settings.WRITE_RATE_LIMITS,
        "club_join": (10_000, 3600),
        "club_manage": (10_000, 3600),
        "club_invite": (10_000, 3600),
    }
    rng = random.Random(seed)
    clubs = [_club(), _club(Club.Visibility.APPROVAL), _club(Club.Visibility.INVITE)]
    staff = {club.pk: _staff(club) for club in clubs}
    people = MemberFactory.create_batch(6)
    operations = ["join", "leave", "decide", "remove", "ban", "unban", "invite", "role"]
    for _step in range(120):
        club = rng.choice(clubs)
        person = rng.choice(people)
        actor = staff[club.pk]
        operation = rng.choice(operations)
        try:
            if operation == "join":
                services.club_join(club=club, member=person)
            elif operation == "leave":
                services.club_leave(club=club, member=person)
            elif operation == "decide":
                services.club_request_decide(
                    club=club, actor=actor, member=person, approve=rng.random() < 0.6
                )
            elif operation == "remove":
                services.club_member_remove(club=club, actor=actor, member=person, reason="r")
            elif operation == "ban":
                services.club_member_ban(club=club, actor=actor, member=person, reason="r")
            elif operation == "unban":
                services.club_member_unban(club=club, actor=actor, member=person)
            elif operation == "invite":
                invite = services.club_invite_create(club=club, actor=actor)
                services.club_invite_redeem(token=invite.token, member=person)
            else:
                services.club_member_set_role(
                    club=club, actor=actor, member=person, role=rng.choice(["member", "moderator"])
                )
        except DomainError:
            pass  # refusals are part of the walk; the count must survive them too
        for each in clubs:
            maintained = _count(each)
            assert maintained == services.club_member_recount(club=each), (operation, seed)
    assert any(_count(club) for club in clubs)
