"""Products and brands in search (and in autocomplete)."""

from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Brand, Category, Product
from search.documents import PUBLIC, DocumentType, IndexDocument
from search.registry import register


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
