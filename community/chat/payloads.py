"""A message as the sockets and the JSON history see it: one shape for both.

The payload is the same for every reader (no "mine" flags), so one broadcast serves a
whole room; clients compare ids with their own. HTML is sanitised when the message is
saved (community.text.render_markdown)."""

from django.urls import reverse

from community.chat.models import Message
from community.members.badges import expert_label

EXCERPT_LENGTH = 140
PHOTO_SIZES = ("thumb", "medium", "large")


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def member_payload(member) -> dict | None:
    """`expert_label` is the byline label ("Brand employee · RoadGrip", "" for none),
    read from the member row like every byline; clients show it after the name."""
    if member is None:
        return None
    return {
        "id": member.pk,
        "name": str(member.public_name),
        "url": member.get_absolute_url(),
        "expert_label": expert_label(member),
    }


def reactions_payload(reactions) -> list[dict]:
    """[{"emoji", "count", "members"}] in order of first use."""
    grouped: dict[str, list[int]] = {}
    for reaction in reactions:
        grouped.setdefault(reaction.emoji, []).append(reaction.member_id)
    return [
        {"emoji": emoji, "count": len(members), "members": members}
        for emoji, members in grouped.items()
    ]


def _photo_payload(message: Message) -> dict | None:
    try:
        photo = message.photo
    except Message.photo.RelatedObjectDoesNotExist:
        return None
    if photo is None or message.is_deleted:
        return None
    urls = {size: reverse("chat:photo", args=[message.pk, size]) for size in PHOTO_SIZES}
    return {**urls, "width": photo.width, "height": photo.height}


def _reply_payload(message: Message) -> dict | None:
    original = message.reply_to
    if original is None:
        return None
    return {
        "id": original.pk,
        "sequence": original.sequence,
        "author_name": str(original.author.public_name) if original.author else "",
        "author_label": expert_label(original.author),
        "excerpt": "" if original.is_deleted else excerpt(original.body),
        "deleted": original.is_deleted,
    }


def message_payload(message: Message, *, reactions=None) -> dict:
    """`message` with author, reply_to__author, photo and reactions loaded (the
    selectors do it); `reactions` overrides the prefetched ones."""
    if reactions is None:
        reactions = message.reactions.all()
    deleted = message.is_deleted
    return {
        "id": message.pk,
        "room": message.room_id,
        "sequence": message.sequence,
        "updated_sequence": message.updated_sequence,
        "author": member_payload(message.author),
        "body": "" if deleted else message.body,
        "body_html": "" if deleted else message.body_html,
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None and not deleted,
        "deleted": deleted,
        "reply_to": _reply_payload(message),
        "photo": _photo_payload(message),
        "reactions": [] if deleted else reactions_payload(reactions),
        "mentions": list(message.mentioned_ids or []),
        "client_id": message.client_id,
    }
