from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Brand, Product

MAX_PHOTOS_PER_REVIEW = 6


class Review(models.Model):
    """One member's word on one product. Soft-deleted, never erased: moderators keep
    the history (ReviewRevision) and the audit trail (ReviewModeration)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by a moderator")
        DELETED = "deleted", _("Deleted by its author")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        CHINESE = "zh", _("Chinese")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("author"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("product")
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("review"), max_length=10_000)
    body_html = models.TextField(editable=False)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default="en")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    verified_purchase = models.BooleanField(_("verified purchase"), default=False)
    helpful_count = models.PositiveIntegerField(_("found helpful"), default=0)
    photo_count = models.PositiveSmallIntegerField(_("photos"), default=0)
    created_at = models.DateTimeField(_("written"), auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["author", "product"],
                condition=~Q(status="deleted"),
                name="one_live_review_per_member_and_product",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-created_at"]),
            models.Index(fields=["product", "status", "-helpful_count"]),
            models.Index(fields=["product", "status", "rating"]),
            models.Index(fields=["author", "status", "-created_at"]),
        ]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.pk])

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ReviewRevision(models.Model):
    """A previous version of a review, saved on every edit; shown to moderators."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="revisions")
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)
    body = models.TextField()
    written_at = models.DateTimeField(help_text=_("When this version was written."))
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at"]
        verbose_name = _("review revision")
        verbose_name_plural = _("review revisions")

    def __str__(self):
        return f"{self.title} ({self.written_at:%Y-%m-%d %H:%M})"


def photo_path(instance, filename):
    return f"reviews/{instance.review_id}/{filename}"


class ReviewPhoto(models.Model):
    """Renditions of one uploaded photo. The upload itself is never stored: every file
    here was re-encoded by community.imaging, without metadata."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumb = models.FileField(upload_to=photo_path, max_length=200)
    thumb_webp = models.FileField(upload_to=photo_path, max_length=200)
    medium = models.FileField(upload_to=photo_path, max_length=200)
    medium_webp = models.FileField(upload_to=photo_path, max_length=200)
    large = models.FileField(upload_to=photo_path, max_length=200)
    large_webp = models.FileField(upload_to=photo_path, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")

    def __str__(self):
        return f"Photo {self.position + 1} of review {self.review_id}"


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "voter"], name="one_helpful_vote_per_member")
        ]

    def __str__(self):
        return f"{self.voter_id} found review {self.review_id} helpful"


class BrandReply(models.Model):
    """The brand's one official answer to a review, written by its staff."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="brand_reply")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("reply"), max_length=5_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("brand reply")
        verbose_name_plural = _("brand replies")

    def __str__(self):
        return f"{self.brand} reply to review {self.review_id}"


class PurchaseCode(models.Model):
    """A single-use code a brand hands to a buyer; redeeming it on a review of one of
    the brand's products labels that review "Verified purchase"."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="purchase_codes", verbose_name=_("brand")
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    batch = models.CharField(_("batch"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("redeemed by"),
    )
    redeemed_at = models.DateTimeField(_("redeemed"), null=True, blank=True)
    review = models.OneToOneField(
        Review,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchase_code",
        verbose_name=_("review"),
    )

    class Meta:
        ordering = ["-created_at", "code"]
        verbose_name = _("purchase code")
        verbose_name_plural = _("purchase codes")

    def __str__(self):
        return self.code

    @property
    def is_redeemed(self) -> bool:
        return self.redeemed_at is not None


class ReviewFlag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        FAKE = "fake", _("Fake or paid review")
        OFFENSIVE = "offensive", _("Offensive or abusive")
        OFF_TOPIC = "off_topic", _("Not about this product")
        PRIVATE = "private", _("Shares private information")
        OTHER = "other", _("Something else")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    # How much the flag counts in the moderators' queue, from the reporter's trust
    # level when it was made (rules.flag_weight: 2 from level 2 up, else 1).
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reporter"], name="one_flag_per_member")
        ]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")

    def __str__(self):
        return f"{self.get_reason_display()} on review {self.review_id}"


class ReviewModeration(models.Model):
    """Audit trail: every hide and restore, who did it and why."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="moderations")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")

    def __str__(self):
        return f"{self.get_action_display()} review {self.review_id}"
