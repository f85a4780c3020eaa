from django.db import migrations


def create_homepage(apps, schema_editor):
    """Turn Wagtail's placeholder welcome page into Goodword's home page.

    The page row is kept and given a HomePage child row, rather than deleted: deleting
    it would cascade into tables of apps whose migrations may not have run yet."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("home.HomePage")

    homepage_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="home")
    page = Page.objects.filter(depth=2).order_by("path").first()
    if page is None:
        root = Page.objects.get(depth=1)
        page = Page.objects.create(
            title="Goodword", slug="home", path=f"{root.path}0001", depth=2, numchild=0,
            url_path="/home/", content_type=homepage_type, live=True,
        )
        root.numchild += 1
        root.save(update_fields=["numchild"])
    Page.objects.filter(pk=page.pk).update(
        title="Goodword", draft_title="Goodword", content_type=homepage_type
    )
    home = HomePage(
        page_ptr_id=page.pk,
        intro="<p>Honest reviews from people who own the things you are about to buy.</p>",
        latest_reviews_count=10,
    )
    home.save_base(raw=True)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page_id": page.pk, "site_name": "Goodword"},
    )


def remove_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    HomePage = apps.get_model("home.HomePage")
    Page = apps.get_model("wagtailcore.Page")
    page_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    for home in HomePage.objects.all():
        Page.objects.filter(pk=home.pk).update(content_type=page_type)
    HomePage.objects.all()._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
