"""Rebuild the search index from the database: the database backend's table, then the
engine's index when one is configured (a new index, switched to at once).

    manage.py rebuild_search_index [--no-progress]
"""

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.services import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the database."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, no_progress: bool, **options):
        verbosity = options.get("verbosity", 1)
        bar = tqdm(
            unit="doc",
            disable=no_progress or verbosity < 1,
            file=sys.stderr,
            mininterval=0.5 if sys.stderr.isatty() else 10,
        )
        done = 0

        def progress(count: int) -> None:
            # `count` is how many documents the current pass has written; a smaller
            # number than last time is the next pass (the engine after the database).
            nonlocal done
            if count < done:
                bar.reset()
                done = 0
            bar.update(count - done)
            done = count

        try:
            total = index_rebuild(progress=progress)
        finally:
            bar.close()
        if verbosity >= 1:
            self.stdout.write(f"rebuild_search_index: {total} documents indexed.")
