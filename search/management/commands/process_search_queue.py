"""Send the engine the index updates it missed while it was down.

    manage.py process_search_queue

Safe to run at any time (a cron job, or after an outage); with the database backend
there is never anything to send.
"""

from django.core.management.base import BaseCommand

from search.services import index_queue_process


class Command(BaseCommand):
    help = "Replay queued search index updates to the search engine."

    def handle(self, *args, **options):
        applied, pending = index_queue_process()
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"process_search_queue: {applied} applied, {pending} pending.")
