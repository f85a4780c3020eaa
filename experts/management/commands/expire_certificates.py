"""Expire certificates past their expiry and remind experts whose certificate expires
within 30 days. Schedule it daily; running it again the same day does no harm (an
expired certificate is expired once, and each reminder is sent once)."""

from django.core.management.base import BaseCommand

from experts.services.certification import certificates_expire


class Command(BaseCommand):
    help = (
        "Mark active expert certificates past their expiry as expired (badges are "
        "refreshed) and remind experts whose certificate expires within 30 days."
    )

    def handle(self, *args, **options):
        expired = certificates_expire()
        self.stdout.write(f"{expired} certificate(s) expired.")
