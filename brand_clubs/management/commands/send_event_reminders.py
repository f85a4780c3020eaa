"""Remind attendees of events starting soon. Schedule it every 15 minutes; it is
idempotent (each event is reminded once), so overlapping runs do no harm."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from brand_clubs.services.events import event_reminders_send


class Command(BaseCommand):
    help = "Notify people going to events that start within the next HOURS (default 24)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0)

    def handle(self, *args, **options):
        hours = options["hours"]
        if not 0 < hours <= 24 * 14:
            self.stderr.write("--hours must be between 0 and 336.")
            return
        sent = event_reminders_send(lead=timedelta(hours=hours))
        self.stdout.write(f"{sent} reminder(s) sent.")
