"""Demo data: brands, products, members and N reviews in Chinese and English.

    manage.py seed_demo [--reviews N] [--quiet] [--seed S]

Idempotent: running again adds nothing, asking for more adds only the missing reviews.
The data and the writing live in community.demo (seeding.demo_seed); the demo's
reputation (demo_reputation_ensure below) follows it.

Demo accounts: admin@goodword.example / goodword-admin (superuser),
demo@goodword.example / goodword-demo, staff@goodword.example / goodword-staff
(admin of the first brand).
"""

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Max
from django.utils import timezone

from brand_clubs.models import Event, EventRSVP
from community.demo import content
from community.demo.planning import DemoSeedError
from community.demo.seeding import demo_reviews, demo_seed
from community.members.models import Member
from community.reputation import rules
from community.reputation.models import MemberVisit
from community.reputation.rules import Reason, TrustLevel
from community.reputation.services import (
    PastEvent,
    member_visits_load,
    reputation_history_load,
)
from community.reputation.trust_services import trust_level_evaluate, trust_level_grant_leader
from community.reviews.models import HelpfulVote, Review

# Members whose activity already meets level 2 except for visits ("engaged") read the
# site on this many more days; everyone else on a few. Days end at the newest demo
# review, so a run on another day adds no visits.
ENGAGED_EXTRA_DAYS = (14, 40)
OTHER_EXTRA_DAYS = (0, 4)
ITEMS_READ_PER_DAY = (4, 30)


@dataclass(frozen=True)
class DemoReputation:
    ledger_rows: int  # added by this run
    levels: dict[int, int]  # demo members (and the demo account) per trust level
    leader: str


def _ledger_events() -> list[PastEvent]:
    """What the demo wrote in bulk without ledger rows: helpful votes on demo reviews
    (worth what rules.review_helpful_points says for a verified purchase; the demo's
    expert endorsement comes after the votes) and the door check-ins of demo events."""
    review_type = ContentType.objects.get_for_model(Review).pk
    event_type = ContentType.objects.get_for_model(Event).pk
    votes = HelpfulVote.objects.filter(review__in=demo_reviews()).values_list(
        "review__author_id",
        "review__verified_purchase",
        "review__product__category_id",
        "review_id",
        "voter_id",
        "created_at",
    )
    events = [
        PastEvent(
            member_id=author_id,
            reason=Reason.REVIEW_HELPFUL,
            points=rules.review_helpful_points(verified_purchase=verified, expert_checked=False),
            source_type_id=review_type,
            source_id=review_id,
            actor_id=voter_id,
            category_id=category_id,
            created_at=voted_at,
        )
        for author_id, verified, category_id, review_id, voter_id, voted_at in votes
    ]
    demo_clubs = [slug for _brand, slug, *_rest in content.CLUBS]
    checkins = EventRSVP.objects.filter(
        event__club__slug__in=demo_clubs, checked_in_at__isnull=False
    ).values_list("member_id", "event_id", "event__club_id", "checked_in_by_id", "checked_in_at")
    events += [
        PastEvent(
            member_id=member_id,
            reason=Reason.EVENT_ATTENDED,
            source_type_id=event_type,
            source_id=event_id,
            actor_id=staff_id,
            club_id=club_id,
            created_at=checked_in_at,
        )
        for member_id, event_id, club_id, staff_id, checked_in_at in checkins
    ]
    return events


def _visits(members: list[Member], *, rng: random.Random):
    """(member id, day, items read) for past days: the days a member wrote a review or
    voted (they were signed in), plus reading days, more for the engaged."""
    reviews = demo_reviews()
    newest = reviews.aggregate(newest=Max("created_at"))["newest"] or timezone.now()
    last_day = newest.date()
    active_days: dict[int, set] = defaultdict(set)
    for author_id, written in reviews.values_list("author_id", "created_at"):
        active_days[author_id].add(written.date())
    given: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    votes = HelpfulVote.objects.filter(review__in=reviews)
    for voter_id, author_id, voted in votes.values_list(
        "voter_id", "review__author_id", "created_at"
    ):
        active_days[voter_id].add(voted.date())
        given[voter_id] += 1
        received[author_id] += 1
    written = dict(
        reviews.values("author_id").annotate(n=Count("pk")).values_list("author_id", "n")
    )
    member_need = dict(
        (requirement.stat, requirement.need)
        for requirement in rules.LEVEL_REQUIREMENTS[TrustLevel.MEMBER]
    )
    for member in members:
        engaged = (
            written.get(member.pk, 0) >= member_need[rules.Stat.CONTRIBUTIONS]
            and given[member.pk] >= member_need[rules.Stat.HELPFUL_GIVEN]
            and received[member.pk] >= member_need[rules.Stat.HELPFUL_RECEIVED]
        )
        extra = rng.randint(*(ENGAGED_EXTRA_DAYS if engaged else OTHER_EXTRA_DAYS))
        days = {day for day in active_days[member.pk] if day <= last_day}
        days |= {last_day - timedelta(days=rng.randint(0, 120)) for _ in range(extra)}
        for day in sorted(days):
            yield member.pk, day, rng.randint(*ITEMS_READ_PER_DAY)


def demo_reputation_ensure(*, seed: int) -> DemoReputation:
    """The demo's reputation as the site would have kept it: ledger rows for what the
    demo wrote in bulk (through reputation_history_load: the daily cap, the floor, each
    row once), days visited derived from each member's activity, trust levels evaluated
    from them (trust_level_evaluate), and one leader granted by the demo admin. Safe to
    run again: nothing is added twice and levels only change if the activity did."""
    rows = reputation_history_load(events=_ledger_events())
    # In a fixed order: the random visit days are drawn member by member, so a rerun
    # must meet the members in the same order to draw the same days (and add nothing).
    members = list(
        Member.objects.filter(
            email__startswith="member", email__endswith=f"@{content.DOMAIN}"
        ).order_by("pk")
    )
    demo = Member.objects.get(email=f"demo@{content.DOMAIN}")
    rng = random.Random(seed + 3)
    visits = list(_visits(members, rng=rng))
    newest = max((day for _member, day, _read in visits), default=timezone.now().date())
    visits += [(demo.pk, newest - timedelta(days=n), rng.randint(8, 15)) for n in (0, 3, 9)]
    member_visits_load(visits=visits)
    basic = rules.LEVEL_REQUIREMENTS[TrustLevel.BASIC][0].need  # days visited for Basic
    visited = dict(
        MemberVisit.objects.filter(member__in=[*members, demo])
        .values("member_id")
        .annotate(days=Count("pk"))
        .values_list("member_id", "days")
    )
    for member in [*members, demo]:
        if visited.get(member.pk, 0) >= basic:
            trust_level_evaluate(member=member)
    everyone = Member.objects.filter(pk__in=[m.pk for m in members] + [demo.pk])
    leader = everyone.filter(trust_level=TrustLevel.LEADER).first()
    if leader is None:  # the most trusted, then most reputed, demo member
        leader = everyone.exclude(pk=demo.pk).order_by("-trust_level", "-reputation").first()
        if leader is not None:
            admin = Member.objects.get(email=f"admin@{content.DOMAIN}")
            trust_level_grant_leader(member=leader, moderator=admin)
    levels = dict(
        everyone.values("trust_level").annotate(n=Count("pk")).values_list("trust_level", "n")
    )
    return DemoReputation(
        ledger_rows=rows,
        levels=levels,
        leader=leader.display_name if leader is not None else "",
    )


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
        started = time.perf_counter()
        reputation = demo_reputation_ensure(seed=seed)
        reputation_seconds = time.perf_counter() - started
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(
                f"seed_demo: {result.brands} brands, {result.products} products, "
                f"{result.members} demo members, {result.reviews} demo reviews "
                f"({result.created} new; {result.verified} verified, "
                f"{result.with_photos} with photos, {result.brand_replies} brand replies), "
                f"{result.clubs} clubs, {result.club_posts} club posts, {result.events} events, "
                f"{result.experts} new expert certificates in {result.seconds:.1f} s"
            )
            levels = ", ".join(
                f"{TrustLevel(level).label}: {count}"
                for level, count in sorted(reputation.levels.items())
            )
            self.stdout.write(
                f"seed_demo: reputation: {reputation.ledger_rows} new ledger rows, trust "
                f"levels {levels}; leader: {reputation.leader or '-'} "
                f"in {reputation_seconds:.1f} s"
            )
