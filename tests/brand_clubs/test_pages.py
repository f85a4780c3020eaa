"""Club pages in Wagtail: the club section made by migration, club_page_ensure, and the
per-brand editor groups that let a brand's staff edit, preview and publish their own
brand's club pages and nothing else."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page

from brand_clubs.models import BrandStaff, ClubIndexPage, ClubPage
from brand_clubs.services.pages import (
    EDITOR_GROUP_PREFIX,
    brand_club_editors_sync,
    club_editors_sync_all,
    club_page_ensure,
    editor_group_name,
)
from community.home.models import HomePage
from tests.factories import BrandFactory, BrandStaffFactory, ClubFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _editor_group(brand) -> Group:
    return Group.objects.get(name=editor_group_name(brand))


def _page_perms(group) -> set[tuple[int, str]]:
    return set(
        GroupPagePermission.objects.filter(group=group).values_list(
            "page_id", "permission__codename"
        )
    )


@pytest.fixture
def brand_a():
    return BrandFactory(name="Alpha Motors")


@pytest.fixture
def brand_b():
    return BrandFactory(name="Bravo Coffee")


@pytest.fixture
def staff_a(brand_a):
    return BrandStaffFactory(brand=brand_a).member


@pytest.fixture
def club_a(brand_a):
    return ClubFactory(brand=brand_a, name="Alpha riders", slug="alpha-riders")


@pytest.fixture
def club_b(brand_b):
    return ClubFactory(brand=brand_b, name="Bravo brewers", slug="bravo-brewers")


# --- the club section -----------------------------------------------------------------


def test_migration_made_one_live_club_section_under_the_home_page():
    index = ClubIndexPage.objects.get()
    assert index.slug == "clubs"
    assert index.live
    assert isinstance(index.get_parent().specific, HomePage)
    assert index.url == reverse("brand_clubs:club_list")
    # the tree is consistent: treebeard's numchild matches what is below the home page
    home = index.get_parent()
    assert home.numchild == home.get_children().count()


def test_club_section_migration_runs_again_without_a_second_section():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("community.home.migrations.0003_club_section")
    migration.create_club_section(apps, None)
    assert ClubIndexPage.objects.count() == 1


# --- club_page_ensure -----------------------------------------------------------------


def test_club_page_ensure_creates_a_draft_page_once(club_a, staff_a):
    page = club_page_ensure(club=club_a)
    assert page.club == club_a
    assert page.title == club_a.name
    assert not page.live and page.has_unpublished_changes
    assert len(page.body) == 0
    assert page.get_parent().specific_class is ClubIndexPage
    assert page.get_latest_revision() is not None
    again = club_page_ensure(club=club_a)
    assert again.pk == page.pk
    assert ClubPage.objects.filter(club=club_a).count() == 1


def test_club_page_ensure_avoids_a_slug_held_by_a_detached_page(club_a):
    index = ClubIndexPage.objects.get()
    index.add_child(instance=ClubPage(title="Old", slug=club_a.slug, live=False))
    page = club_page_ensure(club=club_a)
    assert page.slug == f"{club_a.slug}-2"


def test_club_page_ensure_recreates_a_deleted_club_section(club_a):
    ClubIndexPage.objects.get().delete()
    page = club_page_ensure(club=club_a)
    assert ClubIndexPage.objects.count() == 1
    assert page.get_parent().pk == ClubIndexPage.objects.get().pk


def test_club_url_is_the_club_view_not_the_tree_path(club_a):
    page = club_page_ensure(club=club_a)
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.url == club_a.get_absolute_url()


# --- editor groups --------------------------------------------------------------------


def test_brand_staff_get_change_and_publish_on_their_brands_pages_only(
    club_a, club_b, staff_a, brand_a, brand_b
):
    page_a = club_page_ensure(club=club_a)
    page_b = club_page_ensure(club=club_b)
    group_a = _editor_group(brand_a)
    assert _page_perms(group_a) == {(page_a.pk, "change_page"), (page_a.pk, "publish_page")}
    assert set(group_a.user_set.all()) == {staff_a}
    assert group_a.permissions.filter(codename="access_admin").exists()
    assert staff_a not in _editor_group(brand_b).user_set.all()
    staff_a.refresh_from_db()
    assert page_a.permissions_for_user(staff_a).can_edit()
    assert page_a.permissions_for_user(staff_a).can_publish()
    assert not page_b.permissions_for_user(staff_a).can_edit()


def test_brand_staff_cannot_delete_their_club_page(client, club_a, staff_a):
    page = club_page_ensure(club=club_a)
    client.force_login(staff_a)
    response = client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    assert response.status_code == 302
    assert ClubPage.objects.filter(pk=page.pk, club=club_a).exists()


def test_sync_follows_staff_changes_and_is_idempotent(club_a, brand_a, staff_a):
    club_page_ensure(club=club_a)
    newcomer = BrandStaffFactory(brand=brand_a, role=BrandStaff.Role.ADMIN).member
    inactive = BrandStaffFactory(brand=brand_a, member=MemberFactory(is_active=False)).member
    group = brand_club_editors_sync(brand=brand_a)
    assert set(group.user_set.all()) == {staff_a, newcomer}
    assert inactive not in group.user_set.all()
    perms = _page_perms(group)
    assert brand_club_editors_sync(brand=brand_a).pk == group.pk
    assert _page_perms(group) == perms
    BrandStaff.objects.filter(member=staff_a).delete()
    brand_club_editors_sync(brand=brand_a)
    assert set(group.user_set.all()) == {newcomer}
    # Image blocks need the library: editors may choose and upload images, once each.
    image_perms = group.collection_permissions.values_list("permission__codename", flat=True)
    assert sorted(image_perms) == ["add_image", "choose_image"]
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    images = policy_registry.get_by_type(get_image_model())
    assert images.user_has_permission(newcomer, "choose")


def test_a_renamed_brand_keeps_its_group(club_a, brand_a, staff_a):
    club_page_ensure(club=club_a)
    group = _editor_group(brand_a)
    brand_a.name = "Alpha Mobility"
    brand_a.save()
    brand_club_editors_sync(brand=brand_a)
    group.refresh_from_db()
    assert group.name == f"{EDITOR_GROUP_PREFIX}Alpha Mobility #{brand_a.pk}"
    assert Group.objects.filter(name__startswith=EDITOR_GROUP_PREFIX).count() == 1


def test_sync_command_repairs_everything_and_drops_groups_of_gone_brands(
    club_a, club_b, brand_a, staff_a
):
    page_a = club_page_ensure(club=club_a)
    club_page_ensure(club=club_b)
    group_a = _editor_group(brand_a)
    GroupPagePermission.objects.filter(group=group_a).delete()
    group_a.user_set.clear()
    stray = Group.objects.create(name=f"{EDITOR_GROUP_PREFIX}Gone brand #999999")
    outsider = MemberFactory()
    stray.user_set.add(outsider)
    call_command("sync_club_editors", verbosity=0)
    assert _page_perms(group_a) == {(page_a.pk, "change_page"), (page_a.pk, "publish_page")}
    assert set(group_a.user_set.all()) == {staff_a}
    assert not Group.objects.filter(pk=stray.pk).exists()
    assert club_editors_sync_all() == 2  # again: same result, nothing new
    assert Group.objects.filter(name__startswith=EDITOR_GROUP_PREFIX).count() == 2


# --- in the Wagtail admin -------------------------------------------------------------


def _edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def test_brand_staff_open_their_club_page_editor_but_not_another_brands(
    client, club_a, club_b, staff_a
):
    page_a = club_page_ensure(club=club_a)
    page_b = club_page_ensure(club=club_b)
    client.force_login(staff_a)
    assert client.get(_edit_url(page_a)).status_code == 200
    other = client.get(_edit_url(page_b))
    assert other.status_code in (302, 403)
    assert b"Bravo brewers" not in other.content
    # Nothing else in the tree is theirs to edit either.
    home = HomePage.objects.get()
    assert client.get(_edit_url(home)).status_code in (302, 403)


def test_people_without_a_brand_cannot_open_club_page_editors(client, club_a):
    page = club_page_ensure(club=club_a)
    client.force_login(MemberFactory())
    response = client.get(_edit_url(page))
    assert response.status_code in (302, 403)
    assert "/login" in response.get("Location", "/login")


def _edit_form(page, **extra) -> dict:
    data = {
        "title": page.title,
        "slug": page.slug,
        "body-count": "0",
        "seo_title": "",
        "search_description": "",
    }
    data.update(extra)
    return data


def test_brand_staff_publish_their_club_page(client, club_a, staff_a):
    page = club_page_ensure(club=club_a)
    client.force_login(staff_a)
    response = client.post(
        _edit_url(page), _edit_form(page, title="Welcome riders", **{"action-publish": "1"})
    )
    assert response.status_code == 302, response.content[:2000]
    page.refresh_from_db()
    assert page.live
    assert page.title == "Welcome riders"
    assert page.club_id == club_a.pk


def test_the_page_editor_cannot_repoint_a_page_at_another_club(client, club_a, club_b, staff_a):
    page = club_page_ensure(club=club_a)
    ClubPage.objects.filter(club=club_b).delete()  # club_b has no page: a tempting target
    client.force_login(staff_a)
    client.post(_edit_url(page), _edit_form(page, club=str(club_b.pk)))
    page.refresh_from_db()
    assert page.club_id == club_a.pk


def test_preview_renders_the_draft_inside_the_club_home(client, club_a, staff_a):
    page = club_page_ensure(club=club_a)
    client.force_login(staff_a)
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    form = _edit_form(
        page,
        **{
            "body-count": "1",
            "body-0-type": "paragraph",
            "body-0-deleted": "",
            "body-0-order": "0",
            "body-0-id": "",
            "body-0-value": '{"blocks":[{"key":"a","text":"Draft welcome text","type":"unstyled",'
            '"depth":0,"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        },
    )
    posted = client.post(preview_url, form)
    assert posted.status_code == 200
    assert posted.json()["is_valid"], posted.content
    response = client.get(preview_url)
    assert response.status_code == 200
    assert club_a.name.encode() in response.content
    assert b"Draft welcome text" in response.content
    # The draft is not live: nobody else sees it.
    page.refresh_from_db()
    assert not page.live


def test_club_pages_are_not_in_the_page_tree_search_as_pages(club_a):
    from community.home.search_documents import PageDocument

    page = club_page_ensure(club=club_a)
    page.save_revision().publish()
    ids = set(PageDocument().get_queryset().values_list("pk", flat=True))
    assert page.pk not in ids
    assert ClubIndexPage.objects.get().pk not in ids
    assert HomePage.objects.get().pk in ids
    assert Page.objects.filter(pk=page.pk).live().exists()


def test_people_who_leave_the_brand_staff_keep_a_plain_membership(club_a, brand_a, staff_a):
    from brand_clubs.models import ClubMembership
    from brand_clubs.services.clubs import club_join

    membership = club_join(club=club_a, member=staff_a)
    assert membership.role == ClubMembership.Role.OWNER
    BrandStaff.objects.filter(member=staff_a).delete()
    brand_club_editors_sync(brand=brand_a)
    membership.refresh_from_db()
    assert (membership.role, membership.status) == ("member", "active")
