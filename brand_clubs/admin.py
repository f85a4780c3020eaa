"""Brands, products and categories in the Django admin (the Wagtail admin is the
everyday back office; this is the fallback for site staff)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Brand, BrandStaff, Category, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class BrandStaffInline(admin.TabularInline):
    model = BrandStaff
    extra = 0
    autocomplete_fields = ("member",)
    fields = ("member", "role", "added_at")
    readonly_fields = ("added_at",)
    verbose_name = _("staff member")
    verbose_name_plural = _("staff members")


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "verified", "created_at")
    list_filter = ("verified",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (BrandStaffInline,)

    def save_related(self, request, form, formsets, change):
        """Staff changed here reach the club editor groups and owner roles at once, as
        they do from the Wagtail admin."""
        from brand_clubs.services.pages import brand_club_editors_sync

        super().save_related(request, form, formsets, change)
        brand_club_editors_sync(brand=form.instance)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "category", "rating_count", "created_at")
    list_filter = ("brand", "category")
    list_select_related = ("brand", "category")
    search_fields = ("name", "slug", "brand__name")
    autocomplete_fields = ("brand",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = (
        "rating_count",
        "rating_total",
        "stars_1",
        "stars_2",
        "stars_3",
        "stars_4",
        "stars_5",
    )
    fieldsets = (
        (None, {"fields": ("brand", "category", "name", "slug", "description", "image")}),
        (
            _("Rating summary (maintained by the review services)"),
            {"classes": ("collapse",), "fields": readonly_fields},
        ),
    )
