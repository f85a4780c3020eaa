"""Member profiles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from community.errors import DomainError
from community.http import form_add_domain_error
from community.members.forms import NotificationSettingsForm, ProfileForm
from community.members.notifications import (
    notification_mark_read,
    notification_preferences_for,
    notification_preferences_set,
)
from community.members.selectors import (
    is_moderator,
    member_get_public,
    notification_get_for,
    notification_list_for,
)
from community.members.services import member_update_profile
from community.reputation.rules import TrustLevel
from community.reviews.selectors import review_list_by_author

REVIEWS_PER_PAGE = 20
NOTIFICATIONS_PER_PAGE = 30


def profile(request, pk):
    member = member_get_public(pk=pk)
    reviews = review_list_by_author(author=member, viewer=request.user)
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "member": member,
        "page": page,
        # Level and total are fields of the member row: no query.
        "trust_level_label": TrustLevel(member.trust_level).label,
        # Site moderators grant and withdraw level 4 (community/reputation/views.py).
        "can_change_leader": is_moderator(request.user),
    }
    return render(request, "members/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    member = request.user
    initial = {
        "display_name": member.display_name,
        "bio": member.bio,
        "preferred_language": member.preferred_language,
        "time_zone": member.time_zone,
        "direct_messages": member.direct_messages,
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_update_profile(
                member=member,
                actor=request.user,
                display_name=data["display_name"],
                bio=data["bio"],
                preferred_language=data["preferred_language"],
                time_zone=data["time_zone"],
                avatar=data["avatar"],
                remove_avatar=data["remove_avatar"],
                direct_messages=data["direct_messages"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            response = redirect("members:profile", pk=member.pk)
            if data["preferred_language"]:
                response.set_cookie("django_language", data["preferred_language"], samesite="Lax")
            else:
                response.delete_cookie("django_language")
            return response
    status = 400 if form.errors else 200
    return render(request, "members/profile_edit.html", {"form": form}, status=status)


@login_required
def my_profile(request):
    return redirect("members:profile", pk=request.user.pk)


@login_required
def notification_centre(request):
    unread_only = request.GET.get("filter") == "unread"
    notifications = notification_list_for(member=request.user, unread_only=unread_only)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/notifications.html",
        {"page": page, "unread_only": unread_only, "query": "filter=unread" if unread_only else ""},
    )


@login_required
@require_POST
def notifications_mark_read(request):
    count = notification_mark_read(member=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("members:notifications")


@login_required
def notification_open(request, pk):
    """Follow a notification to its object, marking it read on the way."""
    notification = notification_get_for(member=request.user, pk=pk)
    if notification is None:
        raise Http404(_("No such notification."))
    notification_mark_read(member=request.user, notification_ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect("members:notifications")
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """Which kinds of notification the member gets in the site and by e-mail."""
    rows = notification_preferences_for(member=request.user)
    form = NotificationSettingsForm(request.POST if request.method == "POST" else None, rows=rows)
    if form.is_bound and form.is_valid():
        in_app, email = form.choices()
        try:
            notification_preferences_set(member=request.user, in_app=in_app, email=email)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("members:notification_settings")
    status = 400 if form.errors else 200
    return render(request, "members/notification_settings.html", {"form": form}, status=status)
