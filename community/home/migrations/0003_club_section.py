"""The "Clubs" section of the page tree: one ClubIndexPage under the home page, the parent
of every club's ClubPage (brand_clubs.services.pages.club_page_ensure adds those).

Historical models have no treebeard, so the path is computed here as 0002 does for the
home page. Running it again changes nothing; reversing removes the section only while it
has no club pages below it (removing those would delete brand staff's work).
"""

from django.db import migrations

PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's, as Wagtail uses it
STEP_LENGTH = 4


def _next_child_path(parent, Page) -> str:
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = 0
    if last is not None:
        for char in last[-STEP_LENGTH:]:
            number = number * len(PATH_ALPHABET) + PATH_ALPHABET.index(char)
    number += 1
    digits = []
    for _i in range(STEP_LENGTH):
        number, rest = divmod(number, len(PATH_ALPHABET))
        digits.append(PATH_ALPHABET[rest])
    return parent.path + "".join(reversed(digits))


def create_club_section(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("home.HomePage")
    ClubIndexPage = apps.get_model("brand_clubs.ClubIndexPage")

    if ClubIndexPage.objects.exists():
        return
    home = HomePage.objects.order_by("path").first()
    if home is None:  # no home page (0002 always makes one): nothing to attach to
        return
    home = Page.objects.get(pk=home.pk)
    siblings = set(
        Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).values_list(
            "slug", flat=True
        )
    )
    slug, n = "clubs", 1
    while slug in siblings:  # an editor's own page already uses "clubs"
        n += 1
        slug = f"clubs-{n}"
    content_type, _created = ContentType.objects.get_or_create(
        app_label="brand_clubs", model="clubindexpage"
    )
    page = Page.objects.create(
        title="Clubs",
        draft_title="Clubs",
        slug=slug,
        path=_next_child_path(home, Page),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}{slug}/",
        content_type=content_type,
        live=True,
        has_unpublished_changes=False,
        locale_id=home.locale_id,
        show_in_menus=True,
    )
    ClubIndexPage(page_ptr_id=page.pk).save_base(raw=True)
    Page.objects.filter(pk=home.pk).update(numchild=home.numchild + 1)


def remove_club_section(apps, schema_editor):
    Page = apps.get_model("wagtailcore.Page")
    ClubIndexPage = apps.get_model("brand_clubs.ClubIndexPage")
    for index in ClubIndexPage.objects.all():
        page = Page.objects.get(pk=index.pk)
        if page.numchild:
            continue
        parent = Page.objects.filter(path=page.path[:-STEP_LENGTH]).first()
        ClubIndexPage.objects.filter(pk=index.pk)._raw_delete(schema_editor.connection.alias)
        Page.objects.filter(pk=page.pk).delete()
        if parent is not None and parent.numchild:
            Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild - 1)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_create_homepage"),
        ("brand_clubs", "0004_clubs_and_events"),
    ]

    operations = [migrations.RunPython(create_club_section, remove_club_section)]
