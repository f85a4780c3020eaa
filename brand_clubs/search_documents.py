"""Products and brands in search (and in autocomplete); clubs, club posts and events."""

import html

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Brand, Category, Club, ClubPage, ClubPost, Event, Product
from community.text import detect_language
from search.documents import PUBLIC, DocumentType, IndexDocument, visibility_club
from search.registry import register


def plain_text(rendered_html: str) -> str:
    """What a reader sees of stored HTML: no tags, entities decoded."""
    return html.unescape(strip_tags((rendered_html or "").replace("</p>", "</p>\n"))).strip()


@register
class ProductDocument(DocumentType):
    name = "product"
    model = Product
    label = _("Products")

    def get_queryset(self):
        return Product.objects.select_related("brand", "category")

    def to_document(self, obj) -> IndexDocument:
        category = obj.category.name if obj.category_id else ""
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=obj.name,
            body=obj.description,
            context=f"{obj.brand.name} {category}".strip(),
            url=obj.get_absolute_url(),
            created=obj.created_at,
            visibility=[PUBLIC],
            brand=obj.brand.slug,
            brand_name=obj.brand.name,
            product_id=obj.pk,
            suggest=f"{obj.name} {obj.brand.name}",
        )

    def dependencies(self):
        return {
            Brand: lambda brand: Product.objects.filter(brand=brand).values_list("pk", flat=True),
            Category: lambda category: Product.objects.filter(category=category).values_list(
                "pk", flat=True
            ),
        }


@register
class BrandDocument(DocumentType):
    name = "brand"
    model = Brand
    label = _("Brands")

    def to_document(self, obj) -> IndexDocument:
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=obj.name,
            body=obj.description,
            url=obj.get_absolute_url(),
            created=obj.created_at,
            visibility=[PUBLIC],
            brand=obj.slug,
            brand_name=obj.name,
            suggest=obj.name,
        )


# --- clubs, their feeds and events ----------------------------------------------------
#
# A club's existence is public (the directory lists every club), so its document is
# public. Posts of private clubs, and every event that is not public (including
# members-only events of public clubs), carry the key "club:<id>": search.services adds
# that key for the club's active members and its brand's staff, at query time, so a
# removed member loses access with the next search.


def club_page_text(club: Club) -> str:
    """The readable text of the club's live landing page (drafts stay out)."""
    page = getattr(club, "page", None)
    if page is None or not page.live:
        return ""
    parts = []
    for block in page.body:
        if block.block_type in ("heading", "paragraph"):
            value = block.value.source if hasattr(block.value, "source") else block.value
            parts.append(plain_text(str(value)))
        elif block.block_type == "products":
            if block.value.get("heading"):
                parts.append(block.value["heading"])
            parts.extend(product.name for product in block.value["products"] if product)
    return "\n".join(part for part in parts if part)


@register
class ClubDocument(DocumentType):
    name = "club"
    model = Club
    label = _("Clubs")

    def get_queryset(self):
        return Club.objects.select_related("brand", "page")

    def to_document(self, obj) -> IndexDocument:
        body = "\n".join(part for part in (obj.description, club_page_text(obj)) if part)
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=obj.name,
            body=body,
            context=obj.brand.name,
            url=obj.get_absolute_url(),
            language=detect_language(f"{obj.name} {body}"),
            created=obj.created_at,
            visibility=[PUBLIC],
            brand=obj.brand.slug,
            brand_name=obj.brand.name,
            suggest=obj.name,
        )

    def dependencies(self):
        return {
            Brand: lambda brand: Club.objects.filter(brand=brand).values_list("pk", flat=True),
            # Publishing saves the page row (sender ClubPage); drafts only add revisions.
            ClubPage: lambda page: [page.club_id] if page.club_id else [],
        }


def club_visibility(club: Club) -> list[str]:
    return [visibility_club(club.pk)] if club.is_private else [PUBLIC]


@register
class ClubPostDocument(DocumentType):
    name = "club_post"
    model = ClubPost
    label = _("Club posts")

    def get_queryset(self):
        return ClubPost.objects.select_related("club", "club__brand")

    def is_indexable(self, obj) -> bool:
        return obj.status == ClubPost.Status.PUBLISHED

    def to_document(self, obj) -> IndexDocument:
        club = obj.club
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=club.name,
            body=plain_text(obj.body_html),
            context=club.brand.name,
            url=obj.get_absolute_url(),
            language=obj.language,
            created=obj.created_at,
            visibility=club_visibility(club),
            brand=club.brand.slug,
            brand_name=club.brand.name,
            has_photos=obj.photo_count > 0,
        )

    def dependencies(self):
        return {
            # A renamed club, or one that turned private or public.
            Club: lambda club: ClubPost.objects.filter(club=club).values_list("pk", flat=True),
            Brand: lambda brand: ClubPost.objects.filter(club__brand=brand).values_list(
                "pk", flat=True
            ),
        }


@register
class EventDocument(DocumentType):
    name = "event"
    model = Event
    label = _("Events")

    def get_queryset(self):
        return Event.objects.select_related("club", "club__brand")

    def is_indexable(self, obj) -> bool:
        return obj.status == Event.Status.SCHEDULED

    def to_document(self, obj) -> IndexDocument:
        club = obj.club
        body = "\n".join(
            part for part in (plain_text(obj.description_html), obj.venue_name) if part
        )
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=obj.title,
            body=body,
            context=f"{club.name} {club.brand.name}",
            url=obj.get_absolute_url(),
            language=detect_language(f"{obj.title} {body}"),
            created=obj.created_at,
            # Club-only events are for insiders even in a public club.
            visibility=[PUBLIC] if obj.is_public else [visibility_club(club.pk)],
            brand=club.brand.slug,
            brand_name=club.brand.name,
        )

    def dependencies(self):
        return {
            Club: lambda club: Event.objects.filter(club=club).values_list("pk", flat=True),
            Brand: lambda brand: Event.objects.filter(club__brand=brand).values_list(
                "pk", flat=True
            ),
        }
