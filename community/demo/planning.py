"""What the demo data will hold, decided in pure Python before anything is written:
member names, review and reply texts, how new reviews spread over products, and the plan
of each review. Deterministic for a given random generator; no database access here
(community.demo.seeding stores the plans).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from brand_clubs.models import Product
from community.demo import content
from community.errors import DomainError
from community.reviews.models import Review
from community.text import render_markdown


class DemoSeedError(DomainError):
    """The demo data cannot be seeded as asked (a negative count, too few members)."""


def member_profile(n: int) -> tuple[str, str]:
    """(display name, language) of demo member n; the same on every run."""
    rng = random.Random(f"member-{n}")
    if rng.random() < 0.5:
        if rng.random() < 0.75:
            return rng.choice(content.ZH_SURNAMES) + rng.choice(content.ZH_GIVEN), "zh"
        nick, surname = rng.choice(content.ZH_NICKS), rng.choice(content.ZH_SURNAMES)
        return f"{nick}{surname}{rng.randint(1, 99)}", "zh"
    first, last = rng.choice(content.EN_FIRST), rng.choice(content.EN_LAST)
    roll = rng.random()
    if roll < 0.6:
        return f"{first} {last}", "en"
    if roll < 0.85:
        return f"{first} {last[0]}.", "en"
    return f"{first.lower()}_{rng.choice(content.EN_HANDLES)}", "en"


class Writer:
    """Composes review texts from the templates, rendering each paragraph once."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._html: dict[str, str] = {}

    def html(self, paragraphs: list[str]) -> str:
        out = []
        for paragraph in paragraphs:
            html = self._html.get(paragraph)
            if html is None:
                html = self._html[paragraph] = render_markdown(paragraph)
            out.append(html)
        return "".join(out)

    def review(self, *, product: Product, category: str, rating: int, lang: str):
        rng, mood = self.rng, _sentiment(rating)
        names = {"product": product.name, "brand": product.brand.name}
        pros, cons = content.PROS[(lang, category)], content.CONS[(lang, category)]
        downside, fair, join = content.LABELS[lang]
        paragraphs = [rng.choice(content.OPENINGS[(lang, mood)]).format(**names)]
        if mood == "pos":
            good = rng.sample(pros, 2)
            paragraphs.append(
                "\n".join(f"- {s}" for s in good) if rng.random() < 0.2 else join.join(good)
            )
            if rng.random() < 0.3:
                paragraphs.append(downside + rng.choice(cons))
        elif mood == "mix":
            paragraphs.append(join.join([rng.choice(pros), rng.choice(cons)]))
        else:
            paragraphs.append(join.join(rng.sample(cons, 2)))
            if rng.random() < 0.4:
                paragraphs.append(fair + rng.choice(pros))
        if rng.random() < 0.7:
            paragraphs.append(rng.choice(content.CLOSINGS[(lang, mood)]).format(**names))
        title = rng.choice(content.TITLES[(lang, mood)])
        return title, "\n\n".join(paragraphs), self.html(paragraphs)

    def reply(self, *, product: Product, rating: int, lang: str) -> tuple[str, str]:
        mood = "pos" if rating >= 4 else "neg"
        body = self.rng.choice(content.REPLIES[(lang, mood)]).format(product=product.name)
        return body, self.html([body])


def _sentiment(rating: int) -> str:
    return "pos" if rating >= 4 else "mix" if rating == 3 else "neg"


@dataclass
class Planned:
    """One review to add, with its purchase code, votes, reply and photo count."""

    product: Product
    author_id: int
    rating: int
    language: str
    title: str
    body: str
    body_html: str
    created_at: datetime
    verified: bool
    voters: list[int]
    reply: tuple[int, str, str] | None  # (author id, body, html)
    photos: int
    review: Review | None = field(default=None)


def allocate(*, need: int, weights: list[float], caps: list[int]) -> list[int]:
    """Split `need` reviews over products by weight without exceeding any capacity."""
    alloc = [0] * len(weights)
    remaining = need
    for _round in range(10 * len(weights) + 10):
        active = [i for i in range(len(weights)) if alloc[i] < caps[i]]
        if remaining <= 0 or not active:
            break
        total = sum(weights[i] for i in active)
        shares = {i: min(caps[i] - alloc[i], int(remaining * weights[i] / total)) for i in active}
        if not any(shares.values()):  # fewer left than products: one each, heaviest first
            for i in sorted(active, key=lambda i: -weights[i])[:remaining]:
                shares[i] = 1
        for i, share in shares.items():
            alloc[i] += share
            remaining -= share
    if remaining:
        raise DemoSeedError(f"Could not place {remaining} reviews; add members or products.")
    return alloc


def plan_review(
    *,
    product: Product,
    author: int,
    quality: tuple[int, ...],
    language: str,
    members: list[int],
    reply_author: int,
    photos: bool,
    writer: Writer,
    now: datetime,
    rng: random.Random,
) -> Planned:
    """Everything about one new review, drawn from `rng` in a fixed order so that a seed
    always gives the same data: stars by the product's hidden quality, text, age, helpful
    voters, a brand reply (likelier for bad reviews), purchase proof and photo count."""
    rating = rng.choices((1, 2, 3, 4, 5), weights=quality)[0]
    if rng.random() < 0.1:  # most members write in their language; some switch
        language = "en" if language == "zh" else "zh"
    title, body, body_html = writer.review(
        product=product, category=product.category_slug, rating=rating, lang=language
    )
    # Recent months are busier; nothing older than two years.
    created_at = now - timedelta(seconds=int(730 * 86400 * rng.random() ** 1.7) + 60)
    helpful = min(60, int(rng.paretovariate(1.6)) - 1 + (rating <= 2 and rng.random() < 0.3))
    voters = [m for m in rng.sample(members, min(len(members), helpful + 1)) if m != author]
    reply = None
    if rng.random() < {1: 0.15, 2: 0.12, 3: 0.05}.get(rating, 0.02):
        reply = (reply_author, *writer.reply(product=product, rating=rating, lang=language))
    return Planned(
        product=product,
        author_id=author,
        rating=rating,
        language=language,
        title=title,
        body=body,
        body_html=body_html,
        created_at=created_at,
        verified=rng.random() < 0.3,
        voters=voters[:helpful],
        reply=reply,
        photos=(1 + (rng.random() < 0.4) + (rng.random() < 0.15)) if photos else 0,
    )
