from django.utils.functional import SimpleLazyObject

from community.members.notifications import notification_unread_count


def unread_notifications(request):
    """The unread count in the navigation; counted only if a template shows it."""
    user = getattr(request, "user", None)
    return {
        "unread_notifications": SimpleLazyObject(lambda: notification_unread_count(member=user))
    }
