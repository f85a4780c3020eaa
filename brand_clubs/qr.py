"""QR codes of check-in tickets, drawn by segno as inline SVG (no image files, no
external service: the code never leaves the page)."""

import segno
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from brand_clubs.models import Event


def checkin_url(*, request, event: Event, code: str) -> str:
    """The absolute address of the event's door page with the code filled in: staff
    scan it with any phone camera and confirm (a GET never checks anyone in)."""
    path = reverse("brand_clubs:event_checkin", args=[event.club.slug, event.pk])
    return request.build_absolute_uri(f"{path}?{urlencode({'code': code})}")


def qr_svg(data: str, *, scale: int = 5) -> SafeString:
    """An SVG QR code of `data`, safe to put in a page: segno writes only its own
    path markup, and `data` is encoded into the path, never copied as text."""
    svg = segno.make(data, error="m").svg_inline(
        scale=scale, dark="#000", light="#fff", omitsize=True, svgclass="qr", title=None
    )
    return mark_safe(svg)  # generated markup, see above
