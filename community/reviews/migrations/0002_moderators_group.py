"""Groups for the back office.

"Moderators" (Wagtail creates it with page permissions; we add to it) may moderate
community content and reach the Wagtail admin. "Brand admins" may reach the admin and
list and export the purchase codes of the brands they administer (BrandStaff role
"admin"); they generate codes for those brands only.

Permissions are normally created after migrations (post_migrate), so the ones we need
are created here when missing, as Wagtail's own migrations do; post_migrate later
finds them and leaves them alone.
"""

from django.db import migrations

MODERATORS = "Moderators"
BRAND_ADMINS = "Brand admins"

# (app_label, model, codename, name)
ACCESS_ADMIN = ("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
MODERATE_CONTENT = (
    "members",
    "member",
    "moderate_content",
    "Can moderate community content",
)
VIEW_PURCHASE_CODE = ("reviews", "purchasecode", "view_purchasecode", "Can view purchase code")

GROUPS = {
    MODERATORS: [ACCESS_ADMIN, MODERATE_CONTENT],
    BRAND_ADMINS: [ACCESS_ADMIN, VIEW_PURCHASE_CODE],
}


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group_name, permissions in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*[_permission(apps, *spec) for spec in permissions])


def remove_groups(apps, schema_editor):
    """Take back what this migration granted; keep Wagtail's own Moderators group."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators = Group.objects.filter(name=MODERATORS).first()
    if moderators is not None:
        moderators.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="members", codename="moderate_content"
            )
        )
    Group.objects.filter(name=BRAND_ADMINS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("members", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0002_initial_data"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
