"""Reviews in search: published ones only, public to all."""

import html

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Brand, Product
from community.reviews.models import HelpfulVote, Review, ReviewPhoto
from search.documents import PUBLIC, DocumentType, IndexDocument
from search.registry import register


def plain_text(rendered_html: str) -> str:
    """What a reader sees of the Markdown: no ** or [](), so snippets read cleanly."""
    return html.unescape(strip_tags(rendered_html.replace("</p>", "</p>\n")))


@register
class ReviewDocument(DocumentType):
    name = "review"
    model = Review
    label = _("Reviews")

    def get_queryset(self):
        return Review.objects.select_related("product", "product__brand")

    def is_indexable(self, obj) -> bool:
        return obj.status == Review.Status.PUBLISHED

    def to_document(self, obj) -> IndexDocument:
        product = obj.product
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=obj.title,
            body=plain_text(obj.body_html),
            context=f"{product.name} {product.brand.name}",
            url=obj.get_absolute_url(),
            language=obj.language,
            created=obj.created_at,
            visibility=[PUBLIC],
            brand=product.brand.slug,
            brand_name=product.brand.name,
            product_id=product.pk,
            rating=obj.rating,
            verified=obj.verified_purchase,
            has_photos=obj.photo_count > 0,
            helpful_count=obj.helpful_count,
        )

    def dependencies(self):
        return {
            HelpfulVote: lambda vote: [vote.review_id],
            ReviewPhoto: lambda photo: [photo.review_id],
            Product: lambda product: Review.objects.filter(product=product).values_list(
                "pk", flat=True
            ),
            Brand: lambda brand: Review.objects.filter(product__brand=brand).values_list(
                "pk", flat=True
            ),
        }
