"""Chat rooms and their messages.

A room's `last_sequence` is a counter taken under the room's row lock: every change to
the room's messages (a new message, an edit, a deletion, a reaction) takes the next
number into the message's `updated_sequence` (a new message also keeps it as
`sequence`). A client that saw sequence N catches up with every message whose
`updated_sequence` is above N, so nothing is lost to a dropped socket or a restarted
channel layer, and nothing arrives twice (clients upsert by id).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.private_media import private_storage

# A short fixed set: reactions are for quick feedback, and a fixed set leaves nothing to
# sanitise or abuse.
REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"]
# Rooms listed per member (room list, the socket's groups); rooms past it still work
# when opened, and are checked one by one rather than given up.
MAX_LISTED_ROOMS = 200


class Room(models.Model):
    class Kind(models.TextChoices):
        CLUB = "club", _("Club room")
        EVENT = "event", _("Event room")
        DIRECT = "direct", _("Direct conversation")
        EXPERT = "expert", _("Conversation with an expert")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    club = models.OneToOneField(
        "brand_clubs.Club",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_room",
    )
    event = models.OneToOneField(
        "brand_clubs.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_room",
    )
    # Direct: the two members, lower id first. Expert: a is the expert, b the member.
    participant_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    participant_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    last_sequence = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")
        constraints = [
            models.CheckConstraint(
                name="chat_room_kind_fields",
                condition=(
                    Q(
                        kind="club",
                        club__isnull=False,
                        event__isnull=True,
                        participant_a__isnull=True,
                    )
                    | Q(
                        kind="event",
                        event__isnull=False,
                        club__isnull=True,
                        participant_a__isnull=True,
                    )
                    | Q(
                        kind__in=["direct", "expert"],
                        club__isnull=True,
                        event__isnull=True,
                        participant_a__isnull=False,
                        participant_b__isnull=False,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["kind", "participant_a", "participant_b"],
                condition=Q(kind__in=["direct", "expert"]),
                name="chat_one_conversation_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"

    def get_absolute_url(self):
        return reverse("chat:room", args=[self.pk])

    @property
    def is_conversation(self) -> bool:
        return self.kind in (self.Kind.DIRECT, self.Kind.EXPERT)


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveBigIntegerField()
    updated_sequence = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    delete_reason = models.CharField(max_length=500, blank=True)
    # Ids of the members the message mentions (only those who may read the room).
    mentioned_ids = models.JSONField(default=list, blank=True)
    # The browser's id for the composed message, so that a resend is not a second post.
    client_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(fields=["room", "sequence"], name="chat_message_sequence"),
            models.UniqueConstraint(
                fields=["room", "author", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_sent_once",
            ),
        ]
        indexes = [models.Index(fields=["room", "updated_sequence"])]

    def __str__(self):
        return f"Message {self.sequence} in room {self.room_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


def message_photo_path(instance, filename):
    return f"chat/{instance.message.room_id}/{filename}"


class MessagePhoto(models.Model):
    """Renditions of a message's photo, in private storage: served after an access check."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="photo")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumb = models.FileField(upload_to=message_photo_path, storage=private_storage, max_length=200)
    thumb_webp = models.FileField(
        upload_to=message_photo_path, storage=private_storage, max_length=200
    )
    medium = models.FileField(upload_to=message_photo_path, storage=private_storage, max_length=200)
    medium_webp = models.FileField(
        upload_to=message_photo_path, storage=private_storage, max_length=200
    )
    large = models.FileField(upload_to=message_photo_path, storage=private_storage, max_length=200)
    large_webp = models.FileField(
        upload_to=message_photo_path, storage=private_storage, max_length=200
    )

    def __str__(self):
        return f"Photo of message {self.message_id}"


class MessageReaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8, choices=[(e, e) for e in REACTIONS])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "member", "emoji"], name="chat_one_reaction_each"
            )
        ]

    def __str__(self):
        return f"{self.emoji} on {self.message_id}"


class RoomSubscription(models.Model):
    """A member's state in a room: how far they have read, and what they are told."""

    class Notify(models.TextChoices):
        ALL = "all", _("Every message")
        MENTIONS = "mentions", _("Mentions and replies only")
        NONE = "none", _("Nothing")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="subscriptions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_subscriptions"
    )
    last_read_sequence = models.PositiveBigIntegerField(default=0)
    notify = models.CharField(max_length=10, choices=Notify.choices, default=Notify.MENTIONS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "member"], name="chat_one_subscription")
        ]

    def __str__(self):
        return f"{self.member_id} in room {self.room_id}"


class RoomMute(models.Model):
    """A member may not post in a room until `until` (or until lifted)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="mutes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["room", "member", "until"])]

    def __str__(self):
        return f"{self.member_id} muted in {self.room_id} until {self.until}"


class LiveConnection(models.Model):
    """One open socket (a browser tab). Rows of tabs that died without closing stop
    counting once `last_seen` is older than CHAT_PRESENCE_TTL."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["member", "last_seen"])]

    def __str__(self):
        return self.channel_name


class RoomPresence(models.Model):
    """A socket that has a room open: who is online in the room, across tabs."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200)
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "channel_name"], name="chat_one_presence")
        ]
        indexes = [models.Index(fields=["room", "last_seen"])]

    def __str__(self):
        return f"{self.member_id} in {self.room_id}"
