from django import template

from community.members.notifications import notification_text as render_text

register = template.Library()


@register.simple_tag
def notification_text(notification) -> str:
    """The notification's sentence in the active language (autoescaped by the caller)."""
    return render_text(notification)
