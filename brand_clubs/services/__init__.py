"""Writes and access rules for brands and products."""

from django.utils.translation import gettext as _

from brand_clubs.models import Brand, BrandStaff
from community.errors import AccessDenied


def is_brand_staff(*, user, brand: Brand, admin_only: bool = False) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    links = BrandStaff.objects.filter(brand=brand, member=user)
    if admin_only:
        links = links.filter(role=BrandStaff.Role.ADMIN)
    return links.exists()


def access_brand_staff(*, user, brand: Brand, admin_only: bool = False) -> None:
    """Only people who speak for this brand may act in its name."""
    if not is_brand_staff(user=user, brand=brand, admin_only=admin_only):
        raise AccessDenied(_("Only %(brand)s's staff can do this.") % {"brand": brand.name})
