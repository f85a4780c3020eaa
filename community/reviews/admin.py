"""Reviews and purchase codes in the Django admin: read-only views for site staff.

Every change to a review (hiding, restoring, dismissing flags) goes through the
services, from the Wagtail admin's Moderation section, so that the product summary and
the audit trail stay right. Purchase codes are generated there in batches too.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from community.reviews.models import (
    PurchaseCode,
    Review,
    ReviewFlag,
    ReviewModeration,
    ReviewRevision,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = False


class ReviewRevisionInline(ReadOnlyInline):
    model = ReviewRevision
    fields = ("written_at", "replaced_at", "rating", "title", "body")
    readonly_fields = fields
    verbose_name_plural = _("previous versions")


class ReviewFlagInline(ReadOnlyInline):
    model = ReviewFlag
    fk_name = "review"
    fields = ("reason", "note", "reporter", "weight", "created_at", "resolved_at", "resolved_by")
    readonly_fields = fields


class ReviewModerationInline(ReadOnlyInline):
    model = ReviewModeration
    fields = ("created_at", "action", "moderator", "reason")
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "product",
        "author",
        "rating",
        "status",
        "verified_purchase",
        "created_at",
    )
    list_filter = ("status", "verified_purchase", "language", "rating")
    list_select_related = ("product", "author")
    search_fields = ("title", "author__email", "author__display_name", "product__name")
    date_hierarchy = "created_at"
    fields = (
        "product",
        "author",
        "rating",
        "title",
        "body",
        "language",
        "status",
        "verified_purchase",
        "helpful_count",
        "photo_count",
        "created_at",
        "edited_at",
    )
    readonly_fields = fields
    inlines = (ReviewRevisionInline, ReviewFlagInline, ReviewModerationInline)


@admin.register(PurchaseCode)
class PurchaseCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "brand", "batch", "created_at", "redeemed_at", "redeemed_by")
    list_filter = ("brand", "redeemed_at")
    list_select_related = ("brand", "redeemed_by")
    search_fields = ("code", "batch")
    fields = ("code", "brand", "batch", "created_at", "redeemed_at", "redeemed_by", "review")
    readonly_fields = fields
