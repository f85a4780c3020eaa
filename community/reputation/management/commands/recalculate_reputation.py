"""Re-sum the reputation ledger into the cached totals (Member.reputation and the per
club / per field scores) and say how many were wrong. They never should be; run it
after restoring a backup or to check. Every member is checked without taking a lock
(on PostgreSQL by several connections at once); only members whose cached values
disagree are locked and corrected."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from community.reputation.services import reputation_recalculate


class Command(BaseCommand):
    help = "Re-sum the ledger into the cached totals; reports mismatches fixed."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="PostgreSQL connections checking batches at once (default: one per CPU, "
            "up to 4; SQLite uses one).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size, workers, no_progress, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be 1 or more.")
        total = get_user_model().objects.count()
        with tqdm(total=total, unit="member", disable=no_progress, file=self.stderr._out) as bar:
            fixed = reputation_recalculate(
                batch_size=batch_size, workers=workers, progress=bar.update
            )
        self.stdout.write(f"{total} member(s) re-summed; {fixed} cached value(s) corrected.")
