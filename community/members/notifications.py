"""Notifications: what members are told, and the one way to tell them.

Services call `notify(...)` explicitly (never from a signal) with the recipients they
have already checked may see the object. The text is kept as a kind and parameters and
rendered in the reader's language when shown (`render_notification`); important kinds
are also e-mailed. Members turn each kind off in the site or by e-mail
(`NotificationPreference`, rows only where a default changed). Every stored
notification is also sent, after commit, to the recipient's open sockets
(`community.realtime`, group `member.<id>`), where the consumer renders it in the
socket member's language.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.errors import AccessDenied, DomainError
from community.members.models import Member, Notification, NotificationPreference
from community.ratelimit import rate_limit_hit
from community.realtime import broadcast_on_commit, member_group

BATCH_SIZE = 1000
# Up to this many recipients the preferences are read with `member_id IN (...)`; above
# it, all changed preferences of the kind (few: rows exist only where a default changed),
# which keeps the query inside every database's limit on bound parameters.
PREFERENCES_IN_LIMIT = 500


@dataclass(frozen=True)
class NotificationKind:
    text: str  # lazy translation with %(name)s placeholders filled from params
    email: bool = False  # also send an e-mail (console backend in development)
    label: str = ""  # lazy translation naming the kind on the settings page


KINDS: dict[str, NotificationKind] = {
    "club_announcement": NotificationKind(
        _("Announcement in %(club)s: %(excerpt)s"),
        email=True,
        label=_("Announcements in my clubs"),
    ),
    "club_request_approved": NotificationKind(
        _("Your request to join %(club)s was approved. Welcome!"),
        email=True,
        label=_("My requests to join a club approved"),
    ),
    "club_request_received": NotificationKind(
        _("%(actor)s asked to join %(club)s."), label=_("Requests to join clubs I moderate")
    ),
    "club_role_changed": NotificationKind(
        _("You are now %(role)s in %(club)s."), label=_("Changes of my role in a club")
    ),
    "club_post_comment": NotificationKind(
        _("%(actor)s commented on your post in %(club)s."),
        label=_("Comments on my club posts"),
    ),
    "club_posts_pending": NotificationKind(
        _("Posts in %(club)s are waiting for your approval."),
        label=_("Posts waiting for approval in clubs I moderate"),
    ),
    "club_post_approved": NotificationKind(
        _("Your post in %(club)s was approved and is published."),
        label=_("My club posts approved"),
    ),
    "club_post_rejected": NotificationKind(
        _("Your post in %(club)s was not approved. The reason: %(reason)s"),
        email=True,
        label=_("My club posts not approved"),
    ),
    "event_created": NotificationKind(
        _("New event in %(club)s: %(event)s"), label=_("New events in my clubs")
    ),
    "event_promoted": NotificationKind(
        _("A place opened up: you are now going to %(event)s."),
        email=True,
        label=_("A place opened up for me at an event"),
    ),
    "event_cancelled": NotificationKind(
        _("%(event)s was cancelled. The reason: %(reason)s"),
        email=True,
        label=_("Cancelled events I was going to"),
    ),
    "event_reminder": NotificationKind(
        _("Reminder: %(event)s starts %(when)s."),
        email=True,
        label=_("Reminders of events I am going to"),
    ),
    "chat_mention": NotificationKind(
        _("%(actor)s mentioned you in %(room)s: %(excerpt)s"), label=_("Mentions in chat")
    ),
    "chat_reply": NotificationKind(
        _("%(actor)s replied to you in %(room)s: %(excerpt)s"),
        label=_("Replies to my chat messages"),
    ),
    "chat_message": NotificationKind(
        _("New messages in %(room)s"), label=_("New messages in chat rooms I follow")
    ),
    "expert_application_received": NotificationKind(
        _("%(actor)s applied to be certified as %(tier)s."),
        label=_("Expert applications waiting for my review"),
    ),
    "expert_application_decided": NotificationKind(
        _("Your expert application was %(decision)s."),
        email=True,
        label=_("Decisions on my expert applications"),
    ),
    "expert_info_requested": NotificationKind(
        _("Reviewers asked for more information about your expert application: %(excerpt)s"),
        email=True,
        label=_("Questions about my expert applications"),
    ),
    "expert_certificate_changed": NotificationKind(
        _("Your expert certificate was %(change)s. The reason: %(reason)s"),
        email=True,
        label=_("Changes to my expert certificate"),
    ),
    "expert_certificate_expiring": NotificationKind(
        _("Your expert certificate expires on %(date)s. Apply to renew it."),
        email=True,
        label=_("My expert certificate is about to expire"),
    ),
    "expert_challenge_received": NotificationKind(
        _("%(actor)s challenged the credentials of %(expert)s."),
        label=_("Challenges of credentials I review"),
    ),
    "expert_challenge_decided": NotificationKind(
        _("Your challenge of %(expert)s's credentials was %(decision)s."),
        label=_("Decisions on my challenges of credentials"),
    ),
    "question_directed": NotificationKind(
        _("%(actor)s asked you: %(title)s"),
        email=True,
        label=_("Questions asked to me"),
    ),
    "question_offered": NotificationKind(
        _("A question in your field is waiting for an expert: %(title)s"),
        label=_("Unanswered questions in my field of expertise"),
    ),
    "question_answered": NotificationKind(
        _("%(actor)s answered your question: %(title)s"),
        email=True,
        label=_("Answers to my questions"),
    ),
    "answer_accepted": NotificationKind(
        _("Your answer to “%(title)s” was accepted."),
        label=_("My answers accepted"),
    ),
    "qa_comment": NotificationKind(
        _("%(actor)s commented on “%(title)s”: %(excerpt)s"),
        label=_("Comments on my questions and answers"),
    ),
    "review_endorsed": NotificationKind(
        _("%(actor)s, a certified expert, checked your review of %(product)s."),
        label=_("Experts checking my reviews"),
    ),
    "member_followed": NotificationKind(_("%(actor)s now follows you."), label=_("New followers")),
    "answer_promoted": NotificationKind(
        _("Your answer to “%(title)s” became a knowledge-base page."),
        label=_("My answers added to the knowledge base"),
    ),
    "review_brand_reply": NotificationKind(
        _("%(brand)s replied to your review of %(product)s."),
        email=True,
        label=_("Brand replies to my reviews"),
    ),
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


def render_notification(kind: str, params: dict, language: str | None) -> str:
    """The sentence of a notification in `language` (the site's language when empty):
    for readers who are not the current request, such as a socket's member or a mail."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _render(kind, params)


def notification_text(notification: Notification) -> str:
    return _render(notification.kind, notification.params)


# --- telling members ------------------------------------------------------------------


def _changed_preferences(kind: str, member_ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """{member id: (in_app, email)} of the given members who turned something off for
    `kind`: one query, whatever the number of members."""
    changed = NotificationPreference.objects.filter(kind=kind)
    if KINDS[kind].email:
        changed = changed.filter(Q(in_app=False) | Q(email=False))
    else:
        changed = changed.filter(in_app=False)
    if len(member_ids) <= PREFERENCES_IN_LIMIT:
        changed = changed.filter(member_id__in=member_ids)
    return {
        member_id: (in_app, email)
        for member_id, in_app, email in changed.values_list("member_id", "in_app", "email")
    }


def _live_event(notification: Notification) -> dict:
    """What a member's sockets receive; the consumer renders the text and sends the
    "notification" frame."""
    return {
        "type": "notification.created",
        "id": notification.pk,
        "kind": notification.kind,
        "params": notification.params,
        "url": notification.url,
        # Opening through the centre marks the notification read on the way.
        "open_url": reverse("members:notification_open", args=[notification.pk]),
        "created_at": notification.created_at.isoformat(),
    }


def notify(
    *,
    recipients: Iterable[Member],
    kind: str,
    url: str = "",
    actor: Member | None = None,
    params: dict | None = None,
    once_unread: bool = False,
) -> int:
    """Store one notification per recipient (never the actor themself, nobody who turned
    the kind off), e-mail the important kinds to those who did not turn e-mail off, and
    send each stored one to its recipient's sockets; mail and live events go after
    commit. With `once_unread`, recipients who still have an unread notification of this
    kind and url get no other (new chat messages: one per room until it is read).
    Returns how many were stored."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    params = {key: str(value) for key, value in (params or {}).items()}
    actor_id = actor.pk if actor is not None else None
    candidates = []
    seen = set()
    for recipient in recipients:
        # Never the actor, nobody whose account is closed, and nobody twice.
        if recipient.pk == actor_id or not recipient.is_active or recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        candidates.append(recipient)
    if not candidates:
        return 0
    member_ids = [recipient.pk for recipient in candidates]
    preferences = _changed_preferences(kind, member_ids)
    if once_unread:
        unread = Notification.objects.filter(kind=kind, url=url, read_at__isnull=True)
        if len(member_ids) <= PREFERENCES_IN_LIMIT:
            unread = unread.filter(recipient_id__in=member_ids)
        already = set(unread.values_list("recipient_id", flat=True))
    else:
        already = set()
    rows = []
    emails = []
    for recipient in candidates:
        in_app, email = preferences.get(recipient.pk, (True, True))
        if not in_app or recipient.pk in already:
            continue
        rows.append(
            Notification(recipient=recipient, kind=kind, actor=actor, params=params, url=url)
        )
        if KINDS[kind].email and email and recipient.email:
            emails.append((recipient.email, recipient.preferred_language))
    # bulk_create sets primary keys (RETURNING on SQLite >= 3.35 and PostgreSQL) and
    # created_at on the objects, which the live events carry.
    Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    for row in rows:
        if row.pk is not None:
            broadcast_on_commit(member_group(row.recipient_id), _live_event(row))
    if emails:
        transaction.on_commit(lambda: _send_emails(kind, params, url, emails))
    return len(rows)


def _send_emails(kind: str, params: dict, url: str, emails: list[tuple[str, str]]) -> None:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    messages = []
    for address, language in emails:
        text = render_notification(kind, params, language)
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


# --- preferences ----------------------------------------------------------------------


class PreferenceRow(NamedTuple):
    kind: str
    label: str
    in_app: bool
    email: bool
    email_possible: bool


def notification_preferences_for(*, member: Member) -> list[PreferenceRow]:
    """One row per kind, in the order of KINDS, with the member's choices (the defaults
    where they changed nothing). One query."""
    changed = {
        kind: (in_app, email)
        for kind, in_app, email in NotificationPreference.objects.filter(member=member).values_list(
            "kind", "in_app", "email"
        )
    }
    rows = []
    for kind, spec in KINDS.items():
        in_app, email = changed.get(kind, (True, True))
        rows.append(
            PreferenceRow(
                kind=kind,
                label=str(spec.label or kind),
                in_app=in_app,
                email=email if spec.email else False,
                email_possible=spec.email,
            )
        )
    return rows


def notification_preferences_set(
    *, member: Member, in_app: dict[str, bool], email: dict[str, bool]
) -> None:
    """Save a member's choices per kind. Kinds missing from a dict keep their current
    choice; e-mail choices of kinds that are never mailed are ignored. Only choices that
    differ from the defaults (both on) are stored."""
    if not (member and member.is_authenticated and member.is_active):
        raise AccessDenied(gettext("Please log in to change your notification settings."))
    if (set(in_app) | set(email)) - set(KINDS):
        raise DomainError(gettext("Choose notification kinds from the list."))
    rate_limit_hit(action="profile_write", key=member.pk)
    with transaction.atomic():
        current = {
            preference.kind: preference
            for preference in NotificationPreference.objects.select_for_update().filter(
                member=member, kind__in=list(KINDS)
            )
        }
        back_to_default = []
        changed = []
        for kind, spec in KINDS.items():
            row = current.get(kind)
            want_in_app = bool(in_app.get(kind, row.in_app if row else True))
            want_email = bool(email.get(kind, row.email if row else True)) if spec.email else True
            if want_in_app and want_email:
                if row is not None:
                    back_to_default.append(kind)
            elif row is None or (row.in_app, row.email) != (want_in_app, want_email):
                changed.append(
                    NotificationPreference(
                        member=member, kind=kind, in_app=want_in_app, email=want_email
                    )
                )
        if back_to_default:
            NotificationPreference.objects.filter(member=member, kind__in=back_to_default).delete()
        if changed:
            NotificationPreference.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["member", "kind"],
                update_fields=["in_app", "email"],
            )
