"""Reverse the points of serial voting (rules.SERIAL_VOTES votes by one member on one
author's content within rules.SERIAL_WINDOW_HOURS). Schedule it hourly; a vote is
reversed once, so running it again does no harm."""

from django.core.management.base import BaseCommand

from community.reputation.services import reputation_serial_votes_reverse


class Command(BaseCommand):
    help = "Reverse the reputation earned through serial voting."

    def handle(self, *args, **options):
        reversed_count = reputation_serial_votes_reverse()
        self.stdout.write(f"{reversed_count} vote(s) reversed as serial voting.")
