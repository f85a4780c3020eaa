"""Re-derive every brand's "Club editors" Wagtail group from BrandStaff and ClubPage rows.

    manage.py sync_club_editors

Idempotent. The services keep the groups in sync as staff and club pages change; this
repairs them after changes made elsewhere (the Django admin, a database restore).
"""

from django.core.management.base import BaseCommand

from brand_clubs.services.pages import club_editors_sync_all


class Command(BaseCommand):
    help = "Give each brand's staff edit and publish rights on its club pages (idempotent)."

    def handle(self, *args, **options):
        count = club_editors_sync_all()
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"sync_club_editors: {count} brands synced")
