"""Counts what trust levels ask for from the request side: one visit per day, and the
distinct reviews, posts and answers a member was shown. The session remembers what was
already counted today, so a visit costs one query a day and re-reading a page counts
nothing."""

from collections.abc import Iterable
from datetime import UTC

from django.utils import timezone

from community.reputation.trust_services import trust_items_read_add, trust_visit_record

VISIT_SESSION_KEY = "gw_visited_on"
READ_SESSION_KEY = "gw_read"
# Enough for a very busy day; beyond it, items are no longer counted that day.
MAX_READ_PER_DAY = 1000


def _utc_today() -> str:
    return timezone.now().astimezone(UTC).date().isoformat()


def note_items_read(request, keys: Iterable[str]) -> int:
    """Count `keys` (e.g. "review:12") the signed-in member has not been shown today.
    Views call this with what they render; returns how many were new."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return 0
    today = _utc_today()
    seen = request.session.get(READ_SESSION_KEY)
    if not isinstance(seen, dict) or seen.get("day") != today:
        seen = {"day": today, "keys": []}
    known = set(seen["keys"])
    new = [key for key in dict.fromkeys(keys) if key not in known]
    new = new[: max(0, MAX_READ_PER_DAY - len(known))]
    if not new:
        return 0
    seen["keys"] = [*seen["keys"], *new]
    request.session[READ_SESSION_KEY] = seen
    trust_items_read_add(member=user, count=len(new))
    return len(new)


def _record_visit(request, user) -> None:
    today = _utc_today()
    if request.session.get(VISIT_SESSION_KEY) != today:
        trust_visit_record(member=user)
        request.session[VISIT_SESSION_KEY] = today


def record_visit_on_login(sender, request, user, **kwargs):
    """Signing in is a visit; the middleware then has nothing to do until tomorrow."""
    if request is not None and hasattr(request, "session"):
        _record_visit(request, user)


class TrustActivityMiddleware:
    """Records the first request of each UTC day of a member who stays signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            _record_visit(request, user)
        return self.get_response(request)
