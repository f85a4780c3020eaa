"""Pages and actions of club events: parse input, call one service or selector, render.

Every action works as a plain POST form; htmx and JSON clients get a partial or a
JSON error. Nothing changes on GET: the door page opened from a ticket's QR code only
fills in the code and asks staff to confirm.
"""

import zoneinfo
from datetime import datetime
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brand_clubs import calendar, qr
from brand_clubs.models import Event, EventRSVP
from brand_clubs.selectors import events as selectors
from brand_clubs.services import events as services
from brand_clubs.services.access import (
    access_club_manage,
    access_event_read,
    access_event_rsvp,
    attended_rsvp,
    club_standing,
)
from brand_clubs.views.clubs import club_or_404
from community.errors import AccessDenied, DomainError, NotFound
from community.http import domain_error_json, form_add_domain_error, wants_json
from community.members.models import TIME_ZONE_CHOICES
from community.private_media import private_file_response
from community.reviews.forms import STAR_CHOICES, MultipleFileField

EVENTS_PER_PAGE = 20
ATTENDEES_PER_PAGE = 50
PHOTOS_PER_PAGE = 48
REVIEWS_PER_PAGE = 20
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


# --- forms ------------------------------------------------------------------------------


MIN_YEAR, MAX_YEAR = 2000, 2100


class LocalDateTimeField(forms.DateTimeField):
    """A datetime-local input read as a wall-clock time (naive): the form attaches
    the event's own time zone, not the viewer's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT_FORMAT)
    input_formats = [LOCAL_INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        for fmt in self.input_formats:
            try:
                parsed = datetime.strptime(str(value).strip(), fmt)
            except (TypeError, ValueError):
                continue
            # Years near 1 or 9999 overflow when converted to UTC; no event is that far.
            if not (MIN_YEAR <= parsed.year <= MAX_YEAR):
                raise forms.ValidationError(
                    _("Enter a date between %(first)d and %(last)d.")
                    % {"first": MIN_YEAR, "last": MAX_YEAR},
                    code="out_of_range",
                )
            return parsed
        raise forms.ValidationError(_("Enter a valid date and time."), code="invalid")


class EventForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=150)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Markdown works: **bold**, *italic*, lists and links."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=TIME_ZONE_CHOICES,
        help_text=gettext_lazy("Where the event happens; the times below are in this zone."),
    )
    starts_at = LocalDateTimeField(label=gettext_lazy("Starts"))
    ends_at = LocalDateTimeField(label=gettext_lazy("Ends"))
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=Event.Format.choices, widget=forms.RadioSelect
    )
    online_url = forms.CharField(
        label=gettext_lazy("Online link"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Shown only to attendees with a confirmed place."),
    )
    venue_name = forms.CharField(label=gettext_lazy("Venue"), max_length=200, required=False)
    address = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Leave empty for no limit."),
    )
    rsvp_deadline = LocalDateTimeField(
        label=gettext_lazy("RSVP deadline"),
        required=False,
        help_text=gettext_lazy("Optional; in the event's time zone."),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can see and join"),
        choices=Event.Visibility.choices,
        widget=forms.RadioSelect,
    )

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        if not zone_name:
            return data
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("starts_at", "ends_at", "rsvp_deadline"):
            if data.get(name) is not None:
                data[name] = data[name].replace(tzinfo=zone)
        return data

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        """The event's values, times as wall-clock times in its own zone."""
        zone = zoneinfo.ZoneInfo(event.time_zone)

        def local(value):
            return value.astimezone(zone).replace(tzinfo=None) if value else None

        return {
            "title": event.title,
            "description": event.description,
            "time_zone": event.time_zone,
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "format": event.format,
            "online_url": event.online_url,
            "venue_name": event.venue_name,
            "address": event.address,
            "capacity": event.capacity,
            "rsvp_deadline": local(event.rsvp_deadline),
            "visibility": event.visibility,
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason, sent to everyone going or waiting"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Check-in code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "checkin-code-input",
            }
        ),
    )


class PhotoForm(forms.Form):
    photos = MultipleFileField(label=gettext_lazy("Photos"))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _(
            "Up to %(count)d photos at a time: JPEG, PNG, WebP or HEIC."
        ) % {"count": services.MAX_PHOTOS_PER_UPLOAD}


class EventReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"), choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    body = forms.CharField(
        label=gettext_lazy("Your review"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Markdown works: **bold**, *italic*, lists and links."),
    )


# --- helpers ----------------------------------------------------------------------------


def _denied(request, exc: AccessDenied):
    """JSON/htmx: the error body; anonymous visitors: the login page; else 403."""
    if wants_json(request) or request.htmx:
        return domain_error_json(exc)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "403.html", {"message": exc.message}, status=403)


def event_view(view):
    """Load the club's event and check the viewer may see it: unknown ids and
    events of private clubs hidden from the viewer are 404s."""

    @wraps(view)
    def wrapper(request, slug, pk, **kwargs):
        club = club_or_404(slug)
        try:
            event = selectors.event_get(club=club, pk=pk)
            standing = access_event_read(user=request.user, event=event)
            return view(request, event, standing, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except AccessDenied as exc:
            return _denied(request, exc)

    return wrapper


def _page(request, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _zones_differ(event: Event) -> bool:
    return timezone.get_current_timezone_name() != event.time_zone


# --- lists ------------------------------------------------------------------------------


@require_GET
def club_events(request, slug):
    club = club_or_404(slug)
    standing = club_standing(user=request.user, club=club)
    past = request.GET.get("tab") == "past"
    events = selectors.event_list_for_club(
        club=club, viewer=request.user, past=past, standing=standing
    )
    page = _page(request, events, EVENTS_PER_PAGE)
    return render(
        request,
        "brand_clubs/event_list.html",
        {
            "club": club,
            "standing": standing,
            "past": past,
            "page": page,
            "events": page.object_list,
            "query": "tab=past" if past else "",
            "page_title": _("Events of %(club)s") % {"club": club.name},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_events(request):
    """The member's events, and the secret address of their calendar feed."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reset" and request.POST.get("confirm") != "yes":
            return render(request, "brand_clubs/events_calendar_reset.html")
        try:
            if action == "reset":
                services.calendar_feed_reset(member=request.user)
                messages.success(request, _("Your calendar address is new; the old one is off."))
            else:
                services.calendar_feed_ensure(member=request.user)
                messages.success(request, _("Your calendar address is ready."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("brand_clubs:my_events")
    upcoming = list(selectors.event_list_for_member(member=request.user, past=False))
    page = _page(request, selectors.event_list_for_member(member=request.user, past=True), 20)
    feed = selectors.calendar_feed_of(member=request.user)
    feed_url = (
        request.build_absolute_uri(reverse("brand_clubs:member_calendar", args=[feed.token]))
        if feed
        else ""
    )
    return render(
        request,
        "brand_clubs/events_mine.html",
        {
            "upcoming": upcoming,
            "page": page,
            "feed_url": feed_url,
            "page_title": _("My events"),
        },
    )


@require_GET
def member_calendar(request, token):
    feed = selectors.calendar_feed_get(token=token)
    if feed is None:
        raise Http404(_("This calendar address is not valid (any more)."))
    events = selectors.event_list_for_calendar_feed(member=feed.member)
    body = calendar.events_ics(
        events=events, name=_("My events on Goodword"), show_online_links=True
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- writing events ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request, slug):
    club = club_or_404(slug)
    try:
        access_club_manage(user=request.user, club=club)
    except AccessDenied as exc:
        return _denied(request, exc)
    initial = {
        "time_zone": timezone.get_current_timezone_name(),
        "format": Event.Format.OFFLINE,
        "visibility": Event.Visibility.CLUB,
    }
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(club=club, actor=request.user, **form.cleaned_data)
        except AccessDenied as exc:
            return _denied(request, exc)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The event is published."))
            return redirect(event.get_absolute_url())
    return render(
        request,
        "brand_clubs/event_form.html",
        {"form": form, "club": club, "page_title": _("New event")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@event_view
def event_edit(request, event, standing):
    access_club_manage(user=request.user, club=event.club, standing=standing)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event))
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, actor=request.user, **form.cleaned_data)
        except AccessDenied:
            raise
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The event is updated."))
            return redirect(event.get_absolute_url())
    return render(
        request,
        "brand_clubs/event_form.html",
        {"form": form, "club": event.club, "event": event, "page_title": _("Edit event")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@event_view
def event_cancel(request, event, standing):
    access_club_manage(user=request.user, club=event.club, standing=standing)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(
                event=event, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except AccessDenied:
            raise
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The event is cancelled; attendees are told."))
            return redirect(event.get_absolute_url())
    return render(
        request,
        "brand_clubs/event_cancel.html",
        {"form": form, "club": event.club, "event": event},
        status=400 if form.errors else 200,
    )


# --- the event page, RSVP and ticket -----------------------------------------------------


def _rsvp_state(request, event, standing) -> dict:
    """What the RSVP box shows: the viewer's place, or why they cannot RSVP."""
    rsvp = selectors.event_rsvp_of(event=event, member=request.user)
    if rsvp is not None and rsvp.status == EventRSVP.Status.CANCELLED:
        rsvp = None
    blocker = services.event_rsvp_refusal(event=event)
    if blocker is None and request.user.is_authenticated:
        try:
            access_event_rsvp(user=request.user, event=event, standing=standing)
        except DomainError as exc:
            blocker = exc
    return {
        "rsvp": rsvp,
        "is_going": rsvp is not None and rsvp.status == EventRSVP.Status.GOING,
        "waitlist_position": selectors.event_waitlist_position(rsvp=rsvp) if rsvp else None,
        "rsvp_blocker": blocker.message if blocker is not None else "",
        "event": event,
        "club": event.club,
    }


@require_GET
@event_view
def event_detail(request, event, standing):
    state = _rsvp_state(request, event, standing)
    attended = state["rsvp"] is not None and state["rsvp"].attended
    own_review = selectors.event_review_of(event=event, author=request.user)
    context = {
        **state,
        "standing": standing,
        "can_manage": standing.can_manage,
        "zones_differ": _zones_differ(event),
        "photos": list(selectors.event_photo_list(event=event)[:6]),
        "reviews": list(selectors.event_review_list(event=event)[:5]),
        "can_add_photos": attended and not event.club.is_closed,
        "can_review": attended and event.has_started and not event.is_cancelled and not own_review,
        "page_title": event.title,
    }
    return render(request, "brand_clubs/event_detail.html", context)


@require_POST
def event_rsvp(request, slug, pk):
    """Say yes (or `action=cancel`); anonymous visitors are sent to log in first."""
    if not request.user.is_authenticated:
        if wants_json(request) or request.htmx:
            return domain_error_json(AccessDenied(_("Please log in first.")))
        return redirect_to_login(reverse("brand_clubs:event", args=[slug, pk]))
    return _event_rsvp(request, slug=slug, pk=pk)


@event_view
def _event_rsvp(request, event, standing):
    cancelling = request.POST.get("action") == "cancel"
    try:
        if cancelling:
            services.event_rsvp_cancel(event=event, member=request.user)
        else:
            rsvp = services.event_rsvp(event=event, member=request.user)
    except AccessDenied:
        raise
    except DomainError as exc:
        if wants_json(request) or request.htmx:
            return domain_error_json(exc)
        messages.error(request, exc.message)
        return redirect(event.get_absolute_url())
    if cancelling:
        text = _("Your RSVP is cancelled.")
    elif rsvp.status == EventRSVP.Status.GOING:
        text = _("You are going! Your ticket is ready.")
    else:
        text = _("The event is full: you are on the waitlist and will be told if a place opens.")
    if request.htmx:
        return render(
            request, "brand_clubs/_event_rsvp.html", _rsvp_state(request, event, standing)
        )
    if wants_json(request):
        state = _rsvp_state(request, event, standing)
        return JsonResponse(
            {
                "status": state["rsvp"].status if state["rsvp"] else None,
                "going_count": event.going_count,
                "waitlist_count": event.waitlist_count,
                "waitlist_position": state["waitlist_position"],
            }
        )
    messages.success(request, text)
    return redirect(event.get_absolute_url())


@login_required
@require_GET
@event_view
def event_ticket(request, event, standing):
    """The viewer's own ticket (there is no way to ask for anyone else's)."""
    rsvp = selectors.event_rsvp_of(event=event, member=request.user)
    if rsvp is None or rsvp.status == EventRSVP.Status.CANCELLED:
        raise Http404(_("You have no ticket for this event."))
    context = {
        "event": event,
        "club": event.club,
        "rsvp": rsvp,
        "zones_differ": _zones_differ(event),
        "page_title": _("Ticket: %(event)s") % {"event": event.title},
    }
    if rsvp.status == EventRSVP.Status.GOING:
        context["qr_svg"] = qr.qr_svg(
            qr.checkin_url(request=request, event=event, code=rsvp.checkin_code)
        )
    else:
        context["waitlist_position"] = selectors.event_waitlist_position(rsvp=rsvp)
    response = render(request, "brand_clubs/event_ticket.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@event_view
def event_ics(request, event, standing):
    rsvp = selectors.event_rsvp_of(event=event, member=request.user)
    going = rsvp is not None and rsvp.status == EventRSVP.Status.GOING
    response = HttpResponse(
        calendar.event_ics(event=event, show_online_link=going),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the door ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@event_view
def event_checkin(request, event, standing):
    """Staff check people in from a phone: type the code, or open a ticket's QR link
    (the code is filled in and waits for a tap on "Check in")."""
    access_club_manage(user=request.user, club=event.club, standing=standing)
    checked_in = None
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                checked_in = services.event_check_in(
                    event=event, actor=request.user, code=form.cleaned_data["code"]
                )
            except AccessDenied:
                raise
            except DomainError as exc:
                form_add_domain_error(form, exc)
        if checked_in is not None:
            messages.success(
                request, _("%(name)s is checked in.") % {"name": checked_in.member.public_name}
            )
            query = request.POST.get("q", "")
            target = reverse("brand_clubs:event_checkin", args=[event.club.slug, event.pk])
            return redirect(target + (f"?{urlencode({'q': query})}" if query else ""))
    else:
        form = CheckInForm(initial={"code": request.GET.get("code", "")[:40]})
    search = request.GET.get("q", "").strip()[:100]
    page = _page(
        request, selectors.event_attendee_list(event=event, query=search), ATTENDEES_PER_PAGE
    )
    return render(
        request,
        "brand_clubs/event_checkin.html",
        {
            "form": form,
            "event": event,
            "club": event.club,
            "prefilled": request.method == "GET" and bool(request.GET.get("code")),
            "search": search,
            "page": page,
            "attendees": page.object_list,
            "query": urlencode({"q": search}) if search else "",
            "page_title": _("Check-in: %(event)s") % {"event": event.title},
        },
        status=400 if form.errors else 200,
    )


# --- album and reviews ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@event_view
def event_album(request, event, standing):
    """The album: everyone who sees the event sees it; attendees add photos; the
    uploader or a moderator deletes one after a confirmation page."""
    delete_id = request.POST.get("delete") or request.GET.get("delete")
    if delete_id:
        return _album_delete(request, event, delete_id)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                added = services.event_photo_add(
                    event=event,
                    uploader=request.user,
                    photos=form.cleaned_data["photos"],
                    caption=form.cleaned_data["caption"],
                )
            except AccessDenied:
                raise
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d photo added to the album.",
                        "%(count)d photos added to the album.",
                        len(added),
                    )
                    % {"count": len(added)},
                )
                return redirect("brand_clubs:event_album", event.club.slug, event.pk)
    page = _page(request, selectors.event_photo_list(event=event), PHOTOS_PER_PAGE)
    can_upload = (
        attended_rsvp(user=request.user, event=event) is not None and not event.club.is_closed
    )
    return render(
        request,
        "brand_clubs/event_album.html",
        {
            "event": event,
            "club": event.club,
            "form": form,
            "page": page,
            "photos": page.object_list,
            "can_upload": can_upload,
            "can_moderate": standing.can_moderate,
            "page_title": _("Album: %(event)s") % {"event": event.title},
        },
        status=400 if form.errors else 200,
    )


def _album_delete(request, event, photo_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    photo = selectors.event_photo_get(event=event, pk=photo_id)
    if request.method == "POST":
        try:
            services.event_photo_delete(photo=photo, actor=request.user)
        except AccessDenied:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The photo is deleted."))
        return redirect("brand_clubs:event_album", event.club.slug, event.pk)
    return render(
        request,
        "brand_clubs/event_photo_delete.html",
        {"event": event, "club": event.club, "photo": photo},
    )


@require_GET
def event_photo(request, slug, pk, photo_id, rendition):
    """One rendition of an album photo, after the same check as the event page."""
    if rendition not in services.PHOTO_FIELDS:
        raise Http404(_("No such photo."))
    club = club_or_404(slug)
    try:
        event = selectors.event_get(club=club, pk=pk)
        access_event_read(user=request.user, event=event)
        photo = selectors.event_photo_get(event=event, pk=photo_id)
    except (NotFound, AccessDenied):
        raise Http404(_("No such photo.")) from None
    return private_file_response(getattr(photo, rendition))


@require_http_methods(["GET", "POST"])
@event_view
def event_reviews(request, event, standing):
    own_review = selectors.event_review_of(event=event, author=request.user)
    attended = attended_rsvp(user=request.user, event=event) is not None
    can_review = attended and event.has_started and not event.is_cancelled and not own_review
    form = EventReviewForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                services.event_review_create(
                    event=event,
                    author=request.user,
                    rating=form.cleaned_data["rating"],
                    body=form.cleaned_data["body"],
                )
            except AccessDenied:
                raise
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Thank you! Your review is published."))
                return redirect("brand_clubs:event_reviews", event.club.slug, event.pk)
    page = _page(request, selectors.event_review_list(event=event), REVIEWS_PER_PAGE)
    return render(
        request,
        "brand_clubs/event_reviews.html",
        {
            "event": event,
            "club": event.club,
            "form": form,
            "page": page,
            "reviews": page.object_list,
            "can_review": can_review or (request.method == "POST" and bool(form.errors)),
            "own_review": own_review,
            "page_title": _("Reviews: %(event)s") % {"event": event.title},
        },
        status=400 if form.errors else 200,
    )
