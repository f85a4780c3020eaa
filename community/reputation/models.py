"""The reputation ledger: append-only rows, one per change of a member's points.

`Member.reputation` caches STARTING_POINTS + the sum of a member's rows, and
`ReputationScore` caches the sum per club and per field (category); both are updated
with F() in the transaction that appends the row, and `reputation_recalculate` re-sums
the ledger. Rows are never updated or deleted: a correction is a new row that names
the row it reverses."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.reputation.rules import Reason


class ReputationEntry(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reputation_entries"
    )
    # What was applied (after the daily cap and the floor); the sum of these is the total.
    delta = models.IntegerField(_("points"))
    # What the rule said before the cap and the floor, shown so a capped row explains
    # itself ("+10, 0 counted: daily limit").
    rule_delta = models.IntegerField(default=0)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # The content that earned the points (a review, answer, question, post, event).
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    # Who caused it: the voter, the asker who accepted, the moderator.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    club = models.ForeignKey(
        "brand_clubs.Club", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "brand_clubs.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rule_version = models.PositiveSmallIntegerField()
    # Always a row of the same member; rows go only with their member (CASCADE then).
    reverses = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="reversed_by"
    )
    # For a trust level change (LEVEL_* reasons, no points): the level reached.
    trust_level = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["member", "-created_at"]),
            models.Index(fields=["source_type", "source_id", "member"]),
            models.Index(fields=["actor", "member", "created_at"]),
            # Covers recalculate's grouped sum (an index-only scan, no table reads).
            models.Index(
                fields=["member", "club", "category", "delta"], name="reputation_entry_sums_idx"
            ),
            # The weekly and monthly leaderboards: one scope's rows since a date, summed
            # per member (partial and covering, so an index-only scan).
            models.Index(
                fields=["club", "created_at", "member", "delta"],
                condition=models.Q(club__isnull=False),
                name="reputation_entry_club_board",
            ),
            models.Index(
                fields=["category", "created_at", "member", "delta"],
                condition=models.Q(category__isnull=False),
                name="reputation_entry_field_board",
            ),
        ]
        verbose_name = _("reputation entry")
        verbose_name_plural = _("reputation entries")

    def __str__(self):
        return f"{self.delta:+d} {self.reason} for member {self.member_id}"


class ReputationScore(models.Model):
    """A member's points within one club or one field (category): the sum of their
    ledger rows that name it. Cached like Member.reputation, without the floor."""

    # Indexed first in reputation_score_check, which serves lookups by member too.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reputation_scores",
        db_index=False,
    )
    club = models.ForeignKey(
        "brand_clubs.Club", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "brand_clubs.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    total = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(club__isnull=False, category__isnull=True)
                | models.Q(club__isnull=True, category__isnull=False),
                name="reputation_score_one_scope",
            ),
            models.UniqueConstraint(
                fields=["member", "club"],
                condition=models.Q(club__isnull=False),
                name="reputation_score_per_club",
            ),
            models.UniqueConstraint(
                fields=["member", "category"],
                condition=models.Q(category__isnull=False),
                name="reputation_score_per_category",
            ),
        ]
        indexes = [
            models.Index(fields=["club", "-total"]),
            models.Index(fields=["category", "-total"]),
            # The recount's probe of a member's score in a scope, answered from the
            # index alone (SQLite); also every lookup of a member's scores.
            models.Index(
                fields=["member", "club", "category", "total"], name="reputation_score_check"
            ),
        ]

    def __str__(self):
        scope = f"club {self.club_id}" if self.club_id else f"category {self.category_id}"
        return f"{self.total} for member {self.member_id} in {scope}"


class MemberVisit(models.Model):
    """One row per member per (UTC) day they were signed in: the trust levels' "days
    visited" and "read" requirements count these. `items_read` counts the distinct
    reviews, posts and answers shown to the member that day (trust.py)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visits"
    )
    day = models.DateField()
    items_read = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="one_visit_per_member_day")
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self):
        return f"member {self.member_id} on {self.day}"
