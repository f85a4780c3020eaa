"""Writing the demo data: fixed objects found by slug or e-mail, then reviews added in bulk.

Idempotent: demo reviews are those written by member{n}@goodword.example, and only the
missing ones up to the number asked for are added. Fast: reviews, purchase codes, helpful
votes and brand replies are planned in Python, then bulk-inserted in batches of
BATCH_SIZE, each batch in its own transaction (an interrupted run keeps what it wrote and
the next run completes it). Markdown is rendered once per distinct paragraph, and each
product's rating summary is recounted once at the end with product_rating_recount, so it
always equals a full recount.
"""

import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import escape
from tqdm import tqdm
from wagtail.rich_text import RichText

from brand_clubs.models import (
    Brand,
    BrandStaff,
    Category,
    Club,
    ClubMembership,
    ClubPost,
    Event,
    EventRSVP,
    Product,
)
from brand_clubs.models.clubs import ContentStatus
from brand_clubs.services.clubs import (
    club_create,
    club_invite_create,
    club_invite_redeem,
    club_join,
    club_request_decide,
)
from brand_clubs.services.events import event_create, event_review_create, event_rsvp
from brand_clubs.services.feed import comment_create, post_approve, post_create, post_like
from brand_clubs.services.pages import club_page_ensure
from community.chat.services import (
    direct_room_open,
    message_send,
    reaction_toggle,
    room_for_club,
)
from community.demo import content
from community.demo.drawings import picture_file, review_photos
from community.demo.experts import demo_experts_ensure
from community.demo.planning import (
    DemoSeedError,
    Planned,
    Writer,
    allocate,
    member_profile,
    plan_review,
)
from community.members.models import Member
from community.reviews.models import BrandReply, HelpfulVote, PurchaseCode, Review, ReviewPhoto
from community.reviews.services import PURCHASE_CODE_ALPHABET, product_rating_recount
from search.services import index_rebuild

DOMAIN = content.DOMAIN
BATCH_SIZE = 2_000
_COLOURS = {slug: colours for slug, _n, _c, _d, colours, _i in content.BRANDS}


@dataclass(frozen=True)
class DemoSeedResult:
    """What the demo data holds after a run: enough for a one-line summary."""

    brands: int
    products: int
    members: int
    reviews: int  # demo reviews in the database, old and new
    created: int  # demo reviews added by this run
    verified: int
    with_photos: int
    brand_replies: int
    clubs: int
    club_posts: int
    events: int
    experts: int  # certificates created by this run
    seconds: float


def demo_seed(*, reviews: int, seed: int = 2025, progress: bool = False) -> DemoSeedResult:
    """Create or complete the demo data so that `reviews` demo reviews exist.

    The same seed gives the same data; running again adds nothing. `progress` shows a
    progress bar on stderr for runs of 1000 new reviews or more.
    """
    if reviews < 0:
        raise DemoSeedError("reviews must be 0 or more.")
    started = time.perf_counter()
    with transaction.atomic():
        accounts = demo_accounts_ensure()
        categories = demo_categories_ensure()
        brands, products, staff = demo_brands_ensure(categories=categories, staff=accounts["staff"])
    demo_images_ensure(brands=brands, products=products, rng=random.Random(seed + 1))
    members = demo_members_ensure(count=max(200, reviews // 20 + 1))
    created = demo_reviews_add(
        target=reviews,
        products=products,
        members=members,
        staff=staff,
        rng=random.Random(seed),
        progress=progress,
    )
    for product in products:
        product_rating_recount(product=product)
    clubs = demo_clubs_ensure(
        accounts=accounts, brands=brands, members=members, rng=random.Random(seed + 2)
    )
    experts = demo_experts_ensure(accounts=accounts, members=members)
    # bulk_create bypassed the search index's signals: index everything once, at the end.
    with tqdm(unit="doc", desc="search index", disable=not progress, file=sys.stderr) as bar:
        index_rebuild(progress=lambda done: bar.update(done - bar.n))
    demo = demo_reviews()
    return DemoSeedResult(
        brands=len(brands),
        products=len(products),
        members=len(members),
        reviews=demo.count(),
        created=created,
        verified=demo.filter(verified_purchase=True).count(),
        with_photos=demo.filter(photo_count__gt=0).count(),
        brand_replies=BrandReply.objects.filter(review__in=demo).count(),
        clubs=clubs.clubs,
        club_posts=clubs.posts,
        events=clubs.events,
        experts=experts,
        seconds=time.perf_counter() - started,
    )


def demo_reviews() -> models.QuerySet[Review]:
    """The demo reviews: not deleted, written by a numbered demo member."""
    return Review.objects.filter(
        author__email__startswith="member", author__email__endswith=f"@{DOMAIN}"
    ).exclude(status=Review.Status.DELETED)


# --- fixed objects ----------------------------------------------------------------------


def demo_accounts_ensure() -> dict[str, Member]:
    """The sign-in accounts (admin, demo, staff) by local part, with their known passwords;
    a password someone changed is kept."""
    accounts = {}
    for email, password, name, lang, is_admin in content.DEMO_ACCOUNTS:
        member, created = Member.objects.get_or_create(
            email=email,
            defaults={"display_name": name, "preferred_language": lang, "is_active": True},
        )
        if created or not member.has_usable_password():
            member.set_password(password)
        member.is_staff = member.is_superuser = is_admin
        member.save()
        accounts[email.split("@")[0]] = member
    return accounts


def demo_categories_ensure() -> dict[str, Category]:
    return {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in content.CATEGORIES
    }


def demo_brands_ensure(
    *, categories: dict[str, Category], staff: Member
) -> tuple[list[Brand], list[Product], dict[int, int]]:
    """Brands, their products (each tagged with `category_slug`) and, per brand id, the
    member id that signs its replies: `staff` administers the first brand, every other
    brand gets a team account without a password."""
    brands, products, signers = [], [], {}
    for index, (slug, name, category, description, _colours, items) in enumerate(content.BRANDS):
        brand, _created = Brand.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "verified": True}
        )
        brands.append(brand)
        if index == 0:
            member, role = staff, BrandStaff.Role.ADMIN
        else:
            member, _created = Member.objects.get_or_create(
                email=f"{slug}-team@{DOMAIN}",
                defaults={"display_name": f"{name} team", "password": make_password(None)},
            )
            role = BrandStaff.Role.STAFF
        BrandStaff.objects.get_or_create(brand=brand, member=member, defaults={"role": role})
        signers[brand.pk] = member.pk
        for product_slug, product_name in items:
            product, _created = Product.objects.get_or_create(
                brand=brand,
                slug=product_slug,
                defaults={
                    "name": product_name,
                    "category": categories[category],
                    "description": f"{product_name} · {brand.name}",
                },
            )
            product.category_slug = category
            products.append(product)
    return brands, products, signers


def demo_images_ensure(*, brands: list[Brand], products: list[Product], rng: random.Random) -> None:
    """Logos and product pictures, only where missing (their files too)."""
    categories = {slug: category for slug, _n, category, _d, _c, _i in content.BRANDS}
    for brand in brands:
        if brand.logo and brand.logo.storage.exists(brand.logo.name):
            continue
        picture = picture_file(
            label=brand.name,
            category=categories[brand.slug],
            colours=_COLOURS[brand.slug],
            rng=rng,
            size=(400, 400),
        )
        brand.logo.save(f"{brand.slug}.jpg", picture, save=False)
        Brand.objects.filter(pk=brand.pk).update(logo=brand.logo.name)
    for product in products:
        if product.image and product.image.storage.exists(product.image.name):
            continue
        picture = picture_file(
            label=product.name,
            category=product.category_slug,
            colours=_COLOURS[product.brand.slug],
            rng=rng,
        )
        product.image.save(f"{product.slug}.jpg", picture, save=False)
        Product.objects.filter(pk=product.pk).update(image=product.image.name)


def demo_members_ensure(*, count: int) -> list[int]:
    """Primary keys of demo members 1..count, creating the missing ones (no password)."""

    def existing() -> dict[str, int]:
        return dict(
            Member.objects.filter(
                email__startswith="member", email__endswith=f"@{DOMAIN}"
            ).values_list("email", "pk")
        )

    known = existing()
    missing = []
    for n in range(1, count + 1):
        if member_email(n) not in known:
            name, lang = member_profile(n)
            missing.append(
                Member(
                    email=member_email(n),
                    display_name=name,
                    preferred_language="zh-hans" if lang == "zh" else "en",
                    password=make_password(None),
                )
            )
    with transaction.atomic():
        Member.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    if missing:
        known = existing()
    return [known[member_email(n)] for n in range(1, count + 1)]


def member_email(n: int) -> str:
    return f"member{n}@{DOMAIN}"


# --- reviews: planned in Python first, then written in bulk ------------------------------


def demo_reviews_add(
    *,
    target: int,
    products: list[Product],
    members: list[int],
    staff: dict[int, int],
    rng: random.Random,
    progress: bool,
) -> int:
    """Add demo reviews until there are `target`; return how many were added.

    Each member reviews a product at most once; a few products collect most reviews and
    each product has a hidden quality that shapes its J-shaped star distribution.
    """
    need = target - demo_reviews().count()
    if need <= 0:
        return 0
    taken = set(demo_reviews().values_list("author_id", "product_id"))
    order = list(range(len(products)))
    rng.shuffle(order)
    weights = [0.0] * len(products)
    for rank, index in enumerate(order):
        weights[index] = 1 / (rank + 1) ** 0.9
    available = [[m for m in members if (m, p.pk) not in taken] for p in products]
    alloc = allocate(need=need, weights=weights, caps=[len(a) for a in available])
    quality = [rng.choice(content.RATING_WEIGHTS) for _p in products]
    pairs = [
        (index, author)
        for index, count in enumerate(alloc)
        for author in rng.sample(available[index], count)
    ]
    rng.shuffle(pairs)
    photo_target = min(30, target // 10) - demo_reviews().filter(photo_count__gt=0).count()
    with_photos = set(rng.sample(range(len(pairs)), max(0, min(photo_target, len(pairs)))))

    writer, now = Writer(rng), timezone.now()
    languages = {pk: member_profile(n)[1] for n, pk in enumerate(members, start=1)}
    bar = tqdm(
        total=need,
        unit="review",
        disable=not progress or need < 1000,
        file=sys.stderr,
        mininterval=0.5 if sys.stderr.isatty() else 10,
    )
    try:
        for start in range(0, len(pairs), BATCH_SIZE):
            batch = []
            for offset, (index, author) in enumerate(pairs[start : start + BATCH_SIZE]):
                product = products[index]
                batch.append(
                    plan_review(
                        product=product,
                        author=author,
                        quality=quality[index],
                        language=languages[author],
                        members=members,
                        reply_author=staff[product.brand_id],
                        photos=start + offset in with_photos,
                        writer=writer,
                        now=now,
                        rng=rng,
                    )
                )
            _write(batch, now=now, rng=rng)
            bar.update(len(batch))
    finally:
        bar.close()
    return len(pairs)


def _write(batch: list[Planned], *, now: datetime, rng: random.Random) -> None:
    """Insert one batch of planned reviews and their rows in one transaction."""
    prepared = {
        id(plan): review_photos(
            label=plan.product.name,
            category=plan.product.category_slug,
            colours=_COLOURS[plan.product.brand.slug],
            count=plan.photos,
            rng=rng,
        )
        for plan in batch
        if plan.photos
    }
    with (
        transaction.atomic(),
        _given_timestamps(Review, PurchaseCode, HelpfulVote, BrandReply, ReviewPhoto),
    ):
        for plan in batch:
            plan.review = Review(
                author_id=plan.author_id,
                product=plan.product,
                rating=plan.rating,
                title=plan.title,
                body=plan.body,
                body_html=plan.body_html,
                language=plan.language,
                verified_purchase=plan.verified,
                helpful_count=len(plan.voters),
                photo_count=plan.photos,
                created_at=plan.created_at,
            )
        Review.objects.bulk_create([plan.review for plan in batch], batch_size=BATCH_SIZE)
        codes, votes, replies, photos = [], [], [], []
        for plan in batch:
            review = plan.review
            if plan.verified:
                codes.append(
                    PurchaseCode(
                        brand_id=plan.product.brand_id,
                        code="DM" + _encode_code(review.pk),
                        batch="demo",
                        created_at=review.created_at - timedelta(days=rng.randint(3, 40)),
                        redeemed_by_id=review.author_id,
                        redeemed_at=review.created_at,
                        review=review,
                    )
                )
            for voter in plan.voters:
                voted_at = min(now, review.created_at + timedelta(hours=rng.randint(1, 2000)))
                votes.append(HelpfulVote(review=review, voter_id=voter, created_at=voted_at))
            if plan.reply:
                author_id, body, html = plan.reply
                replies.append(
                    BrandReply(
                        review=review,
                        brand_id=plan.product.brand_id,
                        author_id=author_id,
                        body=body,
                        body_html=html,
                        created_at=min(
                            now, review.created_at + timedelta(hours=rng.randint(2, 96))
                        ),
                    )
                )
            for position, photo in enumerate(prepared.get(id(plan), [])):
                row = ReviewPhoto(
                    review=review,
                    position=position,
                    width=photo.width,
                    height=photo.height,
                    created_at=review.created_at,
                )
                for field_name, file in photo.files.items():
                    getattr(row, field_name).save(file.name, file, save=False)
                photos.append(row)
        taken = set(
            PurchaseCode.objects.filter(code__in=[c.code for c in codes]).values_list(
                "code", flat=True
            )
        )
        for code in codes:  # a previous run's code for a reused primary key
            while code.code in taken:
                code.code = "DX" + "".join(rng.choices(PURCHASE_CODE_ALPHABET, k=10))
        PurchaseCode.objects.bulk_create(codes, batch_size=BATCH_SIZE)
        HelpfulVote.objects.bulk_create(votes, batch_size=BATCH_SIZE)
        BrandReply.objects.bulk_create(replies, batch_size=BATCH_SIZE)
        ReviewPhoto.objects.bulk_create(photos, batch_size=BATCH_SIZE)


@contextmanager
def _given_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the created_at we set (auto_now_add would overwrite it)."""
    fields = [model._meta.get_field("created_at") for model in model_classes]
    saved = [f.auto_now_add for f in fields]
    try:
        for f in fields:
            f.auto_now_add = False
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


def _encode_code(number: int, width: int = 10) -> str:
    """A purchase code's ten digits, derived from a review's primary key."""
    digits = []
    for _i in range(width):
        number, rest = divmod(number, len(PURCHASE_CODE_ALPHABET))
        digits.append(PURCHASE_CODE_ALPHABET[rest])
    return "".join(reversed(digits))


# --- clubs: a handful of rows, written through the services ----------------------------


@dataclass(frozen=True)
class DemoClubsResult:
    clubs: int
    posts: int
    events: int


def demo_clubs_ensure(
    *, accounts: dict[str, Member], brands: list[Brand], members: list[int], rng: random.Random
) -> DemoClubsResult:
    """The demo clubs with their published pages, members, feed and events.

    Idempotent: a club found by its slug keeps its members, feed and events; each part
    is only added where missing (no posts yet, no events yet), so a run that stopped
    half-way is completed by the next one. The services do the writing, so counters,
    check-in codes and owner memberships are what the site itself would make."""
    by_slug = {brand.slug: brand for brand in brands}
    people = {n: Member.objects.get(pk=pk) for n, pk in enumerate(members[:12], start=1)}
    clubs = []
    for brand_slug, slug, name, visibility, description, rules, welcome in content.CLUBS:
        brand = by_slug[brand_slug]
        owner = Member.objects.filter(brand_links__brand=brand).order_by("pk").first()
        club = Club.objects.filter(slug=slug).first()
        if club is None:
            club = club_create(
                actor=owner,
                brand=brand,
                name=name,
                slug=slug,
                visibility=visibility,
                description=description,
                rules=rules,
                cover=_demo_cover(brand=brand, label=name, rng=rng),
            )
        _demo_club_page(club=club, welcome=welcome)
        _demo_club_members(club=club, owner=owner, people=people, accounts=accounts)
        clubs.append((club, owner))
    for club, owner in clubs:
        if not club.posts.exists():
            _demo_club_posts(club=club, owner=owner, people=people, rng=rng)
    first_club, first_owner = clubs[0]
    if not first_club.events.exists():
        _demo_events(club=first_club, owner=first_owner, people=people)
    _demo_chat(club=first_club, owner=first_owner, people=people, demo=accounts["demo"])
    return DemoClubsResult(
        clubs=len(clubs),
        posts=ClubPost.objects.filter(club__in=[c for c, _o in clubs]).count(),
        events=Event.objects.filter(club__in=[c for c, _o in clubs]).count(),
    )


def _demo_cover(*, brand: Brand, label: str, rng: random.Random):
    category = next(c for slug, _n, c, _d, _col, _i in content.BRANDS if slug == brand.slug)
    return picture_file(
        label=label, category=category, colours=_COLOURS[brand.slug], rng=rng, size=(1200, 500)
    )


def _demo_club_page(*, club: Club, welcome: str) -> None:
    page = club_page_ensure(club=club)
    if page.live:
        return
    products = list(Product.objects.filter(brand_id=club.brand_id).order_by("pk")[:3])
    page.body = [
        ("paragraph", RichText(f"<p>{escape(welcome)}</p>")),
        ("products", {"heading": "Our products", "products": products}),
        ("upcoming_events", {"heading": "Upcoming events", "count": 3}),
    ]
    page.save_revision().publish()


def _demo_club_members(
    *, club: Club, owner: Member, people: dict[int, Member], accounts: dict[str, Member]
) -> None:
    """Public club: demo@ and members 1-5 join. Approval: members 6-7 are approved,
    demo@ waits. Invite-only: member 8 uses an invite. Others: two members each."""
    demo = accounts["demo"]
    index = [slug for _b, slug, *_rest in content.CLUBS].index(club.slug)
    if club.visibility == Club.Visibility.PUBLIC:
        joiners = [demo, *(people[n] for n in range(1, 6))] if index == 0 else [people[9]]
        for member in joiners:
            if not ClubMembership.objects.filter(club=club, member=member).exists():
                club_join(club=club, member=member)
    elif club.visibility == Club.Visibility.APPROVAL:
        approved = [people[6], people[7]] if index == 1 else [people[10], people[11]]
        for member in approved:
            if not ClubMembership.objects.filter(club=club, member=member).exists():
                club_join(club=club, member=member, message="I would love to join.")
                club_request_decide(club=club, actor=owner, member=member, approve=True)
        if index == 1 and not ClubMembership.objects.filter(club=club, member=demo).exists():
            club_join(club=club, member=demo, message="Weekend track driver, Golf GTI.")
    elif not ClubMembership.objects.filter(club=club, member=people[8]).exists():
        invite = club_invite_create(club=club, actor=owner, label="Demo tester")
        club_invite_redeem(token=invite.token, member=people[8])


def _demo_club_posts(
    *, club: Club, owner: Member, people: dict[int, Member], rng: random.Random
) -> None:
    posts = []
    for slug, author_n, body in content.CLUB_POSTS:
        if slug != club.slug:
            continue
        author = owner if author_n == 0 else people[author_n]
        kind = ClubPost.Kind.ANNOUNCEMENT if author_n == 0 else ClubPost.Kind.POST
        posts.append(post_create(club=club, author=author, body=body, kind=kind))
    # New members' posts wait for a moderator (trust level 2 skips that): the owner
    # approves all but the newest, which stays in the club's "Waiting for approval" list.
    pending = [post for post in posts if post.status == ContentStatus.PENDING]
    for post in pending[:-1]:
        post_approve(post=post, actor=owner)
    posts = [post for post in posts if post not in pending[-1:]]
    readers = list(
        Member.objects.filter(
            club_memberships__club=club, club_memberships__status=ClubMembership.Status.ACTIVE
        ).order_by("pk")
    )
    for post in posts:
        for reader in rng.sample(readers, min(len(readers), rng.randint(0, 3))):
            if reader.pk != post.author_id:
                post_like(post=post, member=reader)
        if rng.random() < 0.5 and readers:
            commenter = rng.choice(readers)
            comment_create(post=post, author=commenter, body=rng.choice(content.CLUB_COMMENTS))


def _demo_chat(*, club: Club, owner: Member, people: dict[int, Member], demo: Member) -> None:
    """A conversation in the first club's room (a reply, a mention of demo@, a
    reaction) and a direct conversation of demo@ with a club mate; once."""
    room = room_for_club(user=owner, club=club)
    if room.messages.exists():
        return
    authors = {0: owner, "demo": demo, **people}
    sent = []
    for author_key, body, reply_index in content.CLUB_CHAT:
        reply_to = sent[reply_index].pk if reply_index is not None else None
        sent.append(
            message_send(author=authors[author_key], room=room, body=body, reply_to_id=reply_to)
        )
    reaction_toggle(member=demo, message=sent[1], emoji="👍")
    direct = direct_room_open(sender=people[1], recipient=demo)
    for author_key, body in content.DIRECT_CHAT:
        message_send(author=authors[author_key], room=direct, body=body)


def _demo_events(*, club: Club, owner: Member, people: dict[int, Member]) -> None:
    """Two upcoming events (one small, with a waitlist) and one past event with
    check-ins and a review."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    skills = event_create(
        club=club,
        actor=owner,
        title="Wet-grip skills morning",
        description="Braking and cornering on a wet skid pan, with RoadGrip's test drivers.",
        starts_at=now + timedelta(days=10, hours=2),
        ends_at=now + timedelta(days=10, hours=5),
        time_zone="Europe/Berlin",
        format=Event.Format.OFFLINE,
        venue_name="Test track Nord",
        address="Ringstraße 5, Nürburg",
        capacity=3,
        visibility=Event.Visibility.PUBLIC,
    )
    for n in range(1, 6):  # three seats: two people end on the waitlist
        event_rsvp(event=skills, member=people[n])
    event_create(
        club=club,
        actor=owner,
        title="Winter tyres Q&A (online)",
        description="Our engineers answer your questions about winter tyres.",
        starts_at=now + timedelta(days=20, hours=18),
        ends_at=now + timedelta(days=20, hours=19),
        time_zone="Europe/Berlin",
        format=Event.Format.ONLINE,
        online_url="https://meet.example.com/roadgrip-winter",
        visibility=Event.Visibility.CLUB,
    )
    past = event_create(
        club=club,
        actor=owner,
        title="Spring coffee ride",
        description="An easy 80 km loop ending at the harbour café.",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=4),
        time_zone="Europe/Berlin",
        format=Event.Format.OFFLINE,
        venue_name="Harbour café",
        address="Hafenstraße 1, Hamburg",
        visibility=Event.Visibility.CLUB,
    )
    attendees = [people[1], people[2], people[3]]
    for member in attendees:
        event_rsvp(event=past, member=member)
    # It happened three weeks ago: move it back, mark the door check-ins, then review.
    started = now - timedelta(days=21)
    Event.objects.filter(pk=past.pk).update(starts_at=started, ends_at=started + timedelta(hours=4))
    EventRSVP.objects.filter(event=past, member__in=attendees[:2]).update(
        checked_in_at=started + timedelta(minutes=10), checked_in_by=owner
    )
    past.refresh_from_db()
    event_review_create(
        event=past,
        author=attendees[0],
        rating=5,
        body="Lovely route, great coffee, and the tyre clinic at the end was really useful.",
    )
