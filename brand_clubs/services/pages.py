"""Club pages in Wagtail and who may edit them.

Every club has one ClubPage (its landing content) under the one ClubIndexPage. A brand's
staff edit, preview and publish the club pages of their own brand and nothing else:
each brand has one Wagtail group, "Club editors: <brand> #<id>", that may reach the
admin, may use the Clubs admin for its own brand's clubs, and holds change + publish
page permissions on exactly that brand's club pages;
its members are exactly the brand's active staff. `brand_club_editors_sync` re-derives
the group from BrandStaff and ClubPage rows, so calling it again is always safe; the
services that change either call it, and `manage.py sync_club_editors` runs it for all.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from brand_clubs.models import (
    Brand,
    BrandStaff,
    Club,
    ClubIndexPage,
    ClubMembership,
    ClubPage,
)
from community.home.models import HomePage

EDITOR_GROUP_PREFIX = "Club editors: "
# Page permissions of a brand's editors on its club pages: edit (which includes
# previewing drafts) and publish. No "add": club pages are made by club_page_ensure.
EDITOR_PAGE_PERMISSIONS = ("change_page", "publish_page")
# Image blocks of club pages: editors pick images from the library and upload their own.
EDITOR_IMAGE_PERMISSIONS = ("add_image", "choose_image")


def editor_group_name(brand: Brand) -> str:
    """The id suffix keeps the group found when the brand is renamed."""
    return f"{EDITOR_GROUP_PREFIX}{brand.name} #{brand.pk}"


def _editor_group_for(brand: Brand) -> Group | None:
    return (
        Group.objects.filter(name__startswith=EDITOR_GROUP_PREFIX, name__endswith=f" #{brand.pk}")
        .order_by("pk")
        .first()
    )


def _page_permissions() -> list[Permission]:
    return list(
        Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS
        )
    )


def _group_permissions() -> list[Permission]:
    """Admin access, and brand_clubs.view_club: the marker by which the club admin's
    permission policy (wagtail_hooks.ClubPermissionPolicy) knows a club editor."""
    return list(
        Permission.objects.filter(
            Q(content_type__app_label="wagtailadmin", codename="access_admin")
            | Q(content_type__app_label="brand_clubs", codename="view_club")
        )
    )


def club_index_page_ensure() -> ClubIndexPage:
    """The "Clubs" section (home/0003 creates it; this recreates it if an editor
    deleted it), under the default site's home page."""
    index = ClubIndexPage.objects.order_by("path").first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    parent = site.root_page if site is not None else None
    if parent is None or not isinstance(parent.specific, HomePage):
        parent = HomePage.objects.order_by("path").first() or Page.get_first_root_node()
    parent = parent.specific
    slug = "clubs"
    taken = set(parent.get_children().values_list("slug", flat=True))
    n = 1
    while slug in taken:
        n += 1
        slug = f"clubs-{n}"
    index = ClubIndexPage(title="Clubs", slug=slug, live=True)
    parent.add_child(instance=index)
    return index


@transaction.atomic
def club_page_ensure(*, club: Club) -> ClubPage:
    """The club's ClubPage, created as a draft with an empty body when missing; its
    brand's staff get edit and publish permission on it."""
    # Lock the club: two requests ensuring the same page must not both add one.
    Club.objects.select_for_update().filter(pk=club.pk).first()
    page = ClubPage.objects.filter(club=club).first()
    if page is not None:
        return page
    index = club_index_page_ensure()
    taken = set(index.get_children().values_list("slug", flat=True))
    slug, n = club.slug, 1
    while slug in taken:  # a detached page (club emptied) may still hold the slug
        n += 1
        slug = f"{club.slug}-{n}"
    page = ClubPage(title=club.name, slug=slug, club=club, body=[], live=False)
    index.add_child(instance=page)
    page.save_revision()
    brand_club_editors_sync(brand=club.brand)
    return page


def _grant_image_library(group: Group) -> None:
    root = Collection.get_first_root_node()
    if root is None:
        return
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailimages", codename__in=EDITOR_IMAGE_PERMISSIONS
    ):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission
        )


@transaction.atomic
def brand_club_editors_sync(*, brand: Brand) -> Group:
    """Make the brand's editor group hold exactly: admin access, change + publish on
    each of the brand's club pages, and the brand's active staff as members; and take
    the owner role in the brand's clubs from people no longer on its staff."""
    group = _editor_group_for(brand)
    name = editor_group_name(brand)
    if group is None:
        group = Group.objects.create(name=name)
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    group.permissions.add(*_group_permissions())
    _grant_image_library(group)

    permissions = _page_permissions()
    page_ids = set(ClubPage.objects.filter(club__brand=brand).values_list("pk", flat=True))
    wanted = {(page_id, perm.pk) for page_id in page_ids for perm in permissions}
    held = {
        (row.page_id, row.permission_id): row.pk
        for row in GroupPagePermission.objects.filter(group=group)
    }
    stale = [pk for key, pk in held.items() if key not in wanted]
    if stale:
        GroupPagePermission.objects.filter(pk__in=stale).delete()
    GroupPagePermission.objects.bulk_create(
        [
            GroupPagePermission(group=group, page_id=page_id, permission_id=permission_id)
            for page_id, permission_id in sorted(wanted - held.keys())
        ]
    )

    staff_ids = BrandStaff.objects.filter(brand=brand, member__is_active=True).values_list(
        "member_id", flat=True
    )
    group.user_set.set(list(staff_ids))
    # People who left the brand's staff keep their club memberships, as plain members:
    # the owner role (and its moderating rights) belongs to current staff only.
    ClubMembership.objects.filter(club__brand=brand, role=ClubMembership.Role.OWNER).exclude(
        member_id__in=list(staff_ids)
    ).update(role=ClubMembership.Role.MEMBER)
    return group


@transaction.atomic
def club_editors_sync_all() -> int:
    """Every brand's editor group re-derived, and groups of deleted brands removed;
    returns the number of brands synced."""
    brands = list(Brand.objects.order_by("pk"))
    for brand in brands:
        brand_club_editors_sync(brand=brand)
    known = {f" #{brand.pk}" for brand in brands}
    for group in Group.objects.filter(name__startswith=EDITOR_GROUP_PREFIX):
        suffix = " #" + group.name.rpartition(" #")[2]
        if suffix not in known:
            group.delete()
    return len(brands)
