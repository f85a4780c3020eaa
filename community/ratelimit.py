"""Fixed-window rate limits on writes, kept in the cache (Redis in production).

Services call `rate_limit_hit` before writing so that every interface (page, JSON,
socket) is limited alike. Limits live in settings.WRITE_RATE_LIMITS.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from community.errors import RateLimited


def rate_limit_hit(*, action: str, key: str | int) -> None:
    """Count one attempt of `action` by `key`; raise RateLimited past the limit."""
    limit, period = settings.WRITE_RATE_LIMITS[action]
    window = int(time.time() // period)
    cache_key = f"rl:{action}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=period + 1)
            count = 1
    if count > limit:
        raise RateLimited(_("You are doing that too often. Please wait a while and try again."))
