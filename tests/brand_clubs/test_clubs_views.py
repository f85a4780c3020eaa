"""Club pages: the directory, a club's home, joining and leaving, members, requests,
invites, the log, and the clubs shown on brand and product pages."""

import pytest
from django.test import Client
from django.urls import reverse

from brand_clubs.models import Club, ClubAuditEntry, ClubInvite, ClubMembership, Event
from brand_clubs.services import clubs as services
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    ClubPostFactory,
    EventFactory,
    MemberFactory,
    ModeratorFactory,
    ProductFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

Status = ClubMembership.Status
Role = ClubMembership.Role


def _member(club, role=Role.MEMBER, **kwargs):
    membership = ClubMembershipFactory(club=club, role=role, **kwargs)
    services.club_member_recount(club=club)
    return membership.member


def _staff(club):
    return BrandStaffFactory(brand=club.brand).member


def _status(club, member):
    row = ClubMembership.objects.filter(club=club, member=member).first()
    return row.status if row else None


def _url(name, club, *args):
    return reverse(f"brand_clubs:{name}", args=[club.slug, *args])


def _action(club, member, action):
    return _url("club_member_action", club, member.pk, action)


# --- directory ----------------------------------------------------------------------


def test_directory_shows_cards_and_badges(client):
    club = ClubFactory(name="Boxer riders", visibility=Club.Visibility.APPROVAL)
    _member(club)
    _member(club)
    html = client.get(reverse("brand_clubs:club_list")).content.decode()
    assert "Boxer riders" in html and club.brand.name in html
    assert "By approval" in html and "2 members" in html
    assert club.get_absolute_url() in html
    assert "Only my clubs" not in html  # the toggle is for signed-in members


def test_directory_empty_states(client):
    assert "No clubs yet." in client.get(reverse("brand_clubs:club_list")).content.decode()
    client.force_login(MemberFactory())
    ClubFactory()
    html = client.get(reverse("brand_clubs:club_list") + "?mine=on").content.decode()
    assert "You have not joined any club yet." in html


def test_directory_filters_by_brand_and_mine(client):
    viewer = MemberFactory()
    bmw = BrandFactory(slug="bmw", name="BMW")
    ours = ClubFactory(brand=bmw, name="GS owners")
    ClubFactory(name="Espresso fans")
    ClubMembershipFactory(club=ClubFactory(name="My coffee club"), member=viewer)
    html = client.get(reverse("brand_clubs:club_list") + "?brand=bmw").content.decode()
    assert ours.name in html and "Espresso fans" not in html
    client.force_login(viewer)
    html = client.get(reverse("brand_clubs:club_list") + "?mine=on").content.decode()
    assert "My coffee club" in html and "GS owners" not in html and "Espresso fans" not in html


@pytest.mark.parametrize("query", ["?brand=<script>", "?brand=nope", "?page=abc", "?page=-3"])
def test_directory_bad_query_strings_fall_back(client, query):
    ClubFactory(name="Still listed")
    response = client.get(reverse("brand_clubs:club_list") + query)
    assert response.status_code == 200
    assert "Still listed" in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_directory_paginates(client):
    ClubFactory.create_batch(30)
    first = client.get(reverse("brand_clubs:club_list")).content.decode()
    assert first.count('class="card club-card"') == 24 and "Page 1 of 2" in first
    second = client.get(reverse("brand_clubs:club_list") + "?page=2").content.decode()
    assert second.count('class="card club-card"') == 6


@pytest.mark.parametrize("signed_in", [False, True])
def test_directory_query_count_is_fixed(client, django_assert_max_num_queries, signed_in):
    viewer = MemberFactory()
    if signed_in:
        client.force_login(viewer)
    counts = []
    for size in (10, 50):
        Club.objects.all().delete()
        for club in ClubFactory.create_batch(size):
            ClubMembershipFactory(club=club, member=viewer)
        with django_assert_max_num_queries(12) as captured:
            response = client.get(reverse("brand_clubs:club_list") + "?mine=on")
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


# --- club home ----------------------------------------------------------------------


def test_unknown_club_is_404(client):
    assert client.get("/clubs/no-such-club/").status_code == 404
    assert client.get("/clubs/no-such-club/members/").status_code == 404


def test_public_club_home_for_anonymous(client):
    club = ClubFactory(rules="No **spam**. <script>alert(1)</script>")
    services.club_update(club=club, actor=_staff(club), rules=club.rules)
    ClubPostFactory(club=club, body="Ride report from the Alps")
    html = client.get(club.get_absolute_url()).content.decode()
    assert "<strong>spam</strong>" in html and "<script>alert(1)" not in html
    assert "Log in to join" in html
    assert "Ride report from the Alps" in html
    assert _url("club_feed", club) in html and _url("club_events", club) in html


def test_private_club_home_hides_posts_from_non_members(client):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL, rules="Be kind")
    services.club_update(club=club, actor=_staff(club), rules="Be kind")
    ClubPostFactory(club=club, body="Members-only secret")
    client.force_login(MemberFactory())
    html = client.get(club.get_absolute_url()).content.decode()
    assert "Members-only secret" not in html
    assert "for its members only" in html and "Be kind" in html
    assert "Ask to join" in html
    assert _url("club_members", club) not in html
    client.force_login(_member(club))
    html = client.get(club.get_absolute_url()).content.decode()
    assert "Members-only secret" in html and "Leave club" in html


def test_club_home_buttons_follow_standing(client):
    club = ClubFactory()
    member = MemberFactory()
    client.force_login(member)
    assert "Join club" in client.get(club.get_absolute_url()).content.decode()
    invite_only = ClubFactory(visibility=Club.Visibility.INVITE)
    assert "Invite only: you join" in client.get(invite_only.get_absolute_url()).content.decode()
    services.club_member_ban(club=club, actor=_staff(club), member=member, reason="x")
    html = client.get(club.get_absolute_url()).content.decode()
    assert "You are banned from this club." in html and "Join club" not in html


def test_managers_see_management_links(client):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    services.club_join(club=club, member=MemberFactory())
    client.force_login(_member(club, role=Role.MODERATOR))
    html = client.get(club.get_absolute_url()).content.decode()
    assert _url("club_requests", club) in html and _url("club_invites", club) in html
    assert _url("club_audit", club) in html
    client.force_login(_member(club))
    html = client.get(club.get_absolute_url()).content.decode()
    assert _url("club_requests", club) not in html and _url("club_audit", club) not in html


def test_club_home_shows_upcoming_events_the_viewer_may_see(client):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    EventFactory(club=club, title="Public breakfast ride", visibility=Event.Visibility.PUBLIC)
    EventFactory(club=club, title="Members-only workshop")
    html = client.get(club.get_absolute_url()).content.decode()
    assert "Public breakfast ride" in html and "Members-only workshop" not in html
    client.force_login(_member(club))
    html = client.get(club.get_absolute_url()).content.decode()
    assert "Public breakfast ride" in html and "Members-only workshop" in html


def test_club_home_query_count_is_fixed(client, django_assert_max_num_queries):
    """10 or 50 posts, members and events: the home shows a preview of each."""
    counts = []
    for size in (10, 50):
        club = ClubFactory()
        viewer = _member(club)
        for _ in range(size):
            _member(club)
        ClubPostFactory.create_batch(size, club=club)
        EventFactory.create_batch(size, club=club)
        client.force_login(viewer)
        client.get(club.get_absolute_url())  # warm Wagtail's site cache
        with django_assert_max_num_queries(20) as captured:
            response = client.get(club.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def _club_page(club, heading):
    from wagtail.models import Page

    from brand_clubs.models import ClubIndexPage, ClubPage
    from community.home.models import HomePage

    index = ClubIndexPage.objects.first()
    if index is None:
        index = HomePage.objects.get().add_child(instance=ClubIndexPage(title="Clubs"))
    page = ClubPage(title=club.name, slug=club.slug, club=club, body=[("heading", heading)])
    index.add_child(instance=page)
    assert isinstance(page, Page)
    return page


def test_club_home_renders_the_live_landing_page(client):
    club = ClubFactory()
    page = _club_page(club, "Welcome riders")
    assert "Welcome riders" in client.get(club.get_absolute_url()).content.decode()
    page.unpublish()
    assert "Welcome riders" not in client.get(club.get_absolute_url()).content.decode()


def test_render_club_home_previews_a_draft(rf):
    from django.contrib.auth.models import AnonymousUser

    from brand_clubs.views.clubs import render_club_home

    club = ClubFactory()
    page = _club_page(club, "Live heading")
    page.body = [("heading", "Draft heading")]
    request = rf.get("/preview/")
    request.user = AnonymousUser()
    request.htmx = False
    html = render_club_home(request, club, landing_page=page).content.decode()
    assert "Draft heading" in html and "Live heading" not in html


# --- join and leave -----------------------------------------------------------------


def test_anonymous_join_goes_to_login(client):
    club = ClubFactory()
    response = client.post(_url("club_join", club))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not club.memberships.exists()


def test_join_public_club_by_plain_post(client):
    club = ClubFactory()
    member = MemberFactory()
    client.force_login(member)
    response = client.post(_url("club_join", club))
    assert response.status_code == 302 and response["Location"] == club.get_absolute_url()
    assert _status(club, member) == Status.ACTIVE


def test_ask_to_join_with_a_message_is_escaped_for_moderators(client):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    applicant = MemberFactory()
    client.force_login(applicant)
    form = client.get(_url("club_join", club)).content.decode()
    assert 'name="message"' in form
    client.post(_url("club_join", club), {"message": "<script>alert('x')</script> I ride"})
    assert _status(club, applicant) == Status.PENDING
    client.force_login(_staff(club))
    html = client.get(_url("club_requests", club)).content.decode()
    assert "&lt;script&gt;alert" in html and "<script>alert" not in html
    assert _action(club, applicant, "approve") in html


@pytest.mark.parametrize(
    ("visibility", "closed", "status"),
    [(Club.Visibility.INVITE, False, 400), (Club.Visibility.PUBLIC, True, 400)],
)
def test_refused_join_shows_why(client, visibility, closed, status):
    club = ClubFactory(visibility=visibility, is_closed=closed)
    client.force_login(MemberFactory())
    response = client.post(_url("club_join", club))
    assert response.status_code == status
    html = response.content.decode()
    assert "invite-only" in html or "closed" in html


def test_banned_join_is_403_and_json_clients_get_json(client):
    club = ClubFactory()
    member = MemberFactory()
    services.club_member_ban(club=club, actor=_staff(club), member=member, reason="x")
    client.force_login(member)
    assert client.post(_url("club_join", club)).status_code == 403
    response = client.post(_url("club_join", club), HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "banned"


def test_join_message_too_long_is_400(client):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    client.force_login(MemberFactory())
    response = client.post(_url("club_join", club), {"message": "x" * 1001})
    assert response.status_code == 400
    assert not club.memberships.exists()


def test_leave_has_a_confirmation_page(client):
    club = ClubFactory()
    member = _member(club)
    client.force_login(member)
    page = client.get(_url("club_leave", club))
    assert page.status_code == 200 and "Yes, leave the club" in page.content.decode()
    assert _status(club, member) == Status.ACTIVE
    response = client.post(_url("club_leave", club))
    assert response.status_code == 302 and _status(club, member) is None
    assert client.post(_url("club_leave", club)).status_code == 400  # not a member any more


def test_forms_need_csrf(client):
    club = ClubFactory()
    member = MemberFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(_url("club_join", club)).status_code == 403
    assert _status(club, member) is None


# --- members ------------------------------------------------------------------------


def test_public_members_list_is_public(client):
    club = ClubFactory()
    member = _member(club)
    html = client.get(_url("club_members", club)).content.decode()
    assert member.public_name in html
    assert "Remove" not in html


@pytest.mark.parametrize("visibility", [Club.Visibility.APPROVAL, Club.Visibility.INVITE])
def test_private_members_list_is_for_insiders(client, visibility):
    club = ClubFactory(visibility=visibility)
    member = _member(club, member=MemberFactory(display_name="Hidden Person"))
    anonymous = client.get(_url("club_members", club))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(MemberFactory())
    outsider = client.get(_url("club_members", club))
    assert outsider.status_code == 403 and "Hidden Person" not in outsider.content.decode()
    client.force_login(BrandStaffFactory().member)  # another brand's staff
    assert client.get(_url("club_members", club)).status_code == 403
    for insider in (member, _staff(club), ModeratorFactory()):
        client.force_login(insider)
        response = client.get(_url("club_members", club))
        assert response.status_code == 200 and "Hidden Person" in response.content.decode()


def test_managers_see_actions_by_what_they_may_do(client):
    club = ClubFactory()
    moderator = _member(club, role=Role.MODERATOR)
    other_moderator = _member(club, role=Role.MODERATOR)
    member = _member(club)
    client.force_login(moderator)
    html = client.get(_url("club_members", club)).content.decode()
    assert _action(club, member, "remove") in html and _action(club, member, "ban") in html
    assert _action(club, other_moderator, "remove") not in html
    assert _action(club, moderator, "remove") not in html  # not on yourself
    assert "make_moderator" not in html  # roles are for brand staff
    client.force_login(_staff(club))
    html = client.get(_url("club_members", club)).content.decode()
    assert _action(club, member, "make_moderator") in html
    assert _action(club, other_moderator, "make_member") in html
    assert _action(club, other_moderator, "remove") in html


def test_members_list_query_count_is_fixed(client, django_assert_max_num_queries):
    counts = []
    for size in (10, 50):
        club = ClubFactory(visibility=Club.Visibility.APPROVAL)
        staff = _staff(club)
        for _ in range(size):
            _member(club, role=Role.MODERATOR if _ % 5 == 0 else Role.MEMBER)
        ClubMembershipFactory(club=club, status=Status.BANNED)
        client.force_login(staff)
        with django_assert_max_num_queries(15) as captured:
            response = client.get(_url("club_members", club))
        assert response.status_code == 200
        assert response.content.decode().count('class="card club-member"') == size + 1
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


# --- member actions -----------------------------------------------------------------


def test_approve_and_reject_from_the_requests_page(client):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    first, second = MemberFactory.create_batch(2)
    services.club_join(club=club, member=first)
    services.club_join(club=club, member=second)
    client.force_login(_member(club, role=Role.MODERATOR))
    response = client.post(_action(club, first, "approve"))
    assert response.status_code == 302 and response["Location"] == _url("club_requests", club)
    response = client.post(_action(club, second, "reject"), {"reason": "Not an owner"})
    assert _status(club, first) == Status.ACTIVE and _status(club, second) is None
    assert ClubAuditEntry.objects.get(club=club, action="reject").reason == "Not an owner"
    assert "No requests are waiting." in client.get(_url("club_requests", club)).content.decode()


def test_requests_page_is_for_managers(client):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    for viewer in (_member(club), ModeratorFactory(), BrandStaffFactory().member):
        client.force_login(viewer)
        assert client.get(_url("club_requests", club)).status_code == 403


def test_remove_has_a_confirmation_page_and_needs_a_reason(client):
    club = ClubFactory()
    member = _member(club, member=MemberFactory(display_name="Troublemaker"))
    client.force_login(_staff(club))
    page = client.get(_action(club, member, "remove"))
    assert page.status_code == 200 and "Remove Troublemaker" in page.content.decode()
    assert _status(club, member) == Status.ACTIVE
    missing = client.post(_action(club, member, "remove"), {"reason": ""})
    assert missing.status_code == 400 and _status(club, member) == Status.ACTIVE
    done = client.post(_action(club, member, "remove"), {"reason": "Spam"})
    assert done.status_code == 302 and _status(club, member) is None


def test_ban_a_non_member_by_id_then_unban(client):
    club = ClubFactory()
    stranger = MemberFactory()
    client.force_login(_staff(club))
    assert client.post(_action(club, stranger, "ban"), {"reason": "Troll"}).status_code == 302
    assert _status(club, stranger) == Status.BANNED
    assert "Troll" in client.get(_url("club_members", club)).content.decode()
    assert client.post(_action(club, stranger, "unban")).status_code == 302
    assert _status(club, stranger) is None


def test_actions_on_another_clubs_member_are_404(client):
    club = ClubFactory(visibility=Club.Visibility.APPROVAL)
    other = ClubFactory(visibility=Club.Visibility.APPROVAL)
    theirs = _member(other)
    applicant = MemberFactory()
    services.club_join(club=other, member=applicant)
    client.force_login(_staff(club))
    assert client.post(_action(club, theirs, "remove"), {"reason": "x"}).status_code == 404
    assert client.post(_action(club, applicant, "approve")).status_code == 404
    assert client.post(_action(club, theirs, "make_moderator")).status_code == 404
    assert _status(other, theirs) == Status.ACTIVE and _status(other, applicant) == Status.PENDING


def test_moderator_removing_an_owner_is_403(client):
    club = ClubFactory()
    owner = _member(club, role=Role.OWNER)
    client.force_login(_member(club, role=Role.MODERATOR))
    assert client.post(_action(club, owner, "remove"), {"reason": "x"}).status_code == 403
    assert client.post(_action(club, owner, "ban"), {"reason": "x"}).status_code == 403
    assert _status(club, owner) == Status.ACTIVE


def test_plain_members_and_anonymous_cannot_act(client):
    club = ClubFactory()
    target = _member(club)
    anonymous = client.post(_action(club, target, "remove"), {"reason": "x"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(_member(club))
    assert client.post(_action(club, target, "remove"), {"reason": "x"}).status_code == 403
    assert client.get(_action(club, target, "ban")).status_code == 403
    assert _status(club, target) == Status.ACTIVE


def test_bad_action_urls(client):
    club = ClubFactory()
    target = _member(club)
    client.force_login(_staff(club))
    assert client.post(_url("club_member_action", club, target.pk, "explode")).status_code == 404
    assert client.post(_url("club_member_action", club, 10**8, "ban")).status_code == 404
    assert client.get(f"/clubs/{club.slug}/members/abc/ban/").status_code == 404
    assert client.get(_action(club, target, "approve")).status_code == 405  # POST only


def test_role_change_by_brand_staff_and_json(client):
    club = ClubFactory()
    member = _member(club)
    client.force_login(_staff(club))
    response = client.post(_action(club, member, "make_moderator"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["action"] == "make_moderator"
    assert ClubMembership.objects.get(club=club, member=member).role == Role.MODERATOR
    client.force_login(ModeratorFactory())  # site moderators do not set roles
    response = client.post(_action(club, member, "make_member"), HTTP_ACCEPT="application/json")
    assert response.status_code == 403


# --- invites ------------------------------------------------------------------------


def test_managers_create_and_list_invites(client):
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    client.force_login(_staff(club))
    response = client.post(
        _url("club_invites", club),
        {"label": "Dealer <b>Hamburg</b>", "max_uses": 3, "expires_in_days": 7},
    )
    assert response.status_code == 302
    invite = ClubInvite.objects.get(club=club)
    assert invite.max_uses == 3
    html = client.get(_url("club_invites", club)).content.decode()
    assert f"http://testserver/invite/{invite.token}/" in html
    assert "Dealer &lt;b&gt;Hamburg&lt;/b&gt;" in html and "3 uses left" in html


@pytest.mark.parametrize(
    "data", [{"max_uses": 0, "expires_in_days": 7}, {"max_uses": 1, "expires_in_days": 9999}]
)
def test_invite_form_errors_are_400(client, data):
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    client.force_login(_staff(club))
    assert client.post(_url("club_invites", club), data).status_code == 400
    assert not ClubInvite.objects.exists()


def test_invites_page_is_for_managers(client):
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    client.force_login(_member(club))
    assert client.get(_url("club_invites", club)).status_code == 403
    assert client.post(_url("club_invites", club), {"max_uses": 1}).status_code == 403
    assert not ClubInvite.objects.exists()


def test_revoke_invite_confirm_then_post(client):
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    staff = _staff(club)
    invite = services.club_invite_create(club=club, actor=staff)
    other_club = ClubFactory(brand=club.brand)
    other_invite = services.club_invite_create(club=other_club, actor=staff)
    client.force_login(staff)
    assert client.get(_url("club_invite_revoke", club, invite.pk)).status_code == 200
    assert client.get(_url("club_invite_revoke", club, other_invite.pk)).status_code == 404
    assert client.post(_url("club_invite_revoke", club, invite.pk)).status_code == 302
    invite.refresh_from_db()
    assert invite.revoked_at is not None


def test_invite_landing_for_anonymous_then_accept(client):
    club = ClubFactory(name="VIP riders", visibility=Club.Visibility.INVITE)
    invite = services.club_invite_create(club=club, actor=_staff(club))
    html = client.get(invite.get_absolute_url()).content.decode()
    assert "VIP riders" in html and "Log in to accept" in html
    response = client.post(invite.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    member = MemberFactory()
    client.force_login(member)
    assert "Accept invite" in client.get(invite.get_absolute_url()).content.decode()
    response = client.post(invite.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == club.get_absolute_url()
    assert _status(club, member) == Status.ACTIVE


def test_invite_landing_errors_are_clear(client):
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    staff = _staff(club)
    assert client.get("/invite/not-a-token/").status_code == 404
    used = services.club_invite_create(club=club, actor=staff)
    services.club_invite_redeem(token=used.token, member=MemberFactory())
    client.force_login(MemberFactory())
    html = client.get(used.get_absolute_url()).content.decode()
    assert "This invite has been used up." in html and "Accept invite" not in html
    response = client.post(used.get_absolute_url())
    assert response.status_code == 400
    verified_only = services.club_invite_create(
        club=club, actor=staff, requires_verified_purchase=True
    )
    response = client.post(verified_only.get_absolute_url())
    assert response.status_code == 400 and "verified buyers" in response.content.decode()


def test_verified_buyer_accepts_verified_only_invite(client):
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    invite = services.club_invite_create(
        club=club, actor=_staff(club), requires_verified_purchase=True
    )
    buyer = MemberFactory()
    ReviewFactory(author=buyer, product=ProductFactory(brand=club.brand), verified_purchase=True)
    client.force_login(buyer)
    assert client.post(invite.get_absolute_url()).status_code == 302
    assert _status(club, buyer) == Status.ACTIVE


# --- log ----------------------------------------------------------------------------


def test_audit_page_for_managers_and_site_moderators(client):
    club = ClubFactory()
    staff = _staff(club)
    services.club_member_ban(club=club, actor=staff, member=MemberFactory(), reason="<i>rude</i>")
    for viewer in (staff, _member(club, role=Role.MODERATOR), ModeratorFactory()):
        client.force_login(viewer)
        response = client.get(_url("club_audit", club))
        assert response.status_code == 200
        assert "Banned a member" in response.content.decode()
        assert "&lt;i&gt;rude&lt;/i&gt;" in response.content.decode()
    client.force_login(_member(club))
    assert client.get(_url("club_audit", club)).status_code == 403


def test_audit_page_empty_state(client):
    club = ClubFactory()
    client.force_login(_staff(club))
    assert "Nothing has been recorded yet." in client.get(_url("club_audit", club)).content.decode()


# --- brand and product pages --------------------------------------------------------


def test_product_and_brand_pages_list_the_brands_clubs(client):
    product = ProductFactory()
    club = ClubFactory(brand=product.brand, name="Owners of this")
    _member(club)
    ClubFactory(name="Someone else's club")
    for url in (product.get_absolute_url(), product.brand.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Owners of this" in html and club.get_absolute_url() in html
        assert "1 member" in html and "Someone else's club" not in html


def test_product_page_clubs_cost_one_query(client, django_assert_max_num_queries):
    counts = []
    for size in (1, 8):
        product = ProductFactory()
        ClubFactory.create_batch(size, brand=product.brand)
        with django_assert_max_num_queries(20) as captured:
            response = client.get(product.get_absolute_url())
        assert response.content.decode().count('class="muted small">') >= size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
