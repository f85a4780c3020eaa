"""Reads of brands and products."""

from django.db.models import ExpressionWrapper, F, FloatField, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from brand_clubs.models import Brand, BrandStaff, Product


def brand_list() -> QuerySet:
    return Brand.objects.order_by("name")


def brand_get(*, slug: str) -> Brand:
    return get_object_or_404(Brand, slug=slug)


def product_list_for_brand(*, brand: Brand) -> QuerySet:
    return Product.objects.filter(brand=brand).select_related("brand", "category").order_by("name")


def product_get(*, brand_slug: str, product_slug: str) -> Product:
    return get_object_or_404(
        Product.objects.select_related("brand", "category"),
        brand__slug=brand_slug,
        slug=product_slug,
    )


def product_get_by_id(*, pk) -> Product:
    """The product a review form is for; 404 for unknown or malformed ids."""
    try:
        return Product.objects.select_related("brand").get(pk=int(pk))
    except (Product.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such product.")) from None


def product_list_top_rated(*, limit: int = 8, min_reviews: int = 1) -> list[Product]:
    average = ExpressionWrapper(F("rating_total") * 1.0 / F("rating_count"), FloatField())
    return list(
        Product.objects.filter(rating_count__gte=min_reviews)
        .annotate(average=average)
        .select_related("brand")
        .order_by("-average", "-rating_count", "name")[:limit]
    )


def brand_list_for_code_generation(*, user) -> QuerySet:
    """Brands `user` may issue purchase codes for: all of them for site staff with
    reviews.add_purchasecode, otherwise those they administer."""
    if user.has_perm("reviews.add_purchasecode"):
        return Brand.objects.order_by("name")
    return Brand.objects.filter(
        staff_links__member=user, staff_links__role=BrandStaff.Role.ADMIN
    ).order_by("name")
