"""Events of clubs, online and offline: RSVPs with a waitlist, check-in at the door,
the album attendees fill afterwards and their reviews of the event."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brand_clubs.models.clubs import Club, ContentStatus
from community.members.models import TIME_ZONE_CHOICES
from community.private_media import private_storage


class Event(models.Model):
    class Format(models.TextChoices):
        OFFLINE = "offline", _("In person")
        ONLINE = "online", _("Online")

    class Visibility(models.TextChoices):
        CLUB = "club", _("Club members")
        PUBLIC = "public", _("Everyone")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), max_length=10_000, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        help_text=_("Where the event happens; attendees see times in their own zone too."),
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.OFFLINE
    )
    online_url = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Shown only to attendees with a confirmed place."),
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.TextField(_("address"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    rsvp_deadline = models.DateTimeField(_("RSVP deadline"), null=True, blank=True)
    visibility = models.CharField(
        _("who can see and join"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.CLUB,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    going_count = models.PositiveIntegerField(default=0, editable=False)
    waitlist_count = models.PositiveIntegerField(default=0, editable=False)
    photo_count = models.PositiveIntegerField(default=0, editable=False)
    review_count = models.PositiveIntegerField(default=0, editable=False)
    rating_total = models.PositiveIntegerField(default=0, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_it_starts"
            )
        ]
        indexes = [
            models.Index(fields=["club", "status", "starts_at"]),
            models.Index(fields=["status", "starts_at", "reminder_sent_at"]),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("brand_clubs:event", args=[self.club.slug, self.pk])

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def has_ended(self) -> bool:
        return timezone.now() >= self.ends_at

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.going_count, 0)

    @property
    def rating_average(self) -> float | None:
        if not self.review_count:
            return None
        return round(self.rating_total / self.review_count, 1)


class EventRSVP(models.Model):
    """A member's answer to an event. `queued_at` orders the waitlist; the check-in
    code is personal and only valid for this event."""

    class Status(models.TextChoices):
        GOING = "going", _("Going")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_rsvps"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    checkin_code = models.CharField(max_length=12)
    queued_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="one_rsvp_per_member"),
            models.UniqueConstraint(
                fields=["event", "checkin_code"], name="unique_checkin_code_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "queued_at"]),
            models.Index(fields=["member", "status"]),
        ]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")

    def __str__(self):
        return f"{self.member} → {self.event} ({self.status})"

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None


def event_photo_path(instance, filename):
    return f"events/{instance.event_id}/{filename}"


class EventPhoto(models.Model):
    """A photo in an event's after-event album; only attendees add them."""

    Status = ContentStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_photos"
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumb = models.FileField(upload_to=event_photo_path, storage=private_storage, max_length=200)
    thumb_webp = models.FileField(
        upload_to=event_photo_path, storage=private_storage, max_length=200
    )
    medium = models.FileField(upload_to=event_photo_path, storage=private_storage, max_length=200)
    medium_webp = models.FileField(
        upload_to=event_photo_path, storage=private_storage, max_length=200
    )
    large = models.FileField(upload_to=event_photo_path, storage=private_storage, max_length=200)
    large_webp = models.FileField(
        upload_to=event_photo_path, storage=private_storage, max_length=200
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self):
        return self.caption or f"Photo {self.pk} of {self.event_id}"


class EventReview(models.Model):
    """An attendee's review of an event: a verified experience, labelled "Attended"."""

    Status = ContentStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_reviews"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    body = models.TextField(_("review"), max_length=5000)
    body_html = models.TextField(editable=False)
    status = models.CharField(
        max_length=10, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "author"], name="one_review_per_attendee"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="event_review_rating_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.event}"


class EventCalendarFeed(models.Model):
    """The secret address of a member's calendar feed of their events. Resetting it
    replaces the token, so an address shared by mistake stops working."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event calendar feed")
        verbose_name_plural = _("event calendar feeds")

    def __str__(self):
        return f"Calendar feed of {self.member_id}"
