"""Chat pages and actions over HTTP: parse, call one service or selector, render.

The room page works without JavaScript (history pages, a plain form that posts and
redirects); static/js/chat.js enhances it over the live socket. Rooms the viewer may
not read are 404s whatever the id, so their existence does not leak. JSON clients
(`Accept: application/json`) get the message payloads and 4xx bodies."""

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brand_clubs.models import Event
from brand_clubs.views.clubs import club_or_404
from community.chat import selectors, services
from community.chat.forms import DeleteForm, MessageForm, MuteForm, NotifyForm, ReadForm
from community.chat.models import REACTIONS, Message
from community.chat.payloads import message_payload
from community.chat.services.access import active_mute
from community.errors import AccessDenied, DomainError, NotFound
from community.http import domain_error_json, form_add_domain_error, safe_next_url, wants_json
from community.private_media import private_file_response

PHOTO_RENDITIONS = ("thumb", "thumb_webp", "medium", "medium_webp", "large", "large_webp")


# --- helpers --------------------------------------------------------------------------


def _readable_room(request, pk):
    """The room and the viewer's access to it; 404 for a room they may not read."""
    try:
        room = services.room_get(pk=pk)
        access = services.access_room_read(user=request.user, room=room)
    except (NotFound, AccessDenied) as exc:
        raise Http404(exc.message) from None
    return room, access


def _readable_message(request, pk):
    """A message of a room the viewer may read, and the viewer's access to that room."""
    try:
        message = services.message_get(user=request.user, pk=pk)
        access = services.access_room_read(user=request.user, room=message.room)
    except (NotFound, AccessDenied) as exc:
        raise Http404(exc.message) from None
    return message, access


def _forbidden(request, exc: DomainError):
    if wants_json(request):
        return domain_error_json(exc)
    return render(request, "403.html", {"message": exc.message}, status=exc.status_code)


def _failed(request, exc: DomainError, *, fallback: str):
    """A refused action without a form: JSON body, 404, or a message and back."""
    if wants_json(request):
        return domain_error_json(exc)
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    messages.error(request, exc.message)
    return redirect(safe_next_url(request, fallback))


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _message_url(message) -> str:
    return reverse("chat:room", args=[message.room_id]) + f"#m-{message.pk}"


def _form_errors_json(form) -> JsonResponse:
    errors = form.errors.get_json_data()
    first = next(iter(errors.values()))[0]["message"] if errors else gettext("Invalid input.")
    body = {"error": {"code": "invalid", "message": first, "fields": errors}}
    return JsonResponse(body, status=400)


# --- pages ----------------------------------------------------------------------------


@login_required
@require_GET
def room_list(request):
    rooms = selectors.rooms_for_member(member=request.user)
    entries = [
        {"room": room, "title": services.room_title(room, viewer=request.user)} for room in rooms
    ]
    return render(request, "chat/room_list.html", {"entries": entries})


def _render_room(request, room, access, *, form=None, before=None, status=200):
    last_sequence = room.last_sequence  # read before the history: catch-up starts here
    history, has_more = selectors.room_history(room=room, before=before)
    latest = before is None
    if latest and request.method == "GET":
        # Opening the latest page follows the room and reads it. Reading is never
        # refused because the read marker could not move.
        with contextlib.suppress(DomainError):
            services.room_mark_read(member=request.user, room=room, sequence=last_sequence)
    viewer_id = request.user.pk
    items = [
        {"message": message, "p": message_payload(message), "mine": message.author_id == viewer_id}
        for message in history
    ]
    reply_to = None
    if form is None:
        reply_id = _int_or_none(request.GET.get("reply_to"))
        reply_to = next((item for item in items if item["message"].pk == reply_id), None)
        form = MessageForm(initial={"reply_to": reply_id if reply_to else None})
    else:
        reply_id = _int_or_none(form.data.get("reply_to"))
        reply_to = next((item for item in items if item["message"].pk == reply_id), None)
    level = selectors.room_notify_level(member=request.user, room=room)
    context = {
        "room": room,
        "access": access,
        "title": services.room_title(room, viewer=request.user),
        "items": items,
        "has_more": has_more,
        "older_before": history[0].sequence if history else None,
        "latest": latest,
        "last_sequence": last_sequence,
        "form": form,
        "reply_to": reply_to,
        "notify_form": NotifyForm(initial={"level": level}),
        "online": services.presence_online(room_id=room.pk),
        "reactions": REACTIONS,
        "max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
    }
    return render(request, "chat/room.html", context, status=status)


@login_required
@require_GET
def room_detail(request, pk):
    room, access = _readable_room(request, pk)
    return _render_room(request, room, access, before=_int_or_none(request.GET.get("before")))


@login_required
@require_GET
def room_history(request, pk):
    room, _access = _readable_room(request, pk)
    before = _int_or_none(request.GET.get("before"))
    history, has_more = selectors.room_history(room=room, before=before)
    return JsonResponse(
        {"messages": [message_payload(message) for message in history], "has_more": has_more}
    )


# --- actions --------------------------------------------------------------------------


@login_required
@require_POST
def message_send(request, pk):
    room, access = _readable_room(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = services.message_send(
                author=request.user,
                room=room,
                body=data["body"],
                reply_to_id=data["reply_to"],
                photo=data["photo"],
                client_id=data["client_id"],
            )
        except DomainError as exc:
            if wants_json(request):
                return domain_error_json(exc)
            form_add_domain_error(form, exc)
        else:
            if wants_json(request):
                return JsonResponse({"message": message_payload(message)}, status=201)
            return redirect(_message_url(message))
    elif wants_json(request):
        return _form_errors_json(form)
    if request.FILES:
        messages.warning(
            request, gettext("Your text is kept below; please choose your photo again.")
        )
    return _render_room(request, room, access, form=form, status=400)


@login_required
@require_POST
def room_read(request, pk):
    room, _access = _readable_room(request, pk)
    form = ReadForm(request.POST)
    if not form.is_valid():
        if wants_json(request):
            return _form_errors_json(form)
        return redirect(room.get_absolute_url())
    try:
        unread = services.room_mark_read(
            member=request.user, room=room, sequence=form.cleaned_data["sequence"]
        )
    except DomainError as exc:
        return _failed(request, exc, fallback=room.get_absolute_url())
    if wants_json(request):
        return JsonResponse({"room": room.pk, "unread": unread})
    return redirect(room.get_absolute_url())


@login_required
@require_POST
def room_notify(request, pk):
    room, _access = _readable_room(request, pk)
    form = NotifyForm(request.POST)
    if not form.is_valid():
        if wants_json(request):
            return _form_errors_json(form)
        messages.error(request, gettext("Please choose what to be notified about."))
        return redirect(room.get_absolute_url())
    level = form.cleaned_data["level"]
    try:
        services.room_notify_set(member=request.user, room=room, level=level)
    except DomainError as exc:
        return _failed(request, exc, fallback=room.get_absolute_url())
    if wants_json(request):
        return JsonResponse({"room": room.pk, "level": level})
    messages.success(request, gettext("Your notification setting for this room is saved."))
    return redirect(safe_next_url(request, room.get_absolute_url()))


@login_required
@require_http_methods(["GET", "POST"])
def room_mute(request, pk):
    """Moderators mute a member in the room for a while (or lift a mute): a form with a
    reason on GET, the action on POST."""
    room, access = _readable_room(request, pk)
    if not access.can_moderate:
        return _forbidden(request, AccessDenied(gettext("Only moderators can do this.")))
    member_pk = _int_or_none(request.POST.get("member") or request.GET.get("member"))
    if member_pk is None:
        raise Http404(gettext("No such member."))
    target = get_object_or_404(get_user_model(), pk=member_pk, is_active=True)
    room_url = room.get_absolute_url()
    if request.method == "POST" and request.POST.get("action") == "unmute":
        try:
            services.room_unmute(actor=request.user, room=room, member=target)
        except DomainError as exc:
            return _failed(request, exc, fallback=room_url)
        messages.success(
            request, gettext("%(name)s can post again.") % {"name": target.public_name}
        )
        return redirect(room_url)
    form = MuteForm(
        request.POST if request.method == "POST" else None, initial={"member": target.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.room_mute(
                actor=request.user,
                room=room,
                member=target,
                minutes=form.cleaned_data["minutes"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            if wants_json(request):
                return domain_error_json(exc)
            form_add_domain_error(form, exc)
        else:
            messages.success(
                request, gettext("%(name)s is muted in this room.") % {"name": target.public_name}
            )
            return redirect(room_url)
    context = {
        "room": room,
        "title": services.room_title(room, viewer=request.user),
        "target": target,
        "form": form,
        "mute": active_mute(room=room, member=target),
    }
    return render(request, "chat/mute.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def message_delete(request, pk):
    """Authors delete their own messages; moderators anyone's, with a reason."""
    message, access = _readable_message(request, pk)
    if message.is_deleted:
        raise Http404(gettext("This message is already deleted."))
    is_author = message.author_id == request.user.pk
    if not (is_author or access.can_moderate):
        return _forbidden(request, AccessDenied(gettext("You can only delete your own messages.")))
    data = request.POST if request.method == "POST" else None
    form = DeleteForm(data, reason_required=not is_author)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.message_delete(
                actor=request.user, message=message, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            if wants_json(request):
                return domain_error_json(exc)
            form_add_domain_error(form, exc)
        else:
            if wants_json(request):
                return JsonResponse({"message": message_payload(message)})
            messages.success(request, gettext("The message is deleted."))
            return redirect(_message_url(message))
    elif request.method == "POST" and wants_json(request):
        return _form_errors_json(form)
    context = {
        "room": message.room,
        "title": services.room_title(message.room, viewer=request.user),
        "message": message,
        "is_author": is_author,
        "form": form,
    }
    return render(request, "chat/message_delete.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def message_photo(request, pk, size):
    """A message's photo after the same check as its room. Never a public URL."""
    if size not in PHOTO_RENDITIONS:
        raise Http404(gettext("No such file."))
    message, _access = _readable_message(request, pk)
    if message.is_deleted:
        raise Http404(gettext("No such file."))
    try:
        photo = message.photo
    except Message.photo.RelatedObjectDoesNotExist:
        raise Http404(gettext("No such file.")) from None
    return private_file_response(getattr(photo, size))


# --- ways into a room -----------------------------------------------------------------


def _redirect_to_room(request, open_room):
    """Open (or create) a club's or an event's room for the viewer and go there."""
    try:
        room = open_room()
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        return _forbidden(request, exc)
    return redirect(room.get_absolute_url())


@login_required
@require_GET
def club_room(request, slug):
    club = club_or_404(slug)
    return _redirect_to_room(request, lambda: services.room_for_club(user=request.user, club=club))


@login_required
@require_GET
def event_room(request, pk):
    event = get_object_or_404(Event.objects.select_related("club__brand"), pk=pk)
    return _redirect_to_room(
        request, lambda: services.room_for_event(user=request.user, event=event)
    )


@login_required
@require_POST
def direct_room(request, member_pk):
    recipient = get_object_or_404(get_user_model(), pk=member_pk, is_active=True)
    try:
        room = services.direct_room_open(sender=request.user, recipient=recipient)
    except DomainError as exc:
        return _failed(request, exc, fallback=recipient.get_absolute_url())
    if wants_json(request):
        return JsonResponse({"room": room.pk, "url": room.get_absolute_url()})
    return redirect(room.get_absolute_url())
