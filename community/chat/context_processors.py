"""What every page's navigation needs from chat: the unread count and, for signed-in
members, the settings and translated strings of the live client (static/js/live.js).

Both are lazy: nothing is counted or built unless a template shows it."""

from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from community.chat.selectors import chat_unread_total


def _unread(user) -> int:
    if not (user and user.is_authenticated):
        return 0
    return chat_unread_total(member=user)


def live_strings() -> dict:
    """Every sentence the browser client shows, in the page's language."""
    return {
        "connecting": gettext("Connecting…"),
        "online": gettext("Live"),
        "offline": gettext("Offline"),
        "reconnecting": gettext("Reconnecting…"),
        "login_required": gettext("Log in again to receive live updates."),
        "too_many_connections": gettext(
            "Too many open tabs: close some to receive live updates here."
        ),
        "edited": gettext("edited"),
        "deleted": gettext("This message was deleted."),
        "reply": gettext("Reply"),
        "react_button": gettext("React"),
        "former_member": gettext("Former member"),
        "replying_to": gettext("Replying to %s"),
        "cancel": gettext("Cancel"),
        "edit": gettext("Edit"),
        "save": gettext("Save"),
        "delete": gettext("Delete"),
        "mute": gettext("Mute"),
        "confirm_delete": gettext("Delete this message? This cannot be undone."),
        "delete_reason": gettext("Why are you deleting this message? (kept in the log)"),
        "typing_one": gettext("%s is typing…"),
        "typing_many": gettext("Several people are typing…"),
        "nobody_online": gettext("Nobody else is here right now."),
        "photo": gettext("Photo"),
        "react": gettext("React with %s"),
        "load_older": gettext("Older messages"),
        "loading": gettext("Loading…"),
        "send_failed": gettext("Your message was not sent. Please try again."),
        "load_failed": gettext("Messages could not be loaded. Please reload the page."),
        "revoked": gettext("You no longer have access to this room."),
        "new_notification": gettext("New notification"),
        "close": gettext("Close"),
        "unread": gettext("%s unread"),
    }


def _live_config(request) -> dict:
    user = request.user
    return {
        "ws_path": "/ws/live/",
        "member_id": user.pk,
        "member_name": str(user.public_name),
        "time_zone": timezone.get_current_timezone_name(),
        "language": request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "en",
        "max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
        "strings": live_strings(),
    }


def chat_unread(request):
    """`unread_chat`: the badge in the navigation. `live_config`: a callable the
    template engine calls only when base.html renders it (signed-in members)."""
    user = getattr(request, "user", None)
    return {
        "unread_chat": SimpleLazyObject(lambda: _unread(user)),
        "live_config": lambda: _live_config(request),
    }
