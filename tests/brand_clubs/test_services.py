"""brand_clubs.services: who speaks for a brand."""

import pytest
from django.contrib.auth.models import AnonymousUser

from brand_clubs.models import BrandStaff
from brand_clubs.services import access_brand_staff, is_brand_staff
from community.errors import AccessDenied
from tests.factories import BrandFactory, BrandStaffFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand():
    return BrandFactory(name="Acme")


@pytest.fixture
def admin(brand):
    return BrandStaffFactory(brand=brand, role=BrandStaff.Role.ADMIN).member


@pytest.fixture
def staff(brand):
    return BrandStaffFactory(brand=brand, role=BrandStaff.Role.STAFF).member


@pytest.mark.parametrize(
    ("who", "staff_ok", "admin_ok"),
    [
        ("admin", True, True),
        ("staff", True, False),
        ("other_brand_admin", False, False),
        ("member", False, False),
        ("superuser", False, False),  # site staff act through permissions, not this rule
        ("inactive_admin", False, False),
        ("anonymous", False, False),
        ("none", False, False),
    ],
)
def test_is_and_access_brand_staff(request, brand, who, staff_ok, admin_ok):
    users = {
        "admin": lambda: request.getfixturevalue("admin"),
        "staff": lambda: request.getfixturevalue("staff"),
        "other_brand_admin": lambda: BrandStaffFactory(role=BrandStaff.Role.ADMIN).member,
        "member": lambda: MemberFactory(),
        "superuser": lambda: MemberFactory(is_superuser=True, is_staff=True),
        "inactive_admin": lambda: (
            BrandStaffFactory(
                brand=brand, role=BrandStaff.Role.ADMIN, member=MemberFactory(is_active=False)
            ).member
        ),
        "anonymous": AnonymousUser,
        "none": lambda: None,
    }
    user = users[who]()

    assert is_brand_staff(user=user, brand=brand) is staff_ok
    assert is_brand_staff(user=user, brand=brand, admin_only=True) is admin_ok
    for admin_only, ok in ((False, staff_ok), (True, admin_ok)):
        if ok:
            access_brand_staff(user=user, brand=brand, admin_only=admin_only)
        else:
            with pytest.raises(AccessDenied) as info:
                access_brand_staff(user=user, brand=brand, admin_only=admin_only)
            assert "Acme" in str(info.value.message)
            assert info.value.status_code == 403


def test_staff_of_two_brands(brand, staff):
    second = BrandFactory()
    assert not is_brand_staff(user=staff, brand=second)
    BrandStaffFactory(brand=second, member=staff, role=BrandStaff.Role.ADMIN)
    assert is_brand_staff(user=staff, brand=second, admin_only=True)
    assert not is_brand_staff(user=staff, brand=brand, admin_only=True)


def test_saving_a_loaded_product_keeps_the_rating_summary(product):
    """An editor's form holds an old copy; reviews written meanwhile must not be lost."""
    from brand_clubs.models import Product
    from community.reviews import services as reviews
    from tests.factories import MemberFactory

    stale = Product.objects.get(pk=product.pk)
    reviews.review_create(author=MemberFactory(), product=product, rating=5, title="T", body="B")
    stale.name = "Renamed"
    stale.save()
    product.refresh_from_db()
    assert (product.name, product.rating_count, product.stars_5) == ("Renamed", 1, 1)
