"""Clubs that brands run, who belongs to them, and what members share in their feed."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from brand_clubs.models.catalogue import Brand
from community.private_media import private_storage

MAX_PHOTOS_PER_POST = 4


def club_cover_path(instance, filename):
    return f"clubs/{instance.slug}/{filename}"


class Club(models.Model):
    """A brand's community. Its landing content is a Wagtail ClubPage; its live parts
    (members, feed, events) are rows here."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can join")
        APPROVAL = "approval", _("By approval: club moderators approve requests")
        INVITE = "invite", _("Invite only (VIP)")

    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, related_name="clubs", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    description = models.TextField(
        _("description"),
        max_length=2000,
        blank=True,
        help_text=_("A few sentences shown in the club directory."),
    )
    rules = models.TextField(
        _("rules"), max_length=10_000, blank=True, help_text=_("Markdown; shown to every visitor.")
    )
    rules_html = models.TextField(blank=True, editable=False)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_closed = models.BooleanField(
        _("closed"),
        default=False,
        help_text=_("A closed club is read-only: nobody joins, posts or RSVPs."),
    )
    # Cover renditions, re-encoded by community.imaging (public: shown in the directory).
    cover_card = models.FileField(upload_to=club_cover_path, max_length=200, blank=True)
    cover_card_webp = models.FileField(upload_to=club_cover_path, max_length=200, blank=True)
    cover_wide = models.FileField(upload_to=club_cover_path, max_length=200, blank=True)
    cover_wide_webp = models.FileField(upload_to=club_cover_path, max_length=200, blank=True)
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("club")
        verbose_name_plural = _("clubs")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("brand_clubs:club", args=[self.slug])

    @property
    def is_private(self) -> bool:
        """Feed, members and photos of a private club are for its members only."""
        return self.visibility != self.Visibility.PUBLIC


class ClubMembership(models.Model):
    """One person's standing in one club: a request, a membership, or a ban.

    Leaving, being removed and being rejected delete the row; ClubAuditEntry keeps
    the history."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MODERATOR = "moderator", _("Club moderator")
        OWNER = "owner", _("Brand staff")

    class Status(models.TextChoices):
        PENDING = "pending", _("Asked to join")
        ACTIVE = "active", _("Member")
        BANNED = "banned", _("Banned")

    club = models.ForeignKey(
        Club, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("club")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="club_memberships",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    message = models.TextField(_("message to the moderators"), max_length=1000, blank=True)
    invite = models.ForeignKey(
        "ClubInvite", on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ban_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["club", "member"], name="one_membership_per_club")
        ]
        indexes = [
            models.Index(fields=["club", "status", "role", "joined_at"]),
            models.Index(fields=["member", "status"]),
        ]
        verbose_name = _("club membership")
        verbose_name_plural = _("club memberships")

    def __str__(self):
        return f"{self.member} in {self.club} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_club_moderator(self) -> bool:
        return self.is_active and self.role in (self.Role.MODERATOR, self.Role.OWNER)


class ClubInvite(models.Model):
    """A link that lets people into an invite-only club: single-use or limited,
    optionally only for verified buyers of the brand's products."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="invites")
    token = models.CharField(max_length=64, unique=True)
    label = models.CharField(
        _("label"), max_length=120, blank=True, help_text=_("Who the invite is for (staff only).")
    )
    max_uses = models.PositiveIntegerField(_("uses"), default=1)
    use_count = models.PositiveIntegerField(default=0)
    requires_verified_purchase = models.BooleanField(
        _("verified buyers only"),
        default=False,
        help_text=_("Only members with a verified-purchase review of this brand can use it."),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("club invite")
        verbose_name_plural = _("club invites")

    def __str__(self):
        return self.label or f"Invite {self.pk} to {self.club}"

    def get_absolute_url(self):
        return reverse("brand_clubs:invite", args=[self.token])

    @property
    def title(self) -> str:
        """How the invite is named to the member who used it (their reputation ledger
        names it as the source of their fast track); the label is for staff only."""
        return _("Invite to %(club)s") % {"club": self.club.name}

    @property
    def uses_left(self) -> int:
        return max(self.max_uses - self.use_count, 0)


class ClubAuditEntry(models.Model):
    """What club moderators, brand staff and site moderators did in a club, and why."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved a join request")
        REJECT = "reject", _("Rejected a join request")
        REMOVE = "remove", _("Removed a member")
        BAN = "ban", _("Banned a member")
        UNBAN = "unban", _("Lifted a ban")
        ROLE = "role", _("Changed a role")
        INVITE = "invite", _("Created an invite")
        REVOKE_INVITE = "revoke_invite", _("Revoked an invite")
        PIN = "pin", _("Pinned a post")
        UNPIN = "unpin", _("Unpinned a post")
        HIDE_POST = "hide_post", _("Hid a post")
        RESTORE_POST = "restore_post", _("Restored a post")
        HIDE_COMMENT = "hide_comment", _("Hid a comment")
        DELETE_POST = "delete_post", _("Deleted a post")
        DELETE_COMMENT = "delete_comment", _("Deleted a comment")
        DELETE_EVENT_PHOTO = "delete_event_photo", _("Deleted an album photo")
        CANCEL_EVENT = "cancel_event", _("Cancelled an event")
        CHECK_IN = "check_in", _("Checked in an attendee")
        CHAT_DELETE = "chat_delete", _("Deleted a chat message")
        CHAT_MUTE = "chat_mute", _("Muted a member in chat")
        CHAT_UNMUTE = "chat_unmute", _("Lifted a chat mute")
        APPROVE_POST = "approve_post", _("Approved a post")
        REJECT_POST = "reject_post", _("Rejected a post")

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    target_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_repr = models.CharField(max_length=200, blank=True)
    reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("club audit entry")
        verbose_name_plural = _("club audit entries")

    def __str__(self):
        return f"{self.get_action_display()} in {self.club_id}"


class ContentStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    # A post by a member below trust level 2 (rules.Privilege.SKIP_PREMODERATION): seen
    # by its author and the club's moderators only, until one of them approves it.
    PENDING = "pending", _("Waiting for a moderator")
    HIDDEN = "hidden", _("Hidden by a moderator")
    DELETED = "deleted", _("Deleted by its author")


class ClubPost(models.Model):
    """A member's post in a club feed, or an announcement by brand staff."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        ANNOUNCEMENT = "announcement", _("Announcement")

    Status = ContentStatus

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="club_posts"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.POST)
    event = models.ForeignKey(
        "Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        help_text=_("The event this post shares an experience of."),
    )
    body = models.TextField(_("post"), max_length=5000)
    body_html = models.TextField(editable=False)
    language = models.CharField(max_length=5, default="en")
    status = models.CharField(
        max_length=10, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    pinned_at = models.DateTimeField(null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    photo_count = models.PositiveSmallIntegerField(default=0)
    # When the post was published: a post that waited for a moderator gets the time of
    # its approval (see brand_clubs.services.feed.post_approve).
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # When the author wrote it, for a post approved later. A post waiting for a
    # moderator that has it was published before and waits for an edit to be approved.
    submitted_at = models.DateTimeField(_("written at"), null=True, blank=True)

    class Meta:
        ordering = ["-is_pinned", "-created_at", "-pk"]
        indexes = [models.Index(fields=["club", "status", "-is_pinned", "-created_at"])]
        verbose_name = _("club post")
        verbose_name_plural = _("club posts")

    def __str__(self):
        return self.body[:60]

    def get_absolute_url(self):
        return reverse("brand_clubs:post", args=[self.club.slug, self.pk])

    @property
    def written_earlier_at(self):
        """When the author wrote a post that was published later (after waiting for a
        moderator), else None: the page shows it beside the publication time."""
        if self.submitted_at is not None and self.submitted_at < self.created_at:
            return self.submitted_at
        return None

    @property
    def is_edit_pending(self) -> bool:
        """A post that was published, then edited by an author still pre-moderated: it
        waits for a moderator again."""
        return self.status == ContentStatus.PENDING and self.submitted_at is not None


def post_photo_path(instance, filename):
    return f"clubs/posts/{instance.post_id}/{filename}"


class ClubPostPhoto(models.Model):
    """Renditions of one photo in a post, in private storage (served after an access
    check, because the club may be private)."""

    post = models.ForeignKey(ClubPost, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumb = models.FileField(upload_to=post_photo_path, storage=private_storage, max_length=200)
    thumb_webp = models.FileField(
        upload_to=post_photo_path, storage=private_storage, max_length=200
    )
    medium = models.FileField(upload_to=post_photo_path, storage=private_storage, max_length=200)
    medium_webp = models.FileField(
        upload_to=post_photo_path, storage=private_storage, max_length=200
    )
    large = models.FileField(upload_to=post_photo_path, storage=private_storage, max_length=200)
    large_webp = models.FileField(
        upload_to=post_photo_path, storage=private_storage, max_length=200
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"Photo {self.position + 1} of post {self.post_id}"


class ClubComment(models.Model):
    post = models.ForeignKey(ClubPost, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="club_comments"
    )
    body = models.TextField(_("comment"), max_length=2000)
    body_html = models.TextField(editable=False)
    status = models.CharField(
        max_length=10, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["post", "status", "created_at"])]

    def __str__(self):
        return self.body[:60]


class ClubPostLike(models.Model):
    post = models.ForeignKey(ClubPost, on_delete=models.CASCADE, related_name="likes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="club_post_likes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="one_like_per_member_and_post")
        ]

    def __str__(self):
        return f"{self.member_id} likes post {self.post_id}"
