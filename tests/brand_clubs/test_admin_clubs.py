"""Clubs in the Wagtail admin ("Brands" > "Clubs"): who sees which clubs, the form saving
through the club services, club pages and editor groups following, brand staff admin
views keeping the groups in sync, and the product chooser and product list block."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse

from brand_clubs.blocks import ProductListBlock
from brand_clubs.models import BrandStaff, Club, ClubMembership, ClubPage
from brand_clubs.services.pages import (
    brand_club_editors_sync,
    club_page_ensure,
    editor_group_name,
)
from community.members.models import Member
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    ClubFactory,
    MemberFactory,
    ProductFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return Member.objects.create_superuser(email="root@example.com", password="x-pass-123!")


@pytest.fixture
def brand_a():
    return BrandFactory(name="Alpha Motors")


@pytest.fixture
def brand_b():
    return BrandFactory(name="Bravo Coffee")


@pytest.fixture
def staff_a(brand_a):
    """Added as the brand staff admin views add them: with the brand's editor group."""
    member = BrandStaffFactory(brand=brand_a).member
    brand_club_editors_sync(brand=brand_a)
    return member


@pytest.fixture
def club_a(brand_a):
    return ClubFactory(brand=brand_a, name="Alpha riders", slug="alpha-riders")


@pytest.fixture
def club_b(brand_b):
    return ClubFactory(brand=brand_b, name="Bravo brewers", slug="bravo-brewers")


def _form(brand=None, **fields) -> dict:
    data = {
        "name": "Night riders",
        "slug": "night-riders",
        "description": "We ride at night.",
        "rules": "Be kind.",
        "visibility": Club.Visibility.APPROVAL,
    }
    if brand is not None:
        data["brand"] = str(brand.pk)
    data.update(fields)
    return data


# --- listing and access ---------------------------------------------------------------


def test_brand_staff_list_only_their_brands_clubs(client, staff_a, club_a, club_b):
    client.force_login(staff_a)
    response = client.get(reverse("clubs:index"))
    assert response.status_code == 200
    assert b"Alpha riders" in response.content
    assert b"Bravo brewers" not in response.content


def test_site_staff_list_every_club_with_links_to_page_and_site(client, superuser, club_a, club_b):
    page = club_page_ensure(club=club_a)
    client.force_login(superuser)
    response = client.get(reverse("clubs:index"))
    content = response.content.decode()
    assert "Alpha riders" in content and "Bravo brewers" in content
    assert reverse("wagtailadmin_pages:edit", args=[page.pk]) in content
    assert club_a.get_absolute_url() in content


def test_brand_staff_cannot_open_another_brands_club(client, staff_a, club_b):
    client.force_login(staff_a)
    response = client.get(reverse("clubs:edit", args=[club_b.pk]))
    assert response.status_code == 404
    response = client.post(reverse("clubs:edit", args=[club_b.pk]), _form(name="Taken over"))
    assert response.status_code == 404
    club_b.refresh_from_db()
    assert club_b.name == "Bravo brewers"


@pytest.mark.parametrize("url", ["clubs:index", "clubs:add"])
def test_members_without_a_brand_do_not_reach_club_admin(client, url):
    client.force_login(MemberFactory())
    response = client.get(reverse(url))
    assert response.status_code in (302, 403)


def test_admin_users_without_club_rights_are_refused(client):
    member = MemberFactory()
    member.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(member)
    assert client.get(reverse("clubs:index")).status_code in (302, 403)
    assert client.post(reverse("clubs:add"), _form()).status_code in (302, 403)
    assert not Club.objects.exists()


def test_clubs_are_not_deleted_from_the_admin(client, superuser, club_a):
    with pytest.raises(NoReverseMatch):
        reverse("clubs:delete", args=[club_a.pk])
    client.force_login(superuser)
    response = client.get(f"/admin/clubs/delete/{club_a.pk}/")
    assert response.status_code == 404
    assert Club.objects.filter(pk=club_a.pk).exists()


# --- creating and editing -------------------------------------------------------------


def test_brand_choices_are_limited_to_the_users_brands(client, staff_a, brand_a, brand_b):
    client.force_login(staff_a)
    response = client.get(reverse("clubs:add"))
    assert response.status_code == 200
    choices = {str(pk) for pk, _label in response.context["form"].fields["brand"].choices if pk}
    assert choices == {str(brand_a.pk)}
    response = client.post(reverse("clubs:add"), _form(brand_b))
    assert response.status_code == 200  # the form again, with an error on the brand
    assert "brand" in response.context["form"].errors
    assert not Club.objects.exists()


def test_brand_staff_create_a_club_with_its_page_and_editor_rights(client, staff_a, brand_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("clubs:add"),
        _form(brand_a, cover=image_upload("cover.png", size=(800, 400), fmt="PNG")),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    club = Club.objects.get(slug="night-riders")
    assert club.brand == brand_a
    assert club.visibility == Club.Visibility.APPROVAL
    assert club.created_by == staff_a
    assert club.cover_card and club.cover_wide_webp
    owner = ClubMembership.objects.get(club=club, member=staff_a)
    assert owner.role == ClubMembership.Role.OWNER
    page = ClubPage.objects.get(club=club)
    assert not page.live
    group = Group.objects.get(name=editor_group_name(brand_a))
    assert staff_a in group.user_set.all()
    assert page.permissions_for_user(staff_a).can_publish()


def test_a_fake_image_is_a_form_error_and_nothing_is_created(client, staff_a, brand_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cover.jpg", b"<script>alert(1)</script>", "image/jpeg")
    client.force_login(staff_a)
    response = client.post(reverse("clubs:add"), _form(brand_a, cover=fake))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Club.objects.exists()
    assert not ClubPage.objects.exists()


def test_a_taken_slug_is_a_form_error(client, staff_a, brand_a, club_a):
    client.force_login(staff_a)
    response = client.post(reverse("clubs:add"), _form(brand_a, slug=club_a.slug))
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert Club.objects.count() == 1


def test_brand_staff_edit_their_club_through_the_service(client, staff_a, club_a, brand_b):
    client.force_login(staff_a)
    response = client.post(
        reverse("clubs:edit", args=[club_a.pk]),
        _form(
            brand_b,  # ignored: a club stays with its brand
            name="Alpha night riders",
            slug=club_a.slug,
            rules="**No** <script>alert(1)</script> racing.",
            is_closed="on",
        ),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    club_a.refresh_from_db()
    assert club_a.name == "Alpha night riders"
    assert club_a.brand.name == "Alpha Motors"
    assert club_a.is_closed
    assert "<script>" not in club_a.rules_html
    assert "<strong>No</strong>" in club_a.rules_html
    assert ClubPage.objects.filter(club=club_a).exists()  # made on the first save


def test_edit_view_links_to_the_club_page_editor(client, superuser, club_a):
    page = club_page_ensure(club=club_a)
    client.force_login(superuser)
    response = client.get(reverse("clubs:edit", args=[club_a.pk]))
    assert response.status_code == 200
    assert reverse("wagtailadmin_pages:edit", args=[page.pk]).encode() in response.content


# --- brand staff admin keeps the editor groups in sync --------------------------------


def test_adding_and_removing_brand_staff_in_the_admin_syncs_the_editor_group(
    client, superuser, brand_a, club_a
):
    page = club_page_ensure(club=club_a)
    newcomer = MemberFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("brand_staff:add"),
        {"brand": str(brand_a.pk), "member": str(newcomer.pk), "role": BrandStaff.Role.STAFF},
    )
    assert response.status_code == 302
    group = Group.objects.get(name=editor_group_name(brand_a))
    assert newcomer in group.user_set.all()
    newcomer = Member.objects.get(pk=newcomer.pk)
    assert page.permissions_for_user(newcomer).can_edit()

    link = BrandStaff.objects.get(member=newcomer)
    response = client.post(reverse("brand_staff:delete", args=[link.pk]))
    assert response.status_code == 302
    assert newcomer not in group.user_set.all()
    newcomer = Member.objects.get(pk=newcomer.pk)
    assert not page.permissions_for_user(newcomer).can_edit()


def test_moving_a_staff_link_to_another_brand_moves_the_rights(
    client, superuser, brand_a, brand_b, club_a, club_b, staff_a
):
    page_a = club_page_ensure(club=club_a)
    page_b = club_page_ensure(club=club_b)
    link = BrandStaff.objects.get(member=staff_a)
    client.force_login(superuser)
    response = client.post(
        reverse("brand_staff:edit", args=[link.pk]),
        {"brand": str(brand_b.pk), "member": str(staff_a.pk), "role": link.role},
    )
    assert response.status_code == 302
    staff_a = Member.objects.get(pk=staff_a.pk)
    assert not page_a.permissions_for_user(staff_a).can_edit()
    assert page_b.permissions_for_user(staff_a).can_edit()


# --- product chooser and product list block -------------------------------------------


def test_product_chooser_is_registered_for_the_page_editor(client, staff_a):
    ProductFactory(name="Alpha Sport 5")
    client.force_login(staff_a)
    response = client.get(reverse("product_chooser:choose"))
    assert response.status_code == 200
    assert b"Alpha Sport 5" in response.content


def test_product_list_block_renders_cards_with_rating_and_escapes_names():
    good = ProductFactory(name="Alpha <script>x</script> Sport", rating_count=2, rating_total=9)
    other = ProductFactory(name="Bravo Grinder")
    gone = ProductFactory(name="Gone product")
    block = ProductListBlock()
    value = block.to_python({"heading": "Our picks", "products": [good.pk, other.pk, gone.pk]})
    gone.delete()
    html = block.render(value)
    assert "Our picks" in html
    assert good.get_absolute_url() in html
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert "4.5" in html
    assert "No reviews yet." in html  # the product without reviews
    assert "Gone product" not in html
    assert html.index("Alpha") < html.index("Bravo Grinder")


def test_product_list_block_without_products_shows_an_empty_state():
    block = ProductListBlock()
    html = block.render(block.to_python({"heading": "", "products": []}))
    assert "No products to show here yet." in html


def test_a_former_brand_staff_member_still_in_the_group_sees_no_clubs(client, staff_a, club_a):
    BrandStaff.objects.filter(member=staff_a).delete()  # the group is not synced yet
    client.force_login(staff_a)
    assert client.get(reverse("clubs:index")).status_code in (302, 403)
    assert client.get(reverse("clubs:edit", args=[club_a.pk])).status_code in (302, 403, 404)


@pytest.mark.parametrize("count", [10, 50])
def test_club_list_query_count_does_not_grow(
    client, staff_a, brand_a, count, django_assert_max_num_queries
):
    for n in range(count):
        club_page_ensure(club=ClubFactory(brand=brand_a, name=f"Club {n:03d}"))
    client.force_login(staff_a)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("clubs:index"))
    assert response.status_code == 200
    assert b"Club 009" in response.content
