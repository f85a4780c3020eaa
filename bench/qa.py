"""How much slower is a question page with 30 answers than a bare Django view?

    python -m bench.qa [--db sqlite|postgres|all] [--seconds S]

For each database: a fresh database, migrate, then one question about a product seeded
through the services (experts.services.questions): 30 answers, a third of them by
certified experts of every tier (brand staff labelled "Brand employee · <brand>"),
three up votes on each answer and a down vote with its reason on every fifth, a
comment on every answer and three on the question, and the asker's accepted answer.
Then ONE Daphne process (bench.settings: DEBUG off) serving the question page to an
anonymous visitor (all 30 answers on one page) and bench/bare/. Rounds alternate
between the two URLs so that machine noise hits both; the median requests per second
of each and their ratio are printed, one line per database.
"""

import json
import re
import sys

from bench.product_page import (
    DATA,
    _env,
    drop_database,
    fresh_database,
    migrate_and_seed,
    page_bench_main,
    ratio_line,
    serve_and_measure,
)

NAME = "qa"
ANSWERS = 30
EXPERT_EVERY = 3  # every third answer is by a certified expert
VOTERS = 8
ANSWER_RE = re.compile(rb'id="answer-\d')  # one per <article> in experts/questions/_answer.html


def _seed_only() -> None:
    """Child process: build the question through the services; print its path."""
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from brand_clubs.models import Brand, BrandStaff, Category, Product
    from community.members.models import Member
    from community.reputation.rules import TrustLevel
    from experts.models import Certificate, ExpertProfile, Tier, Vote
    from experts.selectors.questions import ANSWERS_PER_PAGE
    from experts.services.badges import expert_badge_refresh
    from experts.services.questions import (
        answer_accept,
        answer_create,
        comment_create,
        question_ask,
        vote_cast,
    )

    # Seeding writes far faster than any member could: lift the write limits here only,
    # and keep the notification e-mails out of stdout.
    settings.WRITE_RATE_LIMITS = {
        action: (10**9, period) for action, (_limit, period) in settings.WRITE_RATE_LIMITS.items()
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    category = Category.objects.create(name="Bicycle tyres", slug="bicycle-tyres")
    brand = Brand.objects.create(name="Bench Tyres", slug="bench-tyres")
    product = Product.objects.create(
        brand=brand, category=category, name="Gravel King 40", slug="gravel-king-40"
    )

    def member(email: str, name: str) -> Member:
        # Basic (trust level 1): the seeded answers carry links and photos.
        return Member.objects.create_user(
            email, "x", display_name=name, trust_level=TrustLevel.BASIC
        )

    def certify(person: Member, tier: str) -> None:
        now = timezone.now()
        certificate = Certificate.objects.create(
            member=person,
            tier=tier,
            employer=brand if tier == Tier.BRAND_STAFF else None,
            headline=f"{tier.replace('_', ' ').title()} in tyres",
            first_issued_at=now,
            verified_at=now,
            checks=["identity", "experience"],
            expires_at=now + timedelta(days=365),
        )
        certificate.categories.set([category])
        if tier == Tier.BRAND_STAFF:
            BrandStaff.objects.create(brand=brand, member=person, role=BrandStaff.Role.STAFF)
        ExpertProfile.objects.get_or_create(member=person)
        expert_badge_refresh(member_id=person.pk)

    tiers = [Tier.INDEPENDENT, Tier.PRACTITIONER, Tier.BRAND_STAFF]
    asker = member("asker@bench.example", "Asker")
    authors = []
    for index in range(ANSWERS):
        person = member(f"answerer{index}@bench.example", f"Answerer {index}")
        if index % EXPERT_EVERY == 0:
            certify(person, tiers[(index // EXPERT_EVERY) % len(tiers)])
            person.refresh_from_db()
        authors.append(person)
    voters = [member(f"voter{i}@bench.example", f"Voter {i}") for i in range(VOTERS)]

    question = question_ask(
        author=asker,
        title="Which pressure for 40 mm gravel tyres in the wet?",
        body="I ride **mixed** surfaces, 75 kg with luggage. 雨天骑行时胎压应该降低多少。",
        product=product,
    )
    answers = []
    for index, author in enumerate(authors):
        answer = answer_create(
            author=author,
            question=question,
            body=(
                f"Answer {index}: start at **{30 + index % 10} psi** and drop 10% in the wet.\n\n"
                "- check the rim's maximum\n- tubeless lets you go lower\n\n"
                "See [the chart](https://example.com/chart). 湿地上可以再降低一点。"
            ),
        )
        answers.append(answer)
        comment_create(author=asker, answer=answer, body=f"Thanks, answer {index} helps.")
        for offset in range(3):
            vote_cast(voter=voters[(index + offset) % VOTERS], target=answer, value=Vote.UP)
        if index % 5 == 0:
            vote_cast(
                voter=voters[(index + 3) % VOTERS],
                target=answer,
                value=Vote.DOWN,
                reason=Vote.Reason.NO_SOURCES,
            )
    for offset in range(3):
        comment_create(author=voters[offset], question=question, body="Same question here.")
    answer_accept(member=asker, answer=answers[0])
    print(
        json.dumps(
            {
                "path": question.get_absolute_url(),
                "answers": min(ANSWERS, ANSWERS_PER_PAGE),
            }
        )
    )


def _checker(expected: int):
    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}"
        found = len(ANSWER_RE.findall(body))
        if found != expected:
            return f"{found} answers instead of {expected}"
        return None

    return check


def bench_database(kind: str, seconds: float) -> str:
    database_url = fresh_database(kind, name=NAME)
    try:
        env = _env(database_url)
        env["PRIVATE_MEDIA_ROOT"] = str(DATA / "private_media")
        seeded = migrate_and_seed(env, "bench.qa")
        path, check = seeded["path"], _checker(seeded["answers"])
        log = DATA / f"daphne-{NAME}-{kind}.log"
        page, baseline = serve_and_measure(env, log=log, path=path, check=check, seconds=seconds)
    finally:
        drop_database(kind, name=NAME)
    return ratio_line(f"question page ({ANSWERS} answers) {kind}", page, baseline)


def main(argv=None) -> int:
    return page_bench_main(
        argv,
        doc=__doc__,
        label=f"question page ({ANSWERS} answers)",
        bench_database=bench_database,
        seed_only=_seed_only,
    )


if __name__ == "__main__":
    sys.exit(main())
