"""The ONLY place that knows what earns points, how many, and the limits.

Services elsewhere say what happened (`reputation_record(member=, reason=, source=,
...)`); this module says what it is worth. Changing a value means raising
RULE_VERSION: every ledger row keeps the version it was recorded under, so a member
can see why an old row differs from today's rules. Why these values:
docs/decisions/0007-reputation-ledger.md."""

import math
from collections.abc import Iterable
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

RULE_VERSION = 1

# Everyone starts with 1 point and never has fewer (a floor, as on Stack Exchange: a
# new member who is down-voted has nothing to lose yet).
STARTING_POINTS = 1
FLOOR = 1

# Points from votes per member per UTC day; accepted answers are exempt.
DAILY_VOTE_CAP = 200

# The serial-voting job: this many votes from one member on one author's content
# within the window are treated as serial voting and their points reversed.
SERIAL_VOTES = 5
SERIAL_WINDOW_HOURS = 24


class Reason(models.TextChoices):
    REVIEW_HELPFUL = "review_helpful", _("Your review was marked helpful")
    ANSWER_UPVOTED = "answer_upvoted", _("Your answer was voted up")
    ANSWER_DOWNVOTED = "answer_downvoted", _("Your answer was voted down")
    ANSWER_ACCEPTED = "answer_accepted", _("Your answer was accepted")
    ACCEPTED_AN_ANSWER = "accepted_answer", _("You accepted an answer to your question")
    QUESTION_UPVOTED = "question_upvoted", _("Your question was voted up")
    EVENT_ATTENDED = "event_attended", _("You attended an event")
    POST_LIKED = "post_liked", _("Your club post was liked")
    # Reversals (the row names the row it reverses).
    UNDONE = "undone", _("The vote or acceptance was withdrawn")
    CONTENT_REMOVED = "content_removed", _("Removed by a moderator")
    CONTENT_RESTORED = "content_restored", _("Restored by a moderator")
    SERIAL_VOTING = "serial_voting", _("Serial voting reversed")
    CONTENT_DELETED = "content_deleted", _("You deleted it")
    # Trust level changes (no points; the row records the new level).
    LEVEL_PROMOTED = "level_promoted", _("You reached a new trust level")
    LEVEL_DEMOTED = "level_demoted", _("Your trust level went down")
    LEVEL_GRANTED = "level_granted", _("A moderator changed your trust level")


# Points of each earning reason. A review marked helpful is worth more when it is a
# verified purchase or expert-checked (the larger applies): see review_helpful_points.
POINTS = {
    Reason.REVIEW_HELPFUL: 10,
    Reason.ANSWER_UPVOTED: 10,
    Reason.ANSWER_DOWNVOTED: -2,
    Reason.ANSWER_ACCEPTED: 15,
    Reason.ACCEPTED_AN_ANSWER: 2,
    Reason.QUESTION_UPVOTED: 5,
    Reason.EVENT_ATTENDED: 5,
    Reason.POST_LIKED: 2,
}
REVIEW_HELPFUL_VERIFIED = 15
REVIEW_HELPFUL_EXPERT_CHECKED = 20

# A moderator's removal costs this on top of reversing what the content earned.
CONTENT_REMOVED_PENALTY = -100

# Reasons whose gains count toward DAILY_VOTE_CAP (votes of others on one's content).
VOTE_REASONS = frozenset(
    {
        Reason.REVIEW_HELPFUL,
        Reason.ANSWER_UPVOTED,
        Reason.ANSWER_DOWNVOTED,
        Reason.QUESTION_UPVOTED,
        Reason.POST_LIKED,
    }
)

# Reasons that only ever appear on reversal rows (or, for CONTENT_REMOVED, the penalty).
REVERSAL_REASONS = frozenset(
    {
        Reason.UNDONE,
        Reason.CONTENT_REMOVED,
        Reason.CONTENT_RESTORED,
        Reason.SERIAL_VOTING,
        Reason.CONTENT_DELETED,
    }
)

# Reasons the serial-voting job looks at: votes, and check-ins (one staff member checking
# the same person in at event after event is the same pattern).
SERIAL_REASONS = VOTE_REASONS | {Reason.EVENT_ATTENDED}


def points_for(reason: str) -> int:
    return POINTS[reason]


def review_helpful_points(*, verified_purchase: bool, expert_checked: bool) -> int:
    if expert_checked:
        return REVIEW_HELPFUL_EXPERT_CHECKED
    if verified_purchase:
        return REVIEW_HELPFUL_VERIFIED
    return POINTS[Reason.REVIEW_HELPFUL]


def published_rules() -> list[tuple[str, int]]:
    """What each thing is worth, for the page that explains points to members."""
    return [
        (Reason.REVIEW_HELPFUL.label, POINTS[Reason.REVIEW_HELPFUL]),
        (_("Your review was marked helpful (verified purchase)"), REVIEW_HELPFUL_VERIFIED),
        (_("Your review was marked helpful (checked by an expert)"), REVIEW_HELPFUL_EXPERT_CHECKED),
        *((reason.label, POINTS[reason]) for reason in list(POINTS)[1:]),
        (
            _("Your content was removed by a moderator (besides losing what it earned)"),
            CONTENT_REMOVED_PENALTY,
        ),
    ]


# ---------------------------------------------------------------------------------------
# Trust levels. Requirements are computed from the member's own activity
# (community/reputation/trust.py) and published on /reputation/ requirement by
# requirement. Levels 1 and 2 are kept once reached; level 3 is re-checked over a
# rolling window and lost only after failing it for TRUST_DEMOTION_GRACE_DAYS; level 4
# is granted and withdrawn by moderators only. Why these values: ADR 0008.
# ---------------------------------------------------------------------------------------


class TrustLevel(models.IntegerChoices):
    NEW = 0, _("New")
    BASIC = 1, _("Basic")
    MEMBER = 2, _("Member")
    REGULAR = 3, _("Regular")
    LEADER = 4, _("Leader")


class Stat(models.TextChoices):
    """What the requirements count; trust.py knows how to count each."""

    DAYS_VISITED = "days_visited", _("days visited")
    ITEMS_READ = "items_read", _("reviews, posts and answers read")
    HELPFUL_GIVEN = "helpful_given", _("helpful votes and likes given")
    HELPFUL_RECEIVED = "helpful_received", _("helpful votes and likes received")
    CONTRIBUTIONS = "contributions", _("reviews, club posts and answers written")
    FLAGS_AGREED = "flags_agreed", _("flags a moderator agreed with")
    CONTENT_REMOVED = "content_removed", _("posts removed by moderators")
    SUSPENSIONS = "suspensions", _("bans from a club")


class Requirement(NamedTuple):
    stat: str
    need: int
    # At least `need`, or, for the things that count against a member, at most `need`.
    at_most: bool = False


# The window level 3 is measured over (Discourse's "last 100 days").
REGULAR_WINDOW_DAYS = 100
TRUST_DEMOTION_GRACE_DAYS = 14

LEVEL_REQUIREMENTS: dict[int, tuple[Requirement, ...]] = {
    TrustLevel.BASIC: (
        Requirement(Stat.DAYS_VISITED, 2),
        Requirement(Stat.ITEMS_READ, 20),
    ),
    TrustLevel.MEMBER: (
        Requirement(Stat.DAYS_VISITED, 15),
        Requirement(Stat.ITEMS_READ, 100),
        Requirement(Stat.HELPFUL_GIVEN, 1),
        Requirement(Stat.HELPFUL_RECEIVED, 1),
        Requirement(Stat.CONTRIBUTIONS, 3),
    ),
    # Counted over the last REGULAR_WINDOW_DAYS days.
    TrustLevel.REGULAR: (
        Requirement(Stat.DAYS_VISITED, 50),
        Requirement(Stat.ITEMS_READ, 500),
        Requirement(Stat.HELPFUL_GIVEN, 30),
        Requirement(Stat.HELPFUL_RECEIVED, 20),
        Requirement(Stat.CONTRIBUTIONS, 10),
        Requirement(Stat.FLAGS_AGREED, 1),
        Requirement(Stat.CONTENT_REMOVED, 2, at_most=True),
        Requirement(Stat.SUSPENSIONS, 0, at_most=True),
    ),
}
WINDOWED_LEVELS = frozenset({TrustLevel.REGULAR})


class Privilege(models.TextChoices):
    POST_LINKS = "post_links", _("Post links")
    POST_MANY_PHOTOS = "post_many_photos", _("Add more than one photo to a post")
    WEIGHTED_FLAGS = "weighted_flags", _("Flags that count double")
    SKIP_PREMODERATION = "skip_premoderation", _("Post without waiting for a moderator")
    EDIT_WIKI = "edit_wiki", _("Improve community wiki answers")
    VIEW_MODERATION_QUEUE = "view_moderation_queue", _("See the moderation queue")
    MODERATE_OWN_CLUBS = "moderate_own_clubs", _("Moderate in your clubs")


PRIVILEGE_LEVELS: dict[str, int] = {
    Privilege.POST_LINKS: TrustLevel.BASIC,
    Privilege.POST_MANY_PHOTOS: TrustLevel.BASIC,
    Privilege.WEIGHTED_FLAGS: TrustLevel.MEMBER,
    Privilege.SKIP_PREMODERATION: TrustLevel.MEMBER,
    Privilege.EDIT_WIKI: TrustLevel.REGULAR,
    Privilege.VIEW_MODERATION_QUEUE: TrustLevel.REGULAR,
    Privilege.MODERATE_OWN_CLUBS: TrustLevel.LEADER,
}

# Photos on one post below POST_MANY_PHOTOS (reviews, club posts, answers).
PHOTOS_BEFORE_BASIC = 1


def flag_weight(trust_level: int) -> int:
    """How much one member's flag counts toward hiding content for review: members who
    have shown judgement (level 2+) count double, as on Discourse."""
    return 2 if trust_level >= PRIVILEGE_LEVELS[Privilege.WEIGHTED_FLAGS] else 1


def has_privilege(trust_level: int, privilege: str) -> bool:
    return trust_level >= PRIVILEGE_LEVELS[privilege]


# ---------------------------------------------------------------------------------------
# Weighted word of mouth. Beside the plain average, a product shows a score in which
# each published review counts by how far it can be trusted; community/reviews/
# trust_score.py fetches the facts about each review and these functions say what they
# are worth. Every factor is at least 1 except recency, so a plain, fresh review by a
# newcomer counts exactly 1 and no visible review is ever ignored: the largest weight
# (verified, expert-checked, veteran, fresh, much found helpful) is 1.5 * 1.5 * 2 * 1 * 2
# = 9, the smallest (an old plain review) 0.25. Changing a value here changes the scores
# shown at once (nothing is stored), and the "How is this calculated?" page reads these
# constants, so it always tells the truth.
# ---------------------------------------------------------------------------------------

# The reviewer redeemed a purchase code the brand handed to a buyer: they own the
# product, which is most of what an honest review needs.
WEIGHT_VERIFIED_PURCHASE = 1.5

# A certified expert in the product's field checked the review and wrote what they
# found (an Endorsement shown on pages: published review, active expert, certificate
# not revoked or suspended). An endorsement by an employee of the product's own brand is
# shown with its label but does not lift the weight: a brand must not raise its own
# score. Not cumulative: a second expert confirms, but the review is still one opinion.
WEIGHT_EXPERT_CHECKED = 1.5

# The reviewer's reputation in the product's field (ReputationScore of the product's
# category; points others gave their reviews and answers there). Logarithmic, so that
# the first points matter (10 points: x1.35) and each further factor of ten adds the
# same; capped at x2 (999 points) so that no veteran outweighs many ordinary buyers.
# A negative or missing score counts as 0 (x1): a field newcomer is not penalised.
WEIGHT_REPUTATION_MAX_EXTRA = 1.0
WEIGHT_REPUTATION_DECADES = 3.0

# Recency: products are revised and batches change, so a review's weight halves every
# year; the floor keeps an old review worth a quarter (long-term durability reports
# are still useful, and a product with only old reviews still gets a score).
WEIGHT_HALF_LIFE_DAYS = 365
WEIGHT_RECENCY_FLOOR = 0.25

# Helpfulness: 1 + h / (h + 5). The first votes say most (5 votes: x1.5) and it never
# exceeds x2, so a review cannot be voted into dominance (the daily vote cap and the
# serial-voting job already limit vote rings).
WEIGHT_HELPFUL_PIVOT = 5

# Little evidence. Below WEIGHTED_MIN_REVIEWS reviews no weighted score is shown: with
# one review it always equals the plain average, with two one reviewer's factors decide
# all of the difference. Above it, the plain average enters as WEIGHTED_PRIOR_WEIGHT
# pseudo-reviews (a Bayesian shrink), so a score resting on a small total weight (a few
# old, unverified reviews) stays close to the plain average instead of swinging with
# one well-weighted review; as weight accumulates the prior fades out. A total weight
# below WEIGHTED_LOW_EVIDENCE (three fresh plain reviews' worth) is shown as "little
# evidence".
WEIGHTED_MIN_REVIEWS = 3
WEIGHTED_PRIOR_WEIGHT = 2.0
WEIGHTED_LOW_EVIDENCE = 3.0


class WeightFactors(NamedTuple):
    """Each factor of one review's weight, for the "How is this calculated?" table."""

    verified: float
    expert: float
    reputation: float
    recency: float
    helpfulness: float

    @property
    def weight(self) -> float:
        return self.verified * self.expert * self.reputation * self.recency * self.helpfulness


def review_weight_factors(
    *,
    verified_purchase: bool,
    expert_checked: bool,
    field_reputation: int | None,
    age_days: float,
    helpful_count: int,
) -> WeightFactors:
    reputation = max(0, field_reputation or 0)
    age = max(0.0, float(age_days))  # a clock slightly ahead is "now", not a bonus
    helpful = max(0, helpful_count or 0)
    return WeightFactors(
        verified=WEIGHT_VERIFIED_PURCHASE if verified_purchase else 1.0,
        expert=WEIGHT_EXPERT_CHECKED if expert_checked else 1.0,
        reputation=1.0
        + min(WEIGHT_REPUTATION_MAX_EXTRA, math.log10(1 + reputation) / WEIGHT_REPUTATION_DECADES),
        recency=max(WEIGHT_RECENCY_FLOOR, 0.5 ** (age / WEIGHT_HALF_LIFE_DAYS)),
        helpfulness=1.0 + helpful / (helpful + WEIGHT_HELPFUL_PIVOT),
    )


def review_weight(
    *,
    verified_purchase: bool,
    expert_checked: bool,
    field_reputation: int | None,
    age_days: float,
    helpful_count: int,
) -> float:
    """How much one published review counts in its product's weighted score."""
    return review_weight_factors(
        verified_purchase=verified_purchase,
        expert_checked=expert_checked,
        field_reputation=field_reputation,
        age_days=age_days,
        helpful_count=helpful_count,
    ).weight


class WeightedScore(NamedTuple):
    score: float | None  # None below `min_reviews` reviews
    plain: float | None  # the plain average; None without reviews
    count: int
    total_weight: float
    low_evidence: bool


def weighted_average(
    pairs: Iterable[tuple[int, float]], *, min_reviews: int = WEIGHTED_MIN_REVIEWS
) -> WeightedScore:
    """The trust-weighted score of (rating, weight) pairs: the weighted mean shrunk
    toward the plain mean by WEIGHTED_PRIOR_WEIGHT (see above)."""
    count = 0
    rating_sum = 0.0
    weight_sum = 0.0
    weighted_sum = 0.0
    for rating, weight in pairs:
        weight = max(0.0, float(weight))
        count += 1
        rating_sum += rating
        weight_sum += weight
        weighted_sum += rating * weight
    if not count:
        return WeightedScore(None, None, 0, 0.0, True)
    plain = rating_sum / count
    score = None
    if count >= max(1, min_reviews):
        prior = WEIGHTED_PRIOR_WEIGHT
        score = (weighted_sum + prior * plain) / (weight_sum + prior)
    return WeightedScore(score, plain, count, weight_sum, weight_sum < WEIGHTED_LOW_EVIDENCE)
