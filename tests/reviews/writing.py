"""Writing reviews through the service with sensible defaults, for the review tests."""

from community.reviews import services
from community.reviews.models import Review


def create(author, product, **kwargs) -> Review:
    kwargs.setdefault("rating", 4)
    kwargs.setdefault("title", "Solid choice")
    kwargs.setdefault("body", "Does exactly what it says.")
    return services.review_create(author=author, product=product, **kwargs)


def update(review, editor, **kwargs) -> Review:
    kwargs.setdefault("rating", review.rating)
    kwargs.setdefault("title", review.title)
    kwargs.setdefault("body", review.body)
    return services.review_update(review=review, editor=editor, **kwargs)
