"""Notifications: what members are told, and the one way to tell them.

Services call `notify(...)` explicitly (never from a signal) with the recipients they
have already checked may see the object. The text is kept as a kind and parameters and
rendered in the reader's language when shown; important kinds are also e-mailed.
Live delivery over websockets joins here with the chat issue.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from community.members.models import Member, Notification

BATCH_SIZE = 1000


@dataclass(frozen=True)
class NotificationKind:
    text: str  # lazy translation with %(name)s placeholders filled from params
    email: bool = False  # also send an e-mail (console backend in development)


KINDS: dict[str, NotificationKind] = {
    "club_announcement": NotificationKind(_("Announcement in %(club)s: %(excerpt)s"), email=True),
    "club_request_approved": NotificationKind(
        _("Your request to join %(club)s was approved. Welcome!"), email=True
    ),
    "club_request_received": NotificationKind(_("%(actor)s asked to join %(club)s.")),
    "club_role_changed": NotificationKind(_("You are now %(role)s in %(club)s.")),
    "club_post_comment": NotificationKind(_("%(actor)s commented on your post in %(club)s.")),
    "event_created": NotificationKind(_("New event in %(club)s: %(event)s")),
    "event_promoted": NotificationKind(
        _("A place opened up: you are now going to %(event)s."), email=True
    ),
    "event_cancelled": NotificationKind(
        _("%(event)s was cancelled. The reason: %(reason)s"), email=True
    ),
    "event_reminder": NotificationKind(_("Reminder: %(event)s starts %(when)s."), email=True),
}


def _render(kind: str, params: dict) -> str:
    """The kind's sentence in the active language; a sentence whose parameters no longer
    fit (a translation or a kind changed since the row was stored) is shown unfilled
    rather than breaking the page or the e-mail."""
    notification_kind = KINDS.get(kind)
    if notification_kind is None:
        return kind
    try:
        return str(notification_kind.text) % params
    except (KeyError, TypeError, ValueError):
        return str(notification_kind.text)


def notification_text(notification: Notification) -> str:
    return _render(notification.kind, notification.params)


def notify(
    *,
    recipients: Iterable[Member],
    kind: str,
    url: str = "",
    actor: Member | None = None,
    params: dict | None = None,
) -> int:
    """Store one notification per recipient (never the actor themself) and e-mail the
    important kinds after commit. Returns how many were stored."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    params = {key: str(value) for key, value in (params or {}).items()}
    actor_id = actor.pk if actor is not None else None
    rows = []
    emails = []
    seen = set()
    for recipient in recipients:
        # Never the actor, nobody whose account is closed, and nobody twice.
        if recipient.pk == actor_id or not recipient.is_active or recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        rows.append(
            Notification(recipient=recipient, kind=kind, actor=actor, params=params, url=url)
        )
        if KINDS[kind].email and recipient.email:
            emails.append((recipient.email, recipient.preferred_language))
    Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if emails:
        transaction.on_commit(lambda: _send_emails(kind, params, url, emails))
    return len(rows)


def _send_emails(kind: str, params: dict, url: str, emails: list[tuple[str, str]]) -> None:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    messages = []
    for address, language in emails:
        with translation.override(language or settings.LANGUAGE_CODE):
            text = _render(kind, params)
        # A subject is one header line: member text in params may hold line breaks.
        subject = " ".join(text.split())[:150]
        body = f"{text}\n\n{base}{url}\n" if url else f"{text}\n"
        messages.append((subject, body, None, [address]))
    send_mass_mail(messages, fail_silently=True)


def notification_mark_read(*, member: Member, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the given notifications of `member` read (all of them when no ids)."""
    unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def notification_unread_count(*, member) -> int:
    if not (member and member.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()
