"""How much slower is a club feed page with 50 posts than a bare Django view?

    python -m bench.club_feed [--db sqlite|postgres|all] [--seconds S]

For each database: a fresh database, migrate, then a public club seeded through the
services with 50 posts (one photo each on every second post, two comments and three likes
each, one pinned, one announcement), then ONE Daphne process (bench.settings: DEBUG off,
CLUB_FEED_PAGE_SIZE=50 so the whole feed is one page) serving the feed to an anonymous
visitor and bench/bare/. Rounds alternate between the two URLs so that machine noise
hits both; the median requests per second of each and their ratio are printed.
"""

import io
import json
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

NAME = "club_feed"
POSTS = 50
MEMBERS = 12
POST_MARKER = b'id="post-'  # one per <article> in templates/brand_clubs/_post.html


def _seed_only() -> None:
    """Child process: build the club through the services; print the feed's path."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from brand_clubs.models import Brand, BrandStaff, Club
    from brand_clubs.services.clubs import club_create, club_join
    from brand_clubs.services.feed import comment_create, post_create, post_like, post_pin
    from community.members.models import Member
    from community.reputation.rules import TrustLevel

    # Seeding writes far faster than any member could: lift the write limits here only.
    settings.WRITE_RATE_LIMITS = {
        action: (10**9, period) for action, (_limit, period) in settings.WRITE_RATE_LIMITS.items()
    }

    def photo(index: int) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 900), (40 + index * 3 % 200, 90, 160)).save(buffer, "JPEG")
        return SimpleUploadedFile(f"ride-{index}.jpg", buffer.getvalue(), "image/jpeg")

    brand = Brand.objects.create(name="Bench Motors", slug="bench-motors")
    owner = Member.objects.create_user("owner@bench.example", "x", display_name="Owner")
    BrandStaff.objects.create(brand=brand, member=owner, role=BrandStaff.Role.ADMIN)
    club = club_create(
        actor=owner,
        brand=brand,
        name="Bench riders",
        slug="bench-riders",
        visibility=Club.Visibility.PUBLIC,
        description="Riders who measure things.",
    )
    # Trust level 2 (Member): their posts, with photos, go up without pre-moderation.
    members = [
        Member.objects.create_user(
            f"rider{i}@bench.example", "x", display_name=f"Rider {i}", trust_level=TrustLevel.MEMBER
        )
        for i in range(MEMBERS)
    ]
    for member in members:
        club_join(club=club, member=member)
    posts = []
    for index in range(POSTS):
        author = members[index % MEMBERS]
        if index == POSTS - 1:
            post = post_create(
                club=club, author=owner, body="**Announcement**: spring ride.", kind="announcement"
            )
        else:
            post = post_create(
                club=club,
                author=author,
                body=f"Ride report {index}: *dry roads*, 240 km, two coffee stops. 骑行很愉快。",
                photos=[photo(index)] if index % 2 == 0 else [],
            )
        for offset in (1, 2):
            comment_create(
                post=post,
                author=members[(index + offset) % MEMBERS],
                body=f"Nice one #{offset}!",
            )
        for offset in (3, 4, 5):
            post_like(post=post, member=members[(index + offset) % MEMBERS])
        posts.append(post)
    post_pin(post=posts[0], actor=owner, pinned=True)
    print(json.dumps({"path": f"/clubs/{club.slug}/feed/", "posts": len(posts)}))


def _check_feed(status: int, body: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    found = body.count(POST_MARKER)
    if found != POSTS:
        return f"{found} posts instead of {POSTS}"
    return None


def bench_database(kind: str, seconds: float) -> str:
    database_url = fresh_database(kind, name=NAME)
    try:
        env = _env(database_url)
        env["CLUB_FEED_PAGE_SIZE"] = str(POSTS)
        env["PRIVATE_MEDIA_ROOT"] = str(DATA / "private_media")
        feed_path = migrate_and_seed(env, "bench.club_feed")["path"]
        log = DATA / f"daphne-{NAME}-{kind}.log"
        page, baseline = serve_and_measure(
            env, log=log, path=feed_path, check=_check_feed, seconds=seconds
        )
    finally:
        drop_database(kind, name=NAME)
    return ratio_line(f"club feed ({POSTS} posts) {kind}", page, baseline)


def main(argv=None) -> int:
    return page_bench_main(
        argv,
        doc=__doc__,
        label=f"club feed ({POSTS} posts)",
        bench_database=bench_database,
        seed_only=_seed_only,
    )


if __name__ == "__main__":
    sys.exit(main())
