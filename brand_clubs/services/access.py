"""Who may do what in a club and at its events: the one place these rules live.

`club_standing(user=, club=)` reads everything a decision needs (membership, brand
staff link, site-moderator permission) in at most two queries; every `access_*`
function takes an optional standing so a page that checks several actions reads it once.

The matrix (docs/architecture.md has it as a table):

| action                         | who                                                  |
|--------------------------------|------------------------------------------------------|
| see landing, name, rules, count| everyone                                             |
| read feed, members, album      | public club: everyone; private: active members,      |
|                                | brand staff, site moderators                         |
| join / request / use invite    | signed-in, not banned, club open                     |
| post, comment, like            | active members and brand staff; club open            |
| announce, set roles            | brand staff of the club's brand                      |
| approve, reject, invite, pin,  | club moderators and brand staff                      |
| create/edit events, check in   |                                                      |
| hide/restore/delete posts and  | club moderators, brand staff, site moderators, and   |
| comments, approve/reject       | leaders (trust level 4) who are active members       |
| pending posts                  |                                                      |
| remove, ban members            | club moderators, brand staff, site moderators        |

Trust levels add gates on what a member writes (rules.PRIVILEGE_LEVELS): links (in
posts, comments and event reviews: `access_links`) and more than
rules.PHOTOS_BEFORE_BASIC photos from level 1, posting without pre-moderation from level 2
(`access_post_privilege`, `post_needs_premoderation`). The brand's staff and the club's
moderators are exempt from these: they answer for the club by name.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from brand_clubs.models import BrandStaff, Club, ClubMembership, Event, EventRSVP
from community.errors import AccessDenied, NotFound
from community.members.selectors import is_moderator
from community.reputation.gates import html_has_link
from community.reputation.rules import Privilege, has_privilege
from community.reputation.trust_services import access_privilege, member_has_privilege

# Site moderators, as the reviews and the admin know them.
is_site_moderator = is_moderator


@dataclass(frozen=True)
class ClubStanding:
    """A viewer's place in one club, read once per request."""

    club: Club
    authenticated: bool
    active_account: bool
    membership: ClubMembership | None
    is_brand_staff: bool
    is_site_moderator: bool
    # The viewer's Member.trust_level (read from the request's user: no query).
    trust_level: int = 0

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.is_active

    @property
    def is_pending(self) -> bool:
        return (
            self.membership is not None and self.membership.status == ClubMembership.Status.PENDING
        )

    @property
    def is_banned(self) -> bool:
        return (
            self.membership is not None and self.membership.status == ClubMembership.Status.BANNED
        )

    @property
    def is_club_moderator(self) -> bool:
        return self.membership is not None and self.membership.is_club_moderator

    @property
    def is_insider(self) -> bool:
        """Members, the brand's staff and site moderators: who sees members-only parts."""
        return self.is_member or self.is_brand_staff or self.is_site_moderator

    @property
    def can_read(self) -> bool:
        """Feed, members list, album: public clubs to all; private ones to insiders."""
        return not self.club.is_private or self.is_insider

    @property
    def can_join(self) -> bool:
        return (
            self.active_account
            and not self.club.is_closed
            and self.membership is None
            and not self.is_brand_staff
        )

    @property
    def can_participate(self) -> bool:
        """Post, comment, like: members and the brand's staff, while the club is open."""
        return (
            self.active_account
            and not self.club.is_closed
            and not self.is_banned
            and (self.is_member or self.is_brand_staff)
        )

    @property
    def can_manage(self) -> bool:
        """Approve requests, invite, pin, run events, check people in."""
        return self.active_account and (self.is_club_moderator or self.is_brand_staff)

    @property
    def can_moderate(self) -> bool:
        """Hide content, remove and ban members."""
        return self.active_account and (
            self.is_club_moderator or self.is_brand_staff or self.is_site_moderator
        )

    @property
    def is_leader(self) -> bool:
        """A leader (trust level 4) who is an active member of this club moderates its
        content (Privilege.MODERATE_OWN_CLUBS), not its members."""
        return self.is_member and has_privilege(self.trust_level, Privilege.MODERATE_OWN_CLUBS)

    @property
    def can_moderate_content(self) -> bool:
        """Hide, restore and delete posts and comments, approve or reject pending posts:
        whoever can moderate the club, and its leaders."""
        return self.can_moderate or (self.active_account and self.is_leader)

    @property
    def is_accountable(self) -> bool:
        """The brand's staff and the club's moderators post under their role, so the
        trust-level gates on links, photos and pre-moderation do not apply to them."""
        return self.is_brand_staff or self.is_club_moderator

    @property
    def can_own(self) -> bool:
        """Announcements and roles: the brand's own staff."""
        return self.active_account and self.is_brand_staff


def club_standing(*, user, club: Club) -> ClubStanding:
    authenticated = bool(user is not None and user.is_authenticated)
    if not authenticated:
        return ClubStanding(
            club=club,
            authenticated=False,
            active_account=False,
            membership=None,
            is_brand_staff=False,
            is_site_moderator=False,
        )
    membership = ClubMembership.objects.filter(club=club, member=user).first()
    brand_staff = BrandStaff.objects.filter(brand_id=club.brand_id, member=user).exists()
    return ClubStanding(
        club=club,
        authenticated=True,
        active_account=user.is_active,
        membership=membership,
        is_brand_staff=brand_staff and user.is_active,
        is_site_moderator=is_site_moderator(user),
        trust_level=getattr(user, "trust_level", 0) or 0,
    )


def club_standings(*, user, clubs) -> dict[int, ClubStanding]:
    """`club_standing` for several clubs at once (by club id), in at most three queries
    whatever their number: the user's memberships, their brand-staff links, and the
    moderator permission. For pages that list things from many clubs."""
    clubs = list(clubs)
    if not (user is not None and user.is_authenticated) or not clubs:
        return {club.pk: club_standing(user=user, club=club) for club in clubs}
    memberships = {
        membership.club_id: membership
        for membership in ClubMembership.objects.filter(
            member=user, club_id__in=[club.pk for club in clubs]
        )
    }
    staff_of = set(
        BrandStaff.objects.filter(
            member=user, brand_id__in={club.brand_id for club in clubs}
        ).values_list("brand_id", flat=True)
    )
    moderator = is_site_moderator(user)
    return {
        club.pk: ClubStanding(
            club=club,
            authenticated=True,
            active_account=user.is_active,
            membership=memberships.get(club.pk),
            is_brand_staff=club.brand_id in staff_of and user.is_active,
            is_site_moderator=moderator,
            trust_level=getattr(user, "trust_level", 0) or 0,
        )
        for club in clubs
    }


def access_account(*, user) -> None:
    """Signed in with an active account: the first condition of every write."""
    if not (user is not None and user.is_authenticated):
        raise AccessDenied(_("Please log in first."), code="login_required")
    if not user.is_active:
        raise AccessDenied(_("Your account is not active."))


def _standing(user, club, standing):
    if standing is not None and standing.club.pk == club.pk:
        return standing
    return club_standing(user=user, club=club)


def _require_login(standing: ClubStanding) -> None:
    if not standing.authenticated:
        raise AccessDenied(_("Please log in first."), code="login_required")
    if not standing.active_account:
        raise AccessDenied(_("Your account is not active."))


def access_club_read(*, user, club: Club, standing: ClubStanding | None = None) -> ClubStanding:
    """The club's feed, members, albums and photos."""
    standing = _standing(user, club, standing)
    if not standing.can_read:
        raise AccessDenied(
            _("Only members of %(club)s can see this.") % {"club": club.name},
            code="members_only",
        )
    return standing


def access_club_participate(
    *, user, club: Club, standing: ClubStanding | None = None
) -> ClubStanding:
    standing = _standing(user, club, standing)
    _require_login(standing)
    if club.is_closed:
        raise AccessDenied(_("This club is closed: nothing new can be added."), code="closed")
    if standing.is_banned:
        raise AccessDenied(_("You are banned from this club."), code="banned")
    if not standing.can_participate:
        raise AccessDenied(
            _("Join %(club)s to take part.") % {"club": club.name}, code="members_only"
        )
    return standing


def access_club_manage(*, user, club: Club, standing: ClubStanding | None = None) -> ClubStanding:
    standing = _standing(user, club, standing)
    _require_login(standing)
    if not standing.can_manage:
        raise AccessDenied(_("Only the club's moderators and the brand's staff can do this."))
    return standing


def access_club_moderate(*, user, club: Club, standing: ClubStanding | None = None) -> ClubStanding:
    standing = _standing(user, club, standing)
    _require_login(standing)
    if not standing.can_moderate:
        raise AccessDenied(_("Only moderators can do this."))
    return standing


def access_club_moderate_content(
    *, user, club: Club, standing: ClubStanding | None = None
) -> ClubStanding:
    """Posts and comments of other people, and the posts waiting for approval."""
    standing = _standing(user, club, standing)
    _require_login(standing)
    if not standing.can_moderate_content:
        raise AccessDenied(_("Only moderators can do this."))
    return standing


def access_post_privilege(
    *, user, privilege: str, standing: ClubStanding, field: str | None = None
) -> None:
    """A trust-level gate on what `user` writes in the club of `standing`: a form error
    on `field` unless they hold `privilege`. The brand's staff and the club's moderators
    are exempt: they are accountable by name for what they post in the club."""
    if standing.is_accountable:
        return
    access_privilege(user, privilege, field=field)


def access_links(
    *, user, standing: ClubStanding, body_html: str, field: str | None = "body"
) -> None:
    """The link gate on text written in the club of `standing` (posts, comments, event
    reviews): a form error on `field` when the rendered text links anywhere and its
    author may not post links yet (Privilege.POST_LINKS; staff and the club's
    moderators are exempt, see `access_post_privilege`)."""
    if html_has_link(body_html):
        access_post_privilege(
            user=user, privilege=Privilege.POST_LINKS, standing=standing, field=field
        )


def post_needs_premoderation(*, user, standing: ClubStanding) -> bool:
    """A post waits for a moderator unless its author may skip pre-moderation (trust
    level 2, or a site moderator) or answers for the club (brand staff, its moderators)."""
    if standing.is_accountable or standing.is_site_moderator:
        return False
    return not member_has_privilege(user, Privilege.SKIP_PREMODERATION)


def access_club_own(*, user, club: Club, standing: ClubStanding | None = None) -> ClubStanding:
    standing = _standing(user, club, standing)
    _require_login(standing)
    if not standing.can_own:
        raise AccessDenied(_("Only %(brand)s's staff can do this.") % {"brand": club.brand.name})
    return standing


# --- events ---------------------------------------------------------------------------


def can_see_event(*, event: Event, standing: ClubStanding) -> bool:
    """Public events are for everyone; club events for members, the brand's staff and
    site moderators (even in a public club)."""
    return event.is_public or standing.is_insider


def access_event_read(*, user, event: Event, standing: ClubStanding | None = None) -> ClubStanding:
    """An event of a private club that the viewer may not see is a 404, so that its
    existence does not leak; in a public club the viewer is told to join."""
    standing = _standing(user, event.club, standing)
    if can_see_event(event=event, standing=standing):
        return standing
    if event.club.is_private:
        raise NotFound(_("No such event."))
    raise AccessDenied(
        _("This event is for members of %(club)s.") % {"club": event.club.name},
        code="members_only",
    )


def access_event_rsvp(*, user, event: Event, standing: ClubStanding | None = None) -> ClubStanding:
    """Public events: any signed-in member not banned from the club; club events: members."""
    standing = access_event_read(user=user, event=event, standing=standing)
    _require_login(standing)
    if standing.is_banned:
        raise AccessDenied(_("You are banned from this club."), code="banned")
    if event.club.is_closed:
        raise AccessDenied(_("This club is closed: nothing new can be added."), code="closed")
    if not event.is_public and not (standing.is_member or standing.is_brand_staff):
        raise AccessDenied(
            _("This event is for members of %(club)s.") % {"club": event.club.name},
            code="members_only",
        )
    return standing


def attended_rsvp(*, user, event: Event) -> EventRSVP | None:
    if not (user and user.is_authenticated):
        return None
    return EventRSVP.objects.filter(event=event, member=user, checked_in_at__isnull=False).first()


def access_event_attendee(*, user, event: Event, standing: ClubStanding | None = None) -> EventRSVP:
    """Album photos and event reviews: only people checked in at the event."""
    standing = access_event_read(user=user, event=event, standing=standing)
    _require_login(standing)
    if standing.is_banned:
        raise AccessDenied(_("You are banned from this club."), code="banned")
    rsvp = attended_rsvp(user=user, event=event)
    if rsvp is None:
        raise AccessDenied(
            _("Only people who attended this event can do this."), code="not_attendee"
        )
    return rsvp
