"""Pages and actions of clubs: the directory, a club's home, joining and leaving,
members, join requests, invites and the club's log. Each parses input, calls one
service or selector and renders; every action works as a plain POST form."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from brand_clubs.models import Club, ClubMembership
from brand_clubs.selectors import clubs as selectors
from brand_clubs.services import clubs as services
from brand_clubs.services.access import (
    access_club_manage,
    access_club_moderate,
    access_club_read,
    club_standing,
)
from community.errors import AccessDenied, DomainError, NotFound
from community.http import domain_error_json, form_add_domain_error, safe_next_url, wants_json

CLUBS_PER_PAGE = 24
MEMBERS_PER_PAGE = 50
LIST_PER_PAGE = 50
HOME_POST_PREVIEW = 3
HOME_EVENT_PREVIEW = 3


# --- forms ----------------------------------------------------------------------------


class ClubFilterForm(forms.Form):
    brand = forms.ChoiceField(label=gettext_lazy("Brand"), required=False)
    mine = forms.BooleanField(label=gettext_lazy("Only my clubs"), required=False)

    def __init__(self, *args, brands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].choices = [("", _("All brands"))] + [
            (brand.slug, brand.name) for brand in brands
        ]


class JoinForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message to the moderators (optional)"),
        required=False,
        max_length=services.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Tell them why you would like to join, e.g. what you ride."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the club's log, which moderators can read."),
    )


EXPIRY_CHOICES = [
    (1, gettext_lazy("1 day")),
    (7, gettext_lazy("1 week")),
    (14, gettext_lazy("2 weeks")),
    (30, gettext_lazy("1 month")),
    (90, gettext_lazy("3 months")),
    (365, gettext_lazy("1 year")),
]


class InviteForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Label"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("Who the invite is for (only moderators see it)."),
    )
    max_uses = forms.IntegerField(
        label=gettext_lazy("How many people can use it"),
        min_value=1,
        max_value=services.INVITE_MAX_USES,
        initial=1,
    )
    expires_in_days = forms.TypedChoiceField(
        label=gettext_lazy("Valid for"), choices=EXPIRY_CHOICES, coerce=int, initial=14
    )
    requires_verified_purchase = forms.BooleanField(
        label=gettext_lazy("Only for verified buyers of the brand's products"), required=False
    )


# --- helpers --------------------------------------------------------------------------


def club_or_404(slug) -> Club:
    """The club a URL names (with its brand), for every club, feed and event page."""
    try:
        return selectors.club_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _forbidden(request, exc: AccessDenied):
    """Anonymous visitors are sent to log in; signed-in ones get the reason."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "403.html", {"message": exc.message}, status=403)


def _is_api(request) -> bool:
    return wants_json(request) or bool(getattr(request, "htmx", False))


def _posted(request):
    """POST data to bind a form to (even when empty, so it validates), else None."""
    return request.POST if request.method == "POST" else None


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# --- directory and club home ----------------------------------------------------------


def club_list(request):
    brands = list(selectors.brand_list_with_clubs())
    form = ClubFilterForm(request.GET, brands=brands)
    if not form.is_valid():  # an unknown brand in a hand-edited URL shows every club
        form = ClubFilterForm({}, brands=brands)
        form.is_valid()
    brand_slug = form.cleaned_data.get("brand") or None
    mine = bool(form.cleaned_data.get("mine")) and request.user.is_authenticated
    clubs = selectors.club_list(viewer=request.user, brand_slug=brand_slug, mine=mine)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": _page(request, clubs, CLUBS_PER_PAGE),
        "form": form,
        "query": query.urlencode(),
        "filtered": bool(brand_slug or mine),
        "mine": mine,
        "page_title": _("Clubs"),
    }
    return render(request, "brand_clubs/club_list.html", context)


def render_club_home(request, club: Club, *, landing_page=None) -> HttpResponse:
    """The club's page: header, landing content, and the live parts the viewer may see.
    `landing_page` is a draft during a Wagtail preview; else the live ClubPage is used."""
    from brand_clubs.selectors.events import event_list_upcoming_for_club
    from brand_clubs.selectors.feed import post_list_for_club, post_pending_count

    standing = club_standing(user=request.user, club=club)
    if landing_page is None:
        landing_page = selectors.club_live_page(club=club)
    posts = []
    if standing.can_read:
        posts = post_list_for_club(club=club, viewer=request.user, standing=standing)
        posts = list(posts[:HOME_POST_PREVIEW])
    events = event_list_upcoming_for_club(
        club=club, viewer=request.user, limit=HOME_EVENT_PREVIEW, standing=standing
    )
    context = {
        "club": club,
        "standing": standing,
        "landing_page": landing_page,
        "posts": posts,
        "events": events,
        "request_count": selectors.club_request_count(club=club) if standing.can_manage else 0,
        "pending_count": post_pending_count(club=club, standing=standing),
        "page_title": club.name,
    }
    return render(request, "brand_clubs/club_detail.html", context)


def club_detail(request, slug):
    return render_club_home(request, club_or_404(slug))


# --- joining and leaving --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def club_join(request, slug):
    club = club_or_404(slug)
    if not request.user.is_authenticated:
        if request.method == "POST" and _is_api(request):
            return domain_error_json(AccessDenied(_("Please log in first.")))
        return redirect_to_login(request.path)
    form = JoinForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.club_join(
                club=club, member=request.user, message=form.cleaned_data["message"]
            )
        except AccessDenied as exc:
            if _is_api(request):
                return domain_error_json(exc)
            return _forbidden(request, exc)
        except DomainError as exc:
            if _is_api(request):
                return domain_error_json(exc)
            form_add_domain_error(form, exc)
        else:
            pending = membership.status == ClubMembership.Status.PENDING
            if wants_json(request):
                return JsonResponse({"status": membership.status})
            if pending:
                messages.success(
                    request, _("Your request is sent. The club's moderators will decide soon.")
                )
            else:
                messages.success(request, _("Welcome to %(club)s!") % {"club": club.name})
            return redirect(club.get_absolute_url())
    status = 400 if form.errors else 200
    context = {"club": club, "form": form, "standing": club_standing(user=request.user, club=club)}
    return render(request, "brand_clubs/club_join.html", context, status=status)


@require_http_methods(["GET", "POST"])
def club_leave(request, slug):
    club = club_or_404(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    error = None
    if request.method == "POST":
        try:
            services.club_leave(club=club, member=request.user)
        except DomainError as exc:
            if _is_api(request):
                return domain_error_json(exc)
            error = exc.message
        else:
            if wants_json(request):
                return JsonResponse({"status": "left"})
            messages.success(request, _("You left %(club)s.") % {"club": club.name})
            return redirect(club.get_absolute_url())
    standing = club_standing(user=request.user, club=club)
    context = {"club": club, "standing": standing, "error": error}
    return render(request, "brand_clubs/club_leave.html", context, status=400 if error else 200)


# --- members, requests and moderation -------------------------------------------------


def club_members(request, slug):
    club = club_or_404(slug)
    try:
        standing = access_club_read(user=request.user, club=club)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    context = {
        "club": club,
        "standing": standing,
        "page": _page(request, selectors.club_member_list(club=club), MEMBERS_PER_PAGE),
        "staff_ids": selectors.club_brand_staff_ids(club=club) if standing.can_moderate else (),
        "banned": list(selectors.club_banned_list(club=club)) if standing.can_moderate else [],
        "page_title": _("Members of %(club)s") % {"club": club.name},
    }
    return render(request, "brand_clubs/club_members.html", context)


def club_requests(request, slug):
    club = club_or_404(slug)
    try:
        standing = access_club_manage(user=request.user, club=club)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    context = {
        "club": club,
        "standing": standing,
        "page": _page(request, selectors.club_request_list(club=club), LIST_PER_PAGE),
        "page_title": _("Join requests · %(club)s") % {"club": club.name},
    }
    return render(request, "brand_clubs/club_requests.html", context)


MEMBER_ACTIONS = {
    "approve": (gettext_lazy("Request approved."), "club_requests"),
    "reject": (gettext_lazy("Request rejected."), "club_requests"),
    "remove": (gettext_lazy("Member removed."), "club_members"),
    "ban": (gettext_lazy("Banned."), "club_members"),
    "unban": (gettext_lazy("Ban lifted."), "club_members"),
    "make_moderator": (gettext_lazy("Role changed."), "club_members"),
    "make_member": (gettext_lazy("Role changed."), "club_members"),
}
CONFIRMED_ACTIONS = {"remove", "ban"}


def _run_member_action(*, club, actor, member, action, reason):
    if action in ("approve", "reject"):
        services.club_request_decide(
            club=club, actor=actor, member=member, approve=action == "approve", reason=reason
        )
    elif action == "remove":
        services.club_member_remove(club=club, actor=actor, member=member, reason=reason)
    elif action == "ban":
        services.club_member_ban(club=club, actor=actor, member=member, reason=reason)
    elif action == "unban":
        services.club_member_unban(club=club, actor=actor, member=member, reason=reason)
    else:
        role = (
            ClubMembership.Role.MODERATOR
            if action == "make_moderator"
            else ClubMembership.Role.MEMBER
        )
        services.club_member_set_role(club=club, actor=actor, member=member, role=role)


def club_member_action(request, slug, member_id, action):
    """approve / reject / remove / ban / unban / make_moderator / make_member, by POST;
    remove and ban have a confirmation page (GET) that asks for the reason."""
    if action not in MEMBER_ACTIONS:
        raise Http404(_("No such action."))
    if request.method not in ("GET", "POST") or (
        request.method == "GET" and action not in CONFIRMED_ACTIONS
    ):
        return HttpResponseNotAllowed(["POST"])
    club = club_or_404(slug)
    if not request.user.is_authenticated:
        if _is_api(request):
            return domain_error_json(AccessDenied(_("Please log in first.")))
        return redirect_to_login(request.path)
    try:
        access_club_moderate(user=request.user, club=club)
    except AccessDenied as exc:
        return domain_error_json(exc) if _is_api(request) else _forbidden(request, exc)
    try:
        member = selectors.club_action_target(member_id=member_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    done_message, list_view = MEMBER_ACTIONS[action]
    fallback = reverse(f"brand_clubs:{list_view}", args=[club.slug])
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            _run_member_action(
                club=club,
                actor=request.user,
                member=member,
                action=action,
                reason=form.cleaned_data["reason"],
            )
        except AccessDenied as exc:
            return domain_error_json(exc) if _is_api(request) else _forbidden(request, exc)
        except NotFound as exc:
            if _is_api(request):
                return domain_error_json(exc)
            raise Http404(exc.message) from None
        except DomainError as exc:
            if _is_api(request):
                return domain_error_json(exc)
            if action not in CONFIRMED_ACTIONS:
                messages.error(request, exc.message)
                return redirect(safe_next_url(request, fallback))
            form_add_domain_error(form, exc)
        else:
            if wants_json(request):
                return JsonResponse({"action": action, "member": member.pk})
            messages.success(request, str(done_message))
            return redirect(safe_next_url(request, fallback))
    if action not in CONFIRMED_ACTIONS:  # a POST whose form did not validate
        messages.error(request, _("Please check the reason and try again."))
        return redirect(safe_next_url(request, fallback))
    context = {
        "club": club,
        "member": member,
        "action": action,
        "form": form,
        "next": safe_next_url(request, fallback),
    }
    status = 400 if form.errors else 200
    return render(request, "brand_clubs/club_member_confirm.html", context, status=status)


# --- invites --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def club_invites(request, slug):
    club = club_or_404(slug)
    try:
        standing = access_club_manage(user=request.user, club=club)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    form = InviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invite = services.club_invite_create(
                club=club,
                actor=request.user,
                max_uses=data["max_uses"],
                expires_at=timezone.now() + timedelta(days=data["expires_in_days"]),
                requires_verified_purchase=data["requires_verified_purchase"],
                label=data["label"],
            )
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Invite created: copy its link below and share it."))
            return redirect(
                reverse("brand_clubs:club_invites", args=[club.slug]) + f"#invite-{invite.pk}"
            )
    invites = _page(request, selectors.club_invite_list(club=club), LIST_PER_PAGE)
    now = timezone.now()
    for invite in invites.object_list:
        invite.link = request.build_absolute_uri(invite.get_absolute_url())
        invite.is_expired = invite.expires_at is not None and invite.expires_at <= now
        invite.is_usable = invite.revoked_at is None and not invite.is_expired and invite.uses_left
    context = {
        "club": club,
        "standing": standing,
        "form": form,
        "page": invites,
        "page_title": _("Invites · %(club)s") % {"club": club.name},
    }
    status = 400 if form.errors else 200
    return render(request, "brand_clubs/club_invites.html", context, status=status)


@require_http_methods(["GET", "POST"])
def club_invite_revoke(request, slug, invite_id):
    club = club_or_404(slug)
    try:
        access_club_manage(user=request.user, club=club)
        invite = selectors.club_invite_get(club=club, pk=invite_id)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    except NotFound as exc:
        raise Http404(exc.message) from None
    back = reverse("brand_clubs:club_invites", args=[club.slug])
    if request.method == "POST":
        try:
            services.club_invite_revoke(club=club, actor=request.user, invite=invite)
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The invite is revoked: its link no longer works."))
        return redirect(back)
    context = {"club": club, "invite": invite, "back": back}
    return render(request, "brand_clubs/club_invite_revoke.html", context)


@require_http_methods(["GET", "POST"])
def invite_accept(request, token):
    """The page an invite link opens: the club and an "Accept invite" button."""
    invite = selectors.club_invite_by_token(token=token)
    if invite is None:
        context = {"error": _("This invite link is not valid.")}
        return render(request, "brand_clubs/club_invite_landing.html", context, status=404)
    club = invite.club
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            services.club_invite_redeem(token=token, member=request.user)
        except DomainError as exc:
            if _is_api(request):
                return domain_error_json(exc)
            problem = exc
        else:
            if wants_json(request):
                return JsonResponse({"club": club.slug})
            messages.success(request, _("Welcome to %(club)s!") % {"club": club.name})
            return redirect(club.get_absolute_url())
    else:
        problem = services.invite_problem(invite)
    standing = club_standing(user=request.user, club=club)
    if problem is None and standing.is_banned:
        problem = AccessDenied(_("You are banned from this club."))
    if problem is None and standing.is_member:
        problem = DomainError(_("You are already a member of this club."))
    context = {
        "club": club,
        "invite": invite,
        "standing": standing,
        "error": problem.message if problem is not None else None,
    }
    status = problem.status_code if (problem is not None and request.method == "POST") else 200
    return render(request, "brand_clubs/club_invite_landing.html", context, status=status)


# --- the club's log -------------------------------------------------------------------


def club_audit(request, slug):
    club = club_or_404(slug)
    try:
        standing = access_club_moderate(user=request.user, club=club)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    context = {
        "club": club,
        "standing": standing,
        "page": _page(request, selectors.club_audit_list(club=club), LIST_PER_PAGE),
        "page_title": _("Log · %(club)s") % {"club": club.name},
    }
    return render(request, "brand_clubs/club_audit.html", context)
