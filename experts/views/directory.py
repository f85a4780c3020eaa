"""Pages and actions of the expert directory and profiles, following and the feed,
endorsements of reviews and private conversations with experts. Each parses input,
calls one service or selector and renders; every action works as a plain POST form
and answers JSON clients (Accept: application/json) with a 4xx body on refusal."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.errors import AccessDenied, DomainError, NotFound
from community.http import domain_error_json, form_add_domain_error, safe_next_url, wants_json
from community.members.badges import member_text
from community.members.selectors import member_follow_state, member_get_any, member_get_public
from community.members.services import follow_create, follow_delete
from community.reviews.selectors import review_get
from community.reviews.services import access_review_read
from experts.forms.directory import DirectoryFilterForm, EndorsementForm, ExpertProfileForm
from experts.models import Endorsement
from experts.selectors.directory import (
    DEFAULT_SORT,
    DirectoryFilters,
    directory_filter_choices,
    expert_directory,
    expert_profile_get,
    expert_profile_of,
)
from experts.selectors.feed import feed_for, parse_cursor
from experts.services.endorsements import (
    access_endorsement_create,
    access_endorsement_delete,
    endorsement_create,
    endorsement_delete,
)
from experts.services.profiles import expert_conversation_open, expert_profile_update


def _login_first(request):
    """Anonymous visitors: JSON clients get a 403 body, pages go to the login form
    (and come back to where the form was, not to a POST-only URL)."""
    if wants_json(request):
        return domain_error_json(AccessDenied(_("Please sign in first."), code="login_required"))
    return redirect_to_login(safe_next_url(request, request.get_full_path()))


def _refused(request, exc: DomainError, *, fallback: str):
    """A refused action without a form: JSON body, 404 page, or a message and back."""
    if wants_json(request):
        return domain_error_json(exc)
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    messages.error(request, exc.message)
    return redirect(safe_next_url(request, fallback))


def _forbidden(request, exc: AccessDenied):
    return render(request, "403.html", {"message": exc.message}, status=403)


# --- directory and profiles -----------------------------------------------------------


@require_GET
def directory(request):
    categories, brands = directory_filter_choices()
    form = DirectoryFilterForm(request.GET, categories=categories, brands=brands)
    if not form.is_valid():  # a hand-edited URL with an unknown value shows everyone
        form = DirectoryFilterForm({}, categories=categories, brands=brands)
        form.is_valid()
    data = form.cleaned_data
    filters = DirectoryFilters(
        field=data.get("field") or "",
        tier=data.get("tier") or "",
        brand=data.get("brand") or "",
        sort=data.get("sort") or DEFAULT_SORT,
    )
    page = expert_directory(filters=filters, page=request.GET.get("page"), viewer=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "filters": filters,
        "query": query.urlencode(),
        "page_title": _("Experts"),
    }
    return render(request, "experts/directory/directory.html", context)


@require_GET
def profile(request, member_pk):
    try:
        view = expert_profile_get(member_pk=member_pk, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "experts/directory/profile.html",
        {"view": view, "expert": view.expert, "page_title": member_text(view.expert)},
    )


@require_http_methods(["GET", "POST"])
def profile_settings(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = expert_profile_of(member=request.user)
    if profile is None:
        return _forbidden(
            request, AccessDenied(_("Only certified experts have an expert profile."))
        )
    initial = {
        "about": profile.about,
        "response_hours": profile.response_hours,
        "accepts_questions": profile.accepts_questions,
        "accepts_conversations": profile.accepts_conversations,
    }
    form = ExpertProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expert_profile_update(
                member=request.user,
                about=data["about"],
                response_hours=data["response_hours"],
                accepts_questions=data["accepts_questions"],
                accepts_conversations=data["accepts_conversations"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Your expert profile is saved."))
            return redirect("experts:profile", member_pk=request.user.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "experts/directory/settings.html",
        {"form": form, "profile": profile, "page_title": _("Expert profile settings")},
        status=status,
    )


# --- following ------------------------------------------------------------------------


def _follow_response(request, member, *, following: bool, message: str):
    if wants_json(request):
        state = member_follow_state(member=member, viewer=request.user)
        return JsonResponse({"following": following, "follower_count": state.follower_count})
    messages.success(request, message)
    return redirect(safe_next_url(request, reverse("members:profile", args=[member.pk])))


@require_POST
def follow(request, member_pk):
    if not request.user.is_authenticated:
        return _login_first(request)
    member = member_get_public(pk=member_pk)
    try:
        follow_create(follower=request.user, followed=member)
    except DomainError as exc:
        return _refused(request, exc, fallback=reverse("members:profile", args=[member.pk]))
    return _follow_response(
        request,
        member,
        following=True,
        message=_("You now follow %(name)s. Their activity appears in your feed.")
        % {"name": member.public_name},
    )


@require_POST
def unfollow(request, member_pk):
    if not request.user.is_authenticated:
        return _login_first(request)
    member = member_get_any(pk=member_pk)
    fallback = reverse("members:profile", args=[member.pk])
    try:
        follow_delete(follower=request.user, followed=member)
    except DomainError as exc:
        if exc.code == "not_following" and not wants_json(request):
            messages.info(request, exc.message)  # a repeated click: say so, go back
            return redirect(safe_next_url(request, fallback))
        return _refused(request, exc, fallback=fallback)
    return _follow_response(
        request,
        member,
        following=False,
        message=_("You no longer follow %(name)s.") % {"name": member.public_name},
    )


@require_GET
def feed(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    page = feed_for(member=request.user, before=parse_cursor(request.GET.get("before")))
    return render(
        request,
        "experts/directory/feed.html",
        {"feed": page, "page_title": _("Following")},
    )


# --- private conversations ------------------------------------------------------------


@require_POST
def conversation(request, member_pk):
    if not request.user.is_authenticated:
        return _login_first(request)
    expert = member_get_public(pk=member_pk)
    fallback = reverse("experts:profile", args=[expert.pk])
    try:
        room = expert_conversation_open(member=request.user, expert=expert)
    except DomainError as exc:
        return _refused(request, exc, fallback=fallback)
    url = reverse("chat:room", args=[room.pk])
    if wants_json(request):
        return JsonResponse({"room": room.pk, "url": url})
    return redirect(url)


# --- endorsements ---------------------------------------------------------------------


def _readable_review(request, pk):
    try:
        review = review_get(pk=pk, viewer=request.user)
        access_review_read(user=request.user, review=review)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return review


@require_http_methods(["GET", "POST"])
def endorse(request, review_pk):
    if not request.user.is_authenticated:
        return _login_first(request)
    review = _readable_review(request, review_pk)
    try:
        plan = access_endorsement_create(expert=request.user, review=review)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        if wants_json(request):
            return domain_error_json(exc)
        return render(
            request,
            "403.html",
            {"message": exc.message},
            status=exc.status_code if exc.status_code in (403, 409) else 403,
        )
    form = EndorsementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endorsement = endorsement_create(
                expert=request.user, review=review, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            if wants_json(request):
                return domain_error_json(exc)
            form_add_domain_error(form, exc)
        else:
            if wants_json(request):
                return JsonResponse(
                    {
                        "endorsement": endorsement.pk,
                        "brand_affiliation": endorsement.brand_affiliation.name
                        if endorsement.brand_affiliation
                        else None,
                    },
                    status=201,
                )
            messages.success(request, _("Thank you. The review now shows that you checked it."))
            return redirect(review.get_absolute_url())
    status = 400 if form.errors else 200
    return render(
        request,
        "experts/directory/endorse.html",
        {"form": form, "review": review, "plan": plan, "page_title": _("Endorse a review")},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def endorsement_remove(request, pk):
    if not request.user.is_authenticated:
        return _login_first(request)
    endorsement = get_object_or_404(
        Endorsement.objects.select_related(
            "expert", "review", "review__product", "review__product__brand", "brand_affiliation"
        ),
        pk=pk,
    )
    try:
        access_endorsement_delete(actor=request.user, endorsement=endorsement)
    except AccessDenied as exc:
        if wants_json(request):
            return domain_error_json(exc)
        return _forbidden(request, exc)
    if request.method == "POST":
        endorsement_delete(actor=request.user, endorsement=endorsement)
        if wants_json(request):
            return JsonResponse({"deleted": True})
        messages.success(request, _("The endorsement is removed."))
        return redirect(endorsement.review.get_absolute_url())
    return render(
        request,
        "experts/directory/endorsement_confirm_delete.html",
        {"endorsement": endorsement, "page_title": _("Remove an endorsement")},
    )
