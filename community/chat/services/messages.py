"""Messages: saved, numbered, then broadcast.

Each write locks the room row, takes the room's next sequence number and broadcasts the
message's new state after commit (community.realtime). Access is checked on every write
(`access_room_post`), so a member removed, banned or muted a moment ago is refused even
on a socket that was opened before."""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import ClubAuditEntry
from brand_clubs.services.access import access_account
from brand_clubs.services.audit import club_audit_record
from community import realtime
from community.chat.models import (
    REACTIONS,
    Message,
    MessagePhoto,
    MessageReaction,
    Room,
    RoomSubscription,
)
from community.chat.payloads import excerpt, message_payload
from community.chat.services.access import (
    access_room_moderate,
    access_room_post,
    access_room_read,
    room_access,
    room_readers,
)
from community.chat.services.rooms import room_title
from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.notifications import notify
from community.ratelimit import rate_limit_hit
from community.reputation.gates import access_links
from community.reviews.photos import renditions_delete_on_commit, renditions_write
from community.text import render_markdown

MAX_MENTIONS = 10
# @**Two Words** for any name, @Name for names without spaces.
MENTION_RE = re.compile(r"@\*\*([^*\n]{1,60})\*\*|(?<![\w@])@([\w.\-]{1,60})")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_body(body, *, allow_empty: bool) -> str:
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise DomainError(_("A message is text."), field="body")
    body = CONTROL_RE.sub("", body).strip()
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if len(body) > limit:
        raise DomainError(
            _("A message can be at most %(limit)d characters long (this one has %(count)d).")
            % {"limit": limit, "count": len(body)},
            code="too_long",
            field="body",
        )
    if not body and not allow_empty:
        raise DomainError(_("Write a message or add a photo."), field="body")
    return body


def _lock_room(room: Room) -> Room:
    return (
        # of=self: PostgreSQL cannot lock the nullable side of the joins below.
        Room.objects.select_for_update(of=("self",))
        .select_related(
            "club", "club__brand", "event", "event__club", "participant_a", "participant_b"
        )
        .get(pk=room.pk)
    )


def _next_sequence(room: Room) -> int:
    room.last_sequence += 1
    Room.objects.filter(pk=room.pk).update(last_sequence=room.last_sequence)
    return room.last_sequence


def _broadcast(message: Message, *, reactions=None) -> None:
    realtime.broadcast_on_commit(
        realtime.room_group(message.room_id),
        {
            "type": "chat.message",
            "room": message.room_id,
            "message": message_payload(message, reactions=reactions),
        },
    )


def _mentioned_names(body: str) -> list[str]:
    names = []
    for match in MENTION_RE.finditer(body):
        name = (match.group(1) or match.group(2) or "").strip()
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
        if len(names) >= MAX_MENTIONS:
            break
    return names


def _mentioned_members(room: Room, body: str, author) -> list:
    names = _mentioned_names(body)
    if not names:
        return []
    by_name = Q()
    for name in names:
        by_name |= Q(display_name__iexact=name)
    # At most MAX_MENTIONS people, even when several share a mentioned name.
    readers = room_readers(room).filter(by_name).exclude(pk=author.pk)
    return list(readers.order_by("pk")[:MAX_MENTIONS])


def _notify_room(*, room: Room, message: Message, author, mentioned, reply_author) -> None:
    """Mentions and replies notify their people; followers of the room ("every
    message") get one unread notice per room, not one per message."""
    url = room.get_absolute_url()
    room_name = room_title(room, viewer=None) if not room.is_conversation else ""
    short = excerpt(message.body, 100)
    # Members who chose "nothing" for this room hear of it in no way.
    silenced = set(
        RoomSubscription.objects.filter(room=room, notify=RoomSubscription.Notify.NONE).values_list(
            "member_id", flat=True
        )
    )
    told = {author.pk} | silenced
    about_message = {
        "actor": author.public_name,
        "room": room_name or author.public_name,
        "excerpt": short,
        "message": message.pk,
    }
    mentioned = [member for member in mentioned if member.pk not in silenced]
    if mentioned:
        notify(
            recipients=mentioned, kind="chat_mention", url=url, actor=author, params=about_message
        )
        told.update(member.pk for member in mentioned)
    if (
        reply_author is not None
        and reply_author.pk not in told
        and room_access(user=reply_author, room=room).can_read
    ):
        notify(
            recipients=[reply_author],
            kind="chat_reply",
            url=url,
            actor=author,
            params=about_message,
        )
        told.add(reply_author.pk)
    followers = (
        room_readers(room)
        .filter(
            chat_subscriptions__room=room,
            chat_subscriptions__notify=RoomSubscription.Notify.ALL,
        )
        .exclude(pk__in=told)
    )
    notify(
        recipients=followers,
        kind="chat_message",
        url=url,
        actor=author,
        params={"room": room_name or author.public_name},
        once_unread=True,
    )


CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def _clean_client_id(client_id) -> str:
    """The browser's id for one composed message: a resend after a lost
    acknowledgement returns the saved message instead of posting it twice."""
    if client_id in (None, ""):
        return ""
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise DomainError(_("Invalid message id from the browser."), field="client_id")
    return client_id


def _already_sent(*, room: Room, author, client_id: str) -> Message | None:
    if not client_id:
        return None
    return (
        Message.objects.select_related("author", "reply_to", "reply_to__author", "photo")
        .prefetch_related("reactions")
        .filter(room=room, author=author, client_id=client_id)
        .first()
    )


def message_send(
    *, author, room: Room, body, reply_to_id=None, photo=None, client_id=None
) -> Message:
    access_account(user=author)
    body = _clean_body(body, allow_empty=photo is not None)
    client_id = _clean_client_id(client_id)
    repeat = _already_sent(room=room, author=author, client_id=client_id)
    if repeat is not None:
        return repeat
    # Access and the rate limit first: only then is a photo worth decoding.
    access_room_post(user=author, room=room)
    # Links open at trust level 1, in chat as everywhere (direct messages included:
    # they are where link spam goes first).
    access_links(author, html=render_markdown(body), field="body")
    rate_limit_hit(action="chat_message", key=f"{author.pk}:{room.pk}")
    prepared = None
    if photo is not None:
        from community.reviews.photos import photos_prepare

        try:
            prepared = photos_prepare([photo])[0]  # outside the lock: the slow part
        except DomainError as exc:  # shown beside the message's one photo field
            raise DomainError(exc.message, code=exc.code, field="photo") from exc
    saved_files = []
    try:
        with transaction.atomic():
            room = _lock_room(room)
            access_room_post(user=author, room=room)  # again, under the lock
            repeat = _already_sent(room=room, author=author, client_id=client_id)
            if repeat is not None:
                return repeat
            message = _message_create(
                room=room,
                author=author,
                body=body,
                reply_to_id=reply_to_id,
                client_id=client_id,
                prepared=prepared,
                saved_files=saved_files,
            )
    except BaseException:
        for field_file in saved_files:  # rolled back: no orphaned photo files
            field_file.storage.delete(field_file.name)
        raise
    return message


def _message_create(*, room, author, body, reply_to_id, client_id, prepared, saved_files):
    reply_to = None
    if reply_to_id is not None:
        reply_to = (
            Message.objects.select_related("author").filter(room=room, pk=reply_to_id).first()
        )
        if reply_to is None:
            raise NotFound(_("The message you reply to is not in this room."))
    mentioned = _mentioned_members(room, body, author)
    sequence = _next_sequence(room)
    message = Message.objects.create(
        room=room,
        sequence=sequence,
        updated_sequence=sequence,
        author=author,
        body=body,
        body_html=render_markdown(body),
        reply_to=reply_to,
        mentioned_ids=[member.pk for member in mentioned],
        client_id=client_id,
    )
    if prepared is not None:
        photo_row = MessagePhoto(message=message, width=prepared.width, height=prepared.height)
        saved_files.extend(renditions_write(photo_row, prepared))
        photo_row.save()
        message.photo = photo_row
    RoomSubscription.objects.update_or_create(
        room=room,
        member=author,
        defaults={"last_read_sequence": sequence},
        create_defaults={
            "last_read_sequence": sequence,
            "notify": RoomSubscription.Notify.ALL
            if room.is_conversation
            else RoomSubscription.Notify.MENTIONS,
        },
    )
    _notify_room(
        room=room,
        message=message,
        author=author,
        mentioned=mentioned,
        reply_author=reply_to.author if reply_to and not reply_to.is_deleted else None,
    )
    _broadcast(message, reactions=[])
    return message


def message_get(*, user, pk) -> Message:
    """A message the user may read, with what its payload needs."""
    message = (
        Message.objects.select_related("author", "reply_to", "reply_to__author", "photo", "room")
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise NotFound(_("No such message."))
    access_room_read(user=user, room=message.room)
    return message


def _reload(message: Message) -> Message:
    return (
        Message.objects.select_related("author", "reply_to", "reply_to__author", "photo")
        .prefetch_related("reactions")
        .get(pk=message.pk)
    )


def message_edit(*, actor, message: Message, body) -> Message:
    access_account(user=actor)
    body = _clean_body(body, allow_empty=False)
    with transaction.atomic():
        room = _lock_room(message.room)
        message = Message.objects.select_for_update().get(pk=message.pk)
        access_room_post(user=actor, room=room)
        if message.author_id != actor.pk:
            raise AccessDenied(_("You can only edit your own messages."))
        if message.is_deleted:
            raise Conflict(_("This message was deleted."))
        rate_limit_hit(action="chat_edit", key=actor.pk)
        if body == message.body:
            return _reload(message)
        body_html = render_markdown(body)
        access_links(actor, html=body_html, field="body")
        message.body = body
        message.body_html = body_html
        message.edited_at = timezone.now()
        message.updated_sequence = _next_sequence(room)
        message.save(update_fields=["body", "body_html", "edited_at", "updated_sequence"])
        message = _reload(message)
        _broadcast(message)
    return message


def _delete_photo_files_on_commit(message: Message) -> None:
    photo = MessagePhoto.objects.filter(message=message).first()
    if photo is not None:
        photo.delete()
        renditions_delete_on_commit([photo])


def message_delete(*, actor, message: Message, reason: str = "") -> Message:
    """Authors delete their own messages; club moderators, brand staff and site
    moderators delete any in club and event rooms, with a reason that is logged."""
    access_account(user=actor)
    reason = (
        " ".join(CONTROL_RE.sub("", reason or "").split())[:500] if isinstance(reason, str) else ""
    )
    with transaction.atomic():
        room = _lock_room(message.room)
        message = Message.objects.select_for_update().get(pk=message.pk)
        own = message.author_id == actor.pk
        if own:
            access_room_read(user=actor, room=room)
        else:
            access_room_moderate(user=actor, room=room)
            if not reason:
                raise DomainError(
                    _("Say why you delete this message: the reason goes into the club's log."),
                    field="reason",
                )
            rate_limit_hit(action="chat_moderate", key=actor.pk)
        if message.is_deleted:
            raise Conflict(_("This message was already deleted."))
        original_text = message.body
        message.deleted_at = timezone.now()
        message.deleted_by = actor
        message.delete_reason = "" if own else reason
        message.body = ""
        message.body_html = ""
        message.updated_sequence = _next_sequence(room)
        message.save(
            update_fields=[
                "deleted_at",
                "deleted_by",
                "delete_reason",
                "body",
                "body_html",
                "updated_sequence",
            ]
        )
        MessageReaction.objects.filter(message=message).delete()
        _forget_excerpts(message)
        _delete_photo_files_on_commit(message)
        if not own:
            club = room.club if room.kind == Room.Kind.CLUB else room.event.club
            club_audit_record(
                club=club,
                actor=actor,
                action=ClubAuditEntry.Action.CHAT_DELETE,
                member=message.author,
                # The log keeps what was removed, for review by the club's moderators.
                target_repr=excerpt(f"{message_text_for_log(message)}: {original_text}", 200),
                reason=reason,
            )
        message = _reload(message)
        _broadcast(message, reactions=[])
    return message


def _forget_excerpts(message: Message) -> None:
    """Mentions and replies quoted the deleted text: their notices lose the quote."""
    from community.members.models import Notification

    notices = Notification.objects.filter(
        kind__in=["chat_mention", "chat_reply"], params__message=str(message.pk)
    )
    for notice in notices:
        notice.params = {**notice.params, "excerpt": "…"}
        notice.save(update_fields=["params"])


def message_text_for_log(message: Message) -> str:
    return _("Message %(sequence)d in %(room)s") % {
        "sequence": message.sequence,
        "room": room_title(message.room, viewer=None),
    }


def reaction_toggle(*, member, message: Message, emoji) -> bool:
    """Add the reaction, or take it back if the member had it; returns whether it is on."""
    access_account(user=member)
    if emoji not in REACTIONS:
        raise DomainError(_("That reaction is not available."), field="emoji")
    with transaction.atomic():
        room = _lock_room(message.room)
        access_room_post(user=member, room=room)
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.is_deleted:
            raise Conflict(_("This message was deleted."))
        rate_limit_hit(action="chat_reaction", key=member.pk)
        deleted, _rows = MessageReaction.objects.filter(
            message=message, member=member, emoji=emoji
        ).delete()
        if not deleted:
            MessageReaction.objects.create(message=message, member=member, emoji=emoji)
        message.updated_sequence = _next_sequence(room)
        message.save(update_fields=["updated_sequence"])
        message = _reload(message)
        _broadcast(message)
    return not deleted
