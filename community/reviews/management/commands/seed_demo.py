"""Demo data: brands, products, members and N reviews in Chinese and English.

    manage.py seed_demo [--reviews N] [--quiet] [--seed S]

Idempotent: running again adds nothing, asking for more adds only the missing reviews.
The data and the writing live in community.demo (seeding.demo_seed).

Demo accounts: admin@goodword.example / goodword-admin (superuser),
demo@goodword.example / goodword-demo, staff@goodword.example / goodword-staff
(admin of the first brand).
"""

from django.core.management.base import BaseCommand, CommandError

from community.demo.seeding import DemoSeedError, demo_seed


class Command(BaseCommand):
    help = "Create demo brands, products, members and reviews (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--reviews", type=int, default=300, help="demo reviews wanted")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument("--seed", type=int, default=2025, help="random seed")

    def handle(self, *args, reviews: int, quiet: bool, seed: int, **options):
        if reviews < 0:
            raise CommandError("--reviews must be 0 or more.")
        try:
            result = demo_seed(reviews=reviews, seed=seed, progress=not quiet)
        except DemoSeedError as exc:
            raise CommandError(exc.message) from exc
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(
                f"seed_demo: {result.brands} brands, {result.products} products, "
                f"{result.members} demo members, {result.reviews} demo reviews "
                f"({result.created} new; {result.verified} verified, "
                f"{result.with_photos} with photos, {result.brand_replies} brand replies), "
                f"{result.clubs} clubs, {result.club_posts} club posts, {result.events} events, "
                f"{result.experts} new expert certificates in {result.seconds:.1f} s"
            )
