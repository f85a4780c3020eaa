import contextlib
import zoneinfo

from django.utils import timezone, translation

TIME_ZONE_COOKIE = "gw_tz"
KNOWN_TIME_ZONES = frozenset(zoneinfo.available_timezones())


class MemberPreferencesMiddleware:
    """Shows pages in the viewer's language and time zone.

    A signed-in member's saved choices win; otherwise the browser's zone, which
    static/js/site.js stores in a cookie, and Django's language negotiation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone_name = request.COOKIES.get(TIME_ZONE_COOKIE, "")
        if user is not None and user.is_authenticated:
            zone_name = user.time_zone or zone_name
            if user.preferred_language and not request.COOKIES.get("django_language"):
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = translation.get_language()
        timezone.deactivate()
        # Only names from the list: the cookie is the client's, and ZoneInfo() raises
        # more than one kind of error for names like "America" or very long ones.
        if zone_name in KNOWN_TIME_ZONES:
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                timezone.activate(zoneinfo.ZoneInfo(zone_name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
