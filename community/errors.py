"""Domain errors: raised by services, turned by interfaces into a form error, a 4xx JSON
body or a WebSocket error frame. Each carries a translated, user-facing message."""


class DomainError(Exception):
    """A rule of the domain was broken by the request; the message is safe to show."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field


class AccessDenied(DomainError):
    status_code = 403
    default_code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Conflict(DomainError):
    status_code = 409
    default_code = "conflict"


class RateLimited(DomainError):
    status_code = 429
    default_code = "rate_limited"
