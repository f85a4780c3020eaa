"""Models of brand_clubs, one module per part: the catalogue (brands, products), clubs
(memberships, invites, the feed), events (RSVPs, check-in, albums, attendee reviews)
and the Wagtail club pages. Everything is importable from here."""

from brand_clubs.models.catalogue import (
    RATING_SUMMARY_FIELDS,
    Brand,
    BrandStaff,
    Category,
    Product,
    brand_logo_path,
    product_image_path,
)
from brand_clubs.models.clubs import (
    Club,
    ClubAuditEntry,
    ClubComment,
    ClubInvite,
    ClubMembership,
    ClubPost,
    ClubPostLike,
    ClubPostPhoto,
)
from brand_clubs.models.events import (
    Event,
    EventCalendarFeed,
    EventPhoto,
    EventReview,
    EventRSVP,
)
from brand_clubs.models.pages import ClubIndexPage, ClubPage

__all__ = [
    "RATING_SUMMARY_FIELDS",
    "Brand",
    "BrandStaff",
    "Category",
    "Club",
    "ClubAuditEntry",
    "ClubComment",
    "ClubIndexPage",
    "ClubInvite",
    "ClubMembership",
    "ClubPage",
    "ClubPost",
    "ClubPostLike",
    "ClubPostPhoto",
    "Event",
    "EventCalendarFeed",
    "EventPhoto",
    "EventRSVP",
    "EventReview",
    "Product",
    "brand_logo_path",
    "product_image_path",
]
