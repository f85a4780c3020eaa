import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class MemberManager(BaseUserManager):
    """Members sign in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        member = self.model(email=self.normalize_email(email), **extra_fields)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


def avatar_path(instance, filename):
    return f"avatars/{instance.pk}/{filename}"


class Member(AbstractUser):
    """A person with an account. Profile fields live here: one row per member."""

    class DirectMessages(models.TextChoices):
        """Who may start a new direct conversation with this member."""

        EVERYONE = "everyone", _("Anyone")
        CLUB_MATES = (
            "club_mates",
            _("Members I share a club with, and people I already talk to"),
        )
        NOBODY = "nobody", _("Nobody new: only conversations I already have")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    bio = models.TextField(_("about me"), max_length=1000, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, blank=True
    )
    avatar_thumb = models.ImageField(upload_to=avatar_path, blank=True)
    avatar_medium = models.ImageField(upload_to=avatar_path, blank=True)
    direct_messages = models.CharField(
        _("direct messages from"),
        max_length=12,
        choices=DirectMessages.choices,
        default=DirectMessages.CLUB_MATES,
    )
    # A cache of the member's current expert certificates, kept by
    # experts.services.badges.expert_badge_refresh, so that every byline can show the
    # expert badge and the "Brand employee" label without a query per name.
    expert_badge = models.JSONField(default=dict, blank=True, editable=False)
    # STARTING_POINTS + the sum of the member's reputation ledger rows, kept by
    # community.reputation.services in the transaction of each row (never below 1).
    reputation = models.IntegerField(_("reputation"), default=1, editable=False)
    # Kept by community.reputation.trust (rules.TrustLevel); every change is a ledger row.
    trust_level = models.PositiveSmallIntegerField(_("trust level"), default=0, editable=False)
    # When a level-3 member first stopped meeting level 3's requirements; they keep the
    # level until rules.TRUST_DEMOTION_GRACE_DAYS have passed (cleared when they meet them).
    trust_level_failing_since = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = MemberManager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        permissions = [("moderate_content", _("Can moderate community content"))]

    def __str__(self):
        return self.public_name

    @property
    def public_name(self) -> str:
        """The name shown to others; never the e-mail address."""
        return self.display_name or _("Member %(number)s") % {"number": self.pk}

    def get_full_name(self):
        return self.public_name

    def get_short_name(self):
        return self.public_name

    def get_absolute_url(self):
        return reverse("members:profile", args=[self.pk])


class Notification(models.Model):
    """Something a member should know about. The text is rendered when shown, in the
    reader's language, from `kind` and `params` (community/members/notifications.py)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="unread_notifications",
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreference(models.Model):
    """A member's choice for one notification kind. A row exists only where the member
    changed a default (both on): no row means "in the site and by e-mail"."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=40)
    in_app = models.BooleanField(_("in the site"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"], name="one_notification_preference_per_kind"
            )
        ]
        indexes = [models.Index(fields=["kind", "member"], name="notification_pref_by_kind")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.kind} for {self.member_id}"


class Follow(models.Model):
    """A member follows another member (an expert or anyone): their activity appears in
    the follower's feed (experts.selectors.feed)."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following"
    )
    followed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="follow_once"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followed")), name="no_self_follow"
            ),
        ]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")

    def __str__(self):
        return f"{self.follower_id} follows {self.followed_id}"
